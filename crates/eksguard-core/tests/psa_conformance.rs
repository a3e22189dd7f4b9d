//! Conformance with the upstream Pod Security Admission fixtures (4,537 pods). The fixtures
//! live outside the project (`../shared/conformance/psa`); CI points `EKSGUARD_PSA_FIXTURES` at
//! them (`cargo xtask test` finds them there by itself) and the test fails if the variable is set
//! and the folder is missing. Without the variable the test prints that it was SKIPPED and why;
//! under CI (`CI=true`) a skip is a failure, so the conformance claim can never pass silently.

use std::path::PathBuf;

use eksguard_core::inventory::{LoadOptions, load_text};
use eksguard_core::pss::{CHECKS, Level, Version, evaluate};

#[test]
fn agrees_with_every_upstream_fixture() {
    let Some(dir) = std::env::var_os("EKSGUARD_PSA_FIXTURES").map(PathBuf::from) else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI=true and EKSGUARD_PSA_FIXTURES is not set: the PSA conformance test must run in CI"
        );
        eprintln!(
            "SKIPPED: PSA conformance not run: EKSGUARD_PSA_FIXTURES is not set and no fixtures \
             were found (`cargo xtask test` finds them in ../shared/conformance/psa)"
        );
        return;
    };
    let expected = dir.join("expected.json");
    let text = std::fs::read_to_string(&expected).unwrap_or_else(|e| {
        panic!(
            "EKSGUARD_PSA_FIXTURES={}: cannot read expected.json: {e}",
            dir.display()
        )
    });
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("expected.json is JSON");
    assert!(cases.len() >= 4_537, "only {} fixtures", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let file = case["file"].as_str().expect("file");
        let level: Level = case["level"]
            .as_str()
            .expect("level")
            .parse()
            .expect("level");
        let version: Version = case["version"]
            .as_str()
            .expect("version")
            .parse()
            .expect("version");
        let want_allowed = case["expected"] == "allowed";
        let pod_text = std::fs::read_to_string(dir.join(file)).expect("fixture");
        let inv = load_text(file, &pod_text, &LoadOptions::default());
        if !inv.errors.is_empty() || inv.workloads.len() != 1 {
            failures.push(format!(
                "{file}: does not load as one pod: {:?}",
                inv.errors
            ));
            continue;
        }
        let w = &inv.workloads[0];
        let got = evaluate(&w.template, &w.spec, level, version);
        if got.allowed != want_allowed {
            failures.push(format!(
                "{file}: expected {}, got {:?}",
                case["expected"], got.violations
            ));
            continue;
        }
        if !want_allowed {
            let check = case["check"].as_str().expect("denials name a check");
            let substring = case["error_substring"].as_str().unwrap_or(check);
            // The named check, or at restricted the restricted check that replaces it.
            let named = got.violations.iter().any(|v| {
                v.check == check
                    || CHECKS
                        .iter()
                        .any(|c| c.id == v.check && c.overrides.contains(&check))
            });
            let worded = got
                .violations
                .iter()
                .any(|v| v.message().contains(substring));
            if !named || !worded {
                failures.push(format!(
                    "{file}: expected {check} ({substring:?}), got {:?}",
                    got.violations
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures disagree:\n{}",
        failures.len(),
        cases.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
