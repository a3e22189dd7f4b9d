//! The fixture contract: for every rule, `resources/fixtures/<domain>/<rule-name>.yaml` (or a
//! folder of `fire-*.yaml` / `ok-*.yaml` files, each scanned alone). In a single file, every
//! resource named `fire-*` must be found and no finding may be on any other resource. A
//! snapshot per rule reviews the wording of its messages.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::PathBuf;

use eksguard_core::engine::run;
use eksguard_core::rule::{Domain, Finding, Rule, Scope};
use eksguard_core::rules::RULES;

fn fixture_path(rule: &Rule) -> PathBuf {
    common::root()
        .join("resources/fixtures")
        .join(rule.domain.key())
        .join(rule.name)
}

/// Names of the resources in an inventory, as findings would name them.
fn resource_names(inv: &eksguard_core::Inventory) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = inv
        .resources()
        .into_iter()
        .map(|r| r.name.clone())
        .collect();
    // Namespaces named only by the objects in them are resources of namespace-level rules.
    names.extend(inv.namespace_names().into_iter().map(str::to_string));
    names
}

fn run_rule(
    rule: &'static Rule,
    inv: &eksguard_core::Inventory,
    case: &str,
    failures: &mut Vec<String>,
) -> Vec<Finding> {
    let report = run(inv, &[rule], "test");
    if !inv.errors.is_empty() {
        failures.push(format!("{} {case}: load errors: {:?}", rule.id, inv.errors));
    }
    if let Some(n) = report.not_evaluated.first() {
        failures.push(format!("{} {case}: not evaluated: {}", rule.id, n.reason));
    }
    report.findings
}

fn describe(findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        let loc = f
            .location
            .as_ref()
            .map(|l| {
                format!(
                    "{}:{} {}",
                    l.path.rsplit('/').next().unwrap_or(&l.path),
                    l.start_line,
                    l.field.as_deref().unwrap_or("")
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "[{}] {}\n    {}\n    at {}",
            f.severity,
            f.resource,
            f.message,
            loc.trim_end()
        );
    }
    s
}

#[test]
fn every_rule_honours_its_fixture_contract() {
    let mut failures = Vec::new();
    let mut snapshots = Vec::new();
    // Audit rules have JSON-lines fixtures of events, checked by tests/detect_fixtures.rs.
    for &rule in RULES.iter().filter(|r| r.scope != Scope::Audit) {
        let base = fixture_path(rule);
        let file = base.with_extension("yaml");
        let mut wording = String::new();
        if file.is_file() {
            let inv = common::load(std::slice::from_ref(&file));
            let findings = run_rule(rule, &inv, rule.name, &mut failures);
            let names = resource_names(&inv);
            let fire: BTreeSet<&String> = names.iter().filter(|n| n.starts_with("fire-")).collect();
            let ok = names.iter().filter(|n| n.starts_with("ok-")).count();
            if fire.is_empty() || ok == 0 {
                failures.push(format!(
                    "{}: fixture needs fire-* and ok-* resources",
                    rule.id
                ));
            }
            for f in &findings {
                if !f.resource.name.starts_with("fire-") {
                    failures.push(format!(
                        "{}: unexpected finding on {}: {}",
                        rule.id, f.resource, f.message
                    ));
                }
            }
            let found: BTreeSet<&String> = findings.iter().map(|f| &f.resource.name).collect();
            for n in fire {
                if !found.contains(n) {
                    failures.push(format!("{}: missed {n}", rule.id));
                }
            }
            wording.push_str(&describe(&findings));
        } else if base.is_dir() {
            let cases = common::files(&format!(
                "resources/fixtures/{}/{}",
                rule.domain.key(),
                rule.name
            ));
            let name = |p: &PathBuf| {
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            if !cases.iter().any(|p| name(p).starts_with("fire-"))
                || !cases.iter().any(|p| name(p).starts_with("ok-"))
            {
                failures.push(format!(
                    "{}: fixture folder needs fire-*.yaml and ok-*.yaml",
                    rule.id
                ));
            }
            for case in &cases {
                let n = name(case);
                let inv = common::load(std::slice::from_ref(case));
                let findings = run_rule(rule, &inv, &n, &mut failures);
                if n.starts_with("fire-") && findings.is_empty() {
                    failures.push(format!("{}: {n} found nothing", rule.id));
                }
                if n.starts_with("ok-") && !findings.is_empty() {
                    failures.push(format!("{}: {n} fired: {}", rule.id, findings[0].message));
                }
                let _ = writeln!(wording, "# {n}");
                wording.push_str(&describe(&findings));
            }
        } else {
            failures.push(format!("{}: no fixture at {}", rule.id, file.display()));
            continue;
        }
        snapshots.push((format!("{}-{}", rule.id, rule.name), wording));
    }
    assert!(
        failures.is_empty(),
        "fixture contract broken:\n{}",
        failures.join("\n")
    );
    for (name, wording) in snapshots {
        insta::assert_snapshot!(name, wording);
    }
}

#[test]
fn catalog_meta() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut last: Option<(usize, u32)> = None;
    for r in RULES {
        assert!(ids.insert(r.id), "duplicate id {}", r.id);
        assert!(names.insert(r.name), "duplicate name {}", r.name);
        let prefix = r.id.trim_end_matches(|c: char| c.is_ascii_digit());
        let number = &r.id[prefix.len()..];
        assert_eq!(number.len(), 3, "{}: id is prefix + 3 digits", r.id);
        assert_eq!(
            Domain::from_prefix(prefix),
            Some(r.domain),
            "{}: prefix does not match domain",
            r.id
        );
        let key = (
            Domain::ALL
                .iter()
                .position(|d| *d == r.domain)
                .expect("domain listed"),
            number.parse::<u32>().expect("numeric id"),
        );
        assert!(
            last.is_none_or(|l| l < key),
            "{}: RULES is not sorted",
            r.id
        );
        last = Some(key);
        assert!(
            r.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}: name is not kebab-case",
            r.id
        );
        assert!(
            !r.summary.ends_with('.'),
            "{}: summary ends with a period",
            r.id
        );
        assert!(!r.remediation.is_empty(), "{}: no remediation", r.id);
        for section in ["## What it does", "## Why is this bad?", "## Example"] {
            assert!(r.docs.contains(section), "{}: docs lack `{section}`", r.id);
        }
        assert!(
            !r.references.seed.is_empty() || !r.references.urls.is_empty(),
            "{}: no references",
            r.id
        );
    }
    assert!(RULES.len() >= 40);
    // The first nine domains are the prefixes the foundation issue requires two rules under.
    for &d in &Domain::ALL[..9] {
        assert!(
            RULES.iter().filter(|r| r.domain == d).count() >= 2,
            "fewer than two {} rules",
            d.prefix()
        );
    }
}
