//! Suppressions (annotations and eksguard.toml exceptions), baselines and compliance views.

use eksguard_core::config::{self, Config, Date};
use eksguard_core::engine::{self, Baseline, BaselineState, Options, Report};
use eksguard_core::framework::{self, Framework, Status};
use eksguard_core::inventory::{LoadOptions, load_text};
use eksguard_core::rules::RULES;
use eksguard_core::suppress::SuppressedBy;
use eksguard_core::{Inventory, Severity};

const PODS: &str = r#"
apiVersion: v1
kind: Namespace
metadata:
  name: monitoring
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-exporter
  namespace: monitoring
  annotations:
    eksguard.io/ignore: "host-namespaces, CKV_K8S_16"
    eksguard.io/ignore-reason: "reads host metrics through the host PID namespace"
spec:
  selector: {matchLabels: {app: ne}}
  template:
    metadata: {labels: {app: ne}}
    spec:
      hostPID: true
      containers:
      - name: ne
        image: quay.io/prometheus/node-exporter:v1.8.0
        securityContext: {privileged: true}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: no-reason
  namespace: monitoring
  annotations:
    eksguard.io/ignore: "POD002"
spec:
  selector: {matchLabels: {app: nr}}
  template:
    metadata: {labels: {app: nr}}
    spec:
      hostNetwork: true
      containers:
      - {name: c, image: "example.com/c:1.0"}
---
apiVersion: v1
kind: Pod
metadata:
  name: typo
  namespace: monitoring
  annotations:
    eksguard.io/ignore: "POD0002"
    eksguard.io/ignore-reason: "whatever"
spec:
  hostIPC: true
  containers:
  - {name: c, image: "example.com/c:1.0"}
"#;

fn inventory(text: &str) -> Inventory {
    load_text("pods.yaml", text, &LoadOptions::default())
}

fn scan(inv: &Inventory, config: &Config, today: &str, baseline: Option<&Baseline>) -> Report {
    let rules: Vec<_> = RULES
        .iter()
        .copied()
        .filter(|r| matches!(r.id, "POD001" | "POD002"))
        .collect();
    engine::run_with(
        inv,
        &rules,
        "test",
        Options {
            config,
            today: today.parse::<Date>().ok(),
            baseline,
        },
    )
}

fn on(report: &Report, rule: &str) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.rule_id == rule)
        .map(|f| f.resource.name.clone())
        .collect()
}

#[test]
fn annotations_need_known_rules_and_a_reason() {
    let inv = inventory(PODS);
    let report = scan(&inv, &Config::empty(), "2026-01-01", None);
    // node-exporter: both findings suppressed, by name and by Checkov's id, with the reason.
    assert!(!on(&report, "POD001").contains(&"node-exporter".to_string()));
    assert!(!on(&report, "POD002").contains(&"node-exporter".to_string()));
    assert_eq!(report.suppressed.len(), 2);
    assert_eq!(report.summary.suppressed, 2);
    for s in &report.suppressed {
        assert_eq!(
            s.reason,
            "reads host metrics through the host PID namespace"
        );
        match &s.suppressed_by {
            SuppressedBy::Annotation { path, line, .. } => {
                assert_eq!(path, "pods.yaml");
                assert_eq!(*line, 13, "line of the eksguard.io/ignore annotation");
            }
            other @ SuppressedBy::Exception { .. } => panic!("unexpected {other:?}"),
        }
    }
    // no reason: not honoured, and an error names the object and line.
    assert!(on(&report, "POD002").contains(&"no-reason".to_string()));
    assert!(
        report.errors.iter().any(|e| e.line == Some(32)
            && e.message.contains("no-reason")
            && e.message.contains("ignore-reason")),
        "{:?}",
        report.errors
    );
    // unknown id: an error, and the finding stays.
    assert!(on(&report, "POD002").contains(&"typo".to_string()));
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("`POD0002`") && e.line == Some(48)),
        "{:?}",
        report.errors
    );
    // The JSON report lists suppressed findings with their reason.
    let json: serde_json::Value = serde_json::from_str(&eksguard_core::report::render(
        &report,
        eksguard_core::report::Format::Json,
        false,
    ))
    .expect("json");
    assert_eq!(json["summary"]["suppressed"], 2);
    assert_eq!(json["suppressed"][0]["suppressed_by"]["kind"], "annotation");
    assert!(
        json["suppressed"][0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("host PID"))
    );
    // SARIF carries them as suppressed results.
    let sarif: serde_json::Value = serde_json::from_str(&eksguard_core::report::render(
        &report,
        eksguard_core::report::Format::Sarif,
        false,
    ))
    .expect("sarif");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let suppressed: Vec<_> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
}

#[test]
fn annotations_can_be_turned_off() {
    let inv = inventory(PODS);
    let config = config::parse("eksguard.toml", "annotations = false\n").expect("valid");
    let report = scan(&inv, &config, "2026-01-01", None);
    assert!(report.suppressed.is_empty());
    assert!(
        report.errors.is_empty(),
        "annotations are not read at all: {:?}",
        report.errors
    );
    assert!(on(&report, "POD001").contains(&"node-exporter".to_string()));
}

#[test]
fn exceptions_match_rule_namespace_and_name_and_expire() {
    let inv = inventory(PODS);
    let text = r#"
annotations = false
[[exception]]
rules = ["POD002"]
namespaces = ["monitor*"]
resources = ["no-*"]
reason = "host network for the node agent"
expires = 2026-06-30

[[exception]]
rules = ["privileged-container"]
kinds = ["Pod"]
reason = "nothing privileged runs as a bare pod"
"#;
    let config = config::parse("eksguard.toml", text).expect("valid");
    let report = scan(&inv, &config, "2026-06-30", None);
    assert_eq!(
        report
            .suppressed
            .iter()
            .map(|s| (s.finding.rule_id, s.finding.resource.name.as_str()))
            .collect::<Vec<_>>(),
        [("POD002", "no-reason")]
    );
    assert!(matches!(
        report.suppressed[0].suppressed_by,
        SuppressedBy::Exception { line: 3, .. }
    ));
    assert!(report.expired_exceptions.is_empty());

    let later = scan(&inv, &config, "2026-07-01", None);
    assert!(
        later.suppressed.is_empty(),
        "expired the day after its date"
    );
    assert_eq!(later.expired_exceptions.len(), 1);
    assert_eq!(later.expired_exceptions[0].line, 3);
    assert!(on(&later, "POD002").contains(&"no-reason".to_string()));
}

#[test]
fn severity_overrides_apply_to_findings() {
    let inv = inventory(PODS);
    let config = config::parse(
        "eksguard.toml",
        "annotations = false\n[severity]\nPOD001 = \"low\"\n",
    )
    .expect("valid");
    let report = scan(&inv, &config, "2026-01-01", None);
    let f = report
        .findings
        .iter()
        .find(|f| f.rule_id == "POD001")
        .expect("POD001");
    assert_eq!(f.severity, Severity::Low);
    assert!(
        !report.fails(Severity::Critical)
            || report
                .findings
                .iter()
                .any(|f| f.severity == Severity::Critical)
    );
}

#[test]
fn baseline_fails_only_on_new_findings() {
    let inv = inventory(PODS);
    let config = config::parse("eksguard.toml", "annotations = false\n").expect("valid");
    let first = scan(&inv, &config, "2026-01-01", None);
    assert!(first.fails(Severity::Info));
    let json = eksguard_core::report::render(&first, eksguard_core::report::Format::Json, false);
    let baseline = Baseline::parse("base.json", &json).expect("baseline");

    // Same input, lines moved: nothing is new.
    let moved = inventory(&format!("\n\n\n{PODS}"));
    let again = scan(&moved, &config, "2026-01-01", Some(&baseline));
    assert!(!again.fails(Severity::Info));
    let b = again.baseline.as_ref().expect("summary");
    assert_eq!((b.new, b.unchanged, b.fixed), (0, first.findings.len(), 0));
    assert!(
        again
            .findings
            .iter()
            .all(|f| f.baseline == Some(BaselineState::Unchanged))
    );

    // A second privileged container changes the DaemonSet's finding ("ne", "sidecar"): it is
    // new and fails the run (fail closed), its old wording counts as fixed, like the hostIPC pod.
    let changed = PODS.replace("hostIPC: true", "hostIPC: false").replace(
        "securityContext: {privileged: true}",
        "securityContext: {privileged: true}\n      - name: sidecar\n        image: example.com/s:1\n        securityContext: {privileged: true}",
    );
    let third = scan(&inventory(&changed), &config, "2026-01-01", Some(&baseline));
    assert!(third.fails(Severity::Info));
    let b = third.baseline.as_ref().expect("summary");
    assert_eq!((b.new, b.fixed), (1, 2), "{:#?}", third.findings);
    let new: Vec<_> = third
        .findings
        .iter()
        .filter(|f| f.baseline == Some(BaselineState::New))
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(new.len(), 1);
    assert!(new[0].contains("\"sidecar\""), "{new:?}");

    // Not a report: a clear error.
    let bad = Baseline::parse("x.json", "{\"a\": 1}").expect_err("no findings");
    assert!(bad.message.contains("findings"));
}

#[test]
fn cis_view_covers_every_control() {
    let inv = inventory(PODS);
    let report = scan(&inv, &Config::empty(), "2026-01-01", None);
    let view = framework::view(Framework::CisEks18, &report);
    assert_eq!(view.controls.len(), 50, "every CIS EKS v1.8 control");
    let c = |id: &str| view.controls.iter().find(|c| c.id == id).expect("control");
    // 4.2.1 privileged containers: the only privileged container is suppressed, so it passes;
    // 4.2.4 host network fails (no-reason's annotation has no reason and is not honoured).
    assert_eq!(c("4.2.1").status, Status::Pass);
    assert_eq!(c("4.2.4").status, Status::Fail);
    // 5.4.1 needs describe-cluster: its rules were not selected or not evaluated.
    assert_eq!(c("5.4.1").status, Status::NotEvaluated);
    assert_eq!(c("3.1.1").status, Status::Manual);
    assert!(
        c("3.1.1")
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("node"))
    );
    let json = framework::render_json(&view);
    assert!(json.contains("\"framework\": \"cis-eks-1.8\""));
}

#[test]
fn best_practices_view_scores_each_domain() {
    let inv = inventory(PODS);
    let report = scan(&inv, &Config::empty(), "2026-01-01", None);
    let view = framework::view(Framework::EksBestPractices, &report);
    let pod = view
        .controls
        .iter()
        .find(|c| c.id == "pod-security")
        .expect("domain");
    assert_eq!(pod.status, Status::Fail);
    // POD001 (critical, weight 10) passes once node-exporter is suppressed; POD002 (high,
    // weight 6) fails; the other POD rules were not selected and do not count.
    assert_eq!(pod.score, Some(63));
    let iam = view
        .controls
        .iter()
        .find(|c| c.id == "iam")
        .expect("domain");
    assert_eq!(iam.status, Status::NotEvaluated);
    assert_eq!(iam.score, None);
}

#[test]
fn every_cis_control_is_implemented_or_explained() {
    use eksguard_core::framework::cis_eks_1_8::CONTROLS;
    for c in CONTROLS {
        let implemented = RULES.iter().any(|r| r.references.cis_eks.contains(&c.id));
        assert!(
            implemented || c.not_checkable.is_some(),
            "CIS {} has no rule and no reason why it cannot be checked",
            c.id
        );
    }
    for r in RULES {
        for id in r.references.cis_eks {
            assert!(
                CONTROLS.iter().any(|c| c.id == *id),
                "{} names CIS {id}, which is not a control of v1.8",
                r.id
            );
        }
    }
}

#[test]
fn an_input_a_source_could_not_read_gives_its_reason() {
    use eksguard_core::inventory::Input;
    let mut inv = inventory(PODS);
    inv.mark_unavailable(
        Input::EksCluster,
        "eks:DescribeCluster was denied (AccessDeniedException)",
    );
    let rules: Vec<_> = RULES.iter().copied().filter(|r| r.id == "EKS001").collect();
    let report = engine::run(&inv, &rules, "test");
    assert_eq!(report.not_evaluated.len(), 1);
    assert_eq!(
        report.not_evaluated[0].reason,
        "eks:DescribeCluster was denied (AccessDeniedException)"
    );
    // Without a recorded failure, the reason says what to provide.
    let report = engine::run(&inventory(PODS), &rules, "test");
    assert!(
        report.not_evaluated[0]
            .reason
            .starts_with("needs `aws eks describe-cluster` output")
    );
}
