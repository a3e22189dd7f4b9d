//! Snapshots of every report format on the demo cluster, and the properties the demo must have.

mod common;

use eksguard_core::engine::run;
use eksguard_core::report::{Format, render};
use eksguard_core::rule::Domain;
use eksguard_core::rules::RULES;

fn demo_report() -> eksguard_core::Report {
    let inv = common::load(&common::files("demo"));
    run(&inv, RULES, "0.0.0-test")
}

#[test]
fn demo_table() {
    insta::assert_snapshot!(render(&demo_report(), Format::Table, false));
}

#[test]
fn demo_json() {
    let text = render(&demo_report(), Format::Json, false);
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    for key in [
        "schema_version",
        "tool",
        "summary",
        "findings",
        "suppressed",
        "not_evaluated",
        "skipped_inputs",
        "errors",
    ] {
        assert!(v.get(key).is_some(), "JSON report lacks `{key}`");
    }
    let f = &v["findings"][0];
    for key in [
        "rule_id",
        "rule_name",
        "severity",
        "domain",
        "resource",
        "message",
        "location",
        "remediation",
        "references",
    ] {
        assert!(f.get(key).is_some(), "finding lacks `{key}`");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn demo_sarif() {
    let text = render(&demo_report(), Format::Sarif, false);
    let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    // Every rule a scan runs: the audit rules belong to `eksguard detect`.
    let scan_rules = RULES
        .iter()
        .filter(|r| r.scope != eksguard_core::rule::Scope::Audit)
        .count();
    assert_eq!(rules.len(), scan_rules);
    for r in run["results"].as_array().expect("results") {
        let i = usize::try_from(r["ruleIndex"].as_u64().expect("ruleIndex")).expect("index");
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .is_some_and(|l| l > 0)
        );
    }
    // The full SARIF (with every rule's docs) is large: snapshot the results only.
    insta::assert_json_snapshot!(run["results"]);
}

#[test]
fn demo_shows_a_problem_in_every_domain_and_resources_that_pass() {
    let report = demo_report();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        report.skipped_inputs.is_empty(),
        "{:?}",
        report.skipped_inputs
    );
    assert!(
        report.not_evaluated.is_empty(),
        "{:?}",
        report.not_evaluated
    );
    for d in Domain::ALL
        .into_iter()
        .filter(|d| !matches!(d, Domain::Aud | Domain::Policy))
    {
        assert!(
            report.findings.iter().any(|f| f.domain == d),
            "demo shows no {} problem",
            d.prefix()
        );
    }
    // The hardened payments namespace passes the pod-security rules.
    let payments_pod_findings = report
        .findings
        .iter()
        .filter(|f| f.domain == Domain::Pod && f.resource.namespace.as_deref() == Some("payments"))
        .count();
    assert_eq!(
        payments_pod_findings, 0,
        "the hardened payments workloads should pass"
    );
    assert!(
        !report.passed.is_empty(),
        "some rules should pass on the demo"
    );
}

#[test]
fn every_finding_points_into_a_file() {
    for f in &demo_report().findings {
        let loc = f
            .location
            .as_ref()
            .expect("file-based findings have a location");
        assert!(
            loc.start_line > 0 && loc.end_line >= loc.start_line,
            "{}: bad lines {loc:?}",
            f.rule_id
        );
        assert!(loc.path.starts_with("demo/"), "{}", loc.path);
    }
}

#[test]
fn demo_pss_restricted_and_suggestions() {
    use eksguard_core::pss::report::{evaluate_all, render_suggestions, render_table, suggest};
    use eksguard_core::pss::{Level, Version};
    let inv = common::load(&common::files("demo"));
    insta::assert_snapshot!(
        "demo_pss_restricted",
        render_table(&evaluate_all(&inv, Level::Restricted, Version::Latest))
    );
    insta::assert_snapshot!(
        "demo_pss_suggest",
        render_suggestions(&suggest(&inv, Version::Latest))
    );
}

#[test]
fn audit_findings_as_table_blocks_and_json_lines() {
    use eksguard_core::finding::{Evidence, References};
    use eksguard_core::inventory::ResourceRef;
    use eksguard_core::{Finding, Severity};
    static NONE: References = References::NONE;
    let evidence = Evidence {
        count: 3,
        first_seen: 1_763_000_000_000_000,
        last_seen: 1_763_000_060_000_000,
        audit_ids: vec!["a-1".into(), "a-2".into()],
        users: ["alice".to_string()].into(),
        source_ips: ["10.0.1.5".to_string()].into(),
        verbs: ["create".to_string()].into(),
        object_refs: ["pods db/postgres-0".to_string()].into(),
        response_codes: [101].into(),
        ..Evidence::default()
    };
    let audit = Finding {
        rule_id: "AUD008",
        rule_name: "port-forward",
        severity: Severity::Medium,
        domain: Domain::Aud,
        resource: ResourceRef::aws("Pod", "postgres-0", None),
        message: "alice port-forwarded to pod db/postgres-0".into(),
        location: None,
        remediation: "Confirm the tunnel was expected.".into(),
        references: &NONE,
        fingerprint: "f".into(),
        baseline: None,
        evidence: Some(Box::new(evidence)),
    };
    let posture = Finding {
        evidence: None,
        ..audit.clone()
    };
    let mut table = String::new();
    eksguard_core::report::audit::table(&[audit.clone(), posture], &mut table);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("MEDIUM   AUD008 port-forward  ×3  "),
        "{table}"
    );
    assert_eq!(lines[1], "  alice port-forwarded to pod db/postgres-0");
    assert!(
        lines[2].contains("users: alice · sources: 10.0.1.5"),
        "{table}"
    );
    assert!(
        lines[3].contains("verbs: create · objects: pods db/postgres-0 · codes: 101"),
        "{table}"
    );
    assert_eq!(lines[4], "  audit IDs: a-1, a-2");
    assert_eq!(
        lines.len(),
        6,
        "a finding without evidence is not an audit block: {table}"
    );

    let mut jsonl = String::new();
    eksguard_core::report::audit::jsonl(&[audit], &mut jsonl);
    let v: serde_json::Value = serde_json::from_str(jsonl.trim_end()).expect("one JSON line");
    assert_eq!(v["rule_id"], "AUD008");
    assert_eq!(v["evidence"]["count"], 3);
    assert!(jsonl.ends_with('\n') && jsonl.matches('\n').count() == 1);
}
