//! Rego policies at admission: the example policies judge admitted objects (with the admission
//! input: operation and user), their ids work in ignore annotations, and a policy past its time
//! budget fails closed in enforce mode.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use eksguard_core::config::{AdmissionMode, Config};
use eksguard_core::rule::Severity;
use eksguard_policy::Policies;
use eksguard_webhook::policies::RegoPolicies;
use eksguard_webhook::review::{NoNamespaces, Reviewer, Settings};
use serde_json::{Value, json};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/policies")
}

fn reviewer(policies: Policies, budget: Duration, fail_on: Severity) -> Reviewer {
    let config = Config::empty().with_rules(policies.rules());
    Reviewer::new(
        config,
        Settings {
            default_mode: AdmissionMode::Enforce,
            fail_on,
            exempt_namespaces: Vec::new(),
            exempt_users: Vec::new(),
        },
        None,
    )
    .expect("reviewer")
    .with_policies(Arc::new(RegoPolicies::new(policies, budget)))
}

fn review(object: &Value) -> Vec<u8> {
    json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "p-1",
            "kind": {"group": "", "version": "v1", "kind": object["kind"]},
            "namespace": "shop", "operation": "CREATE",
            "userInfo": {"username": "alice"},
            "object": object,
        }
    })
    .to_string()
    .into_bytes()
}

fn answer(r: &Reviewer, object: &Value) -> Value {
    r.review(&review(object), &NoNamespaces).expect("review").0["response"].clone()
}

fn pod(image: &str, annotations: &Value) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "shop", "annotations": annotations,
                     "labels": {"app.kubernetes.io/name": "web", "owner": "team-shop"}},
        "spec": {"containers": [{"name": "web", "image": image}]}
    })
}

#[test]
fn the_example_policies_judge_admitted_objects() {
    let policies = Policies::load(&[examples()]).expect("examples load");
    // Low: everything the example policies say counts.
    let r = reviewer(policies, Duration::from_millis(500), Severity::Low);

    let a = answer(&r, &pod("docker.io/library/nginx:1.27", &json!({})));
    assert_eq!(a["allowed"], false);
    let msg = a["status"]["message"].as_str().expect("message");
    assert!(msg.contains("ACME001") && msg.contains("ACME003"), "{msg}");
    assert!(msg.contains("at spec.containers[0].image"), "{msg}");

    let ok_image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let a = answer(&r, &pod(ok_image, &json!({})));
    let msg = a["status"]["message"].as_str().unwrap_or_default();
    assert!(!msg.contains("ACME"), "{a}");

    let sa = json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "web", "namespace": "shop",
                     "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::12345:role/web"}}
    });
    let a = answer(&r, &sa);
    assert_eq!(a["allowed"], false, "{a}");
    assert!(
        a["status"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ACME004")),
        "{a}"
    );
}

#[test]
fn a_policy_id_in_an_ignore_annotation_suppresses_it() {
    let policies = Policies::load(&[examples()]).expect("examples load");
    let r = reviewer(policies, Duration::from_millis(500), Severity::Low);
    let ann = json!({"eksguard.io/ignore": "ACME001,ACME003,IMG001,IMG004,IMG008",
                     "eksguard.io/ignore-reason": "vendor image mirrored next quarter (RISK-7)"});
    let a = answer(&r, &pod("docker.io/library/nginx:1.27", &ann));
    let msg = a["status"]["message"].as_str().unwrap_or_default();
    assert!(!msg.contains("ACME001") && !msg.contains("ACME003"), "{a}");
}

#[test]
fn a_policy_past_its_budget_is_stopped_and_enforce_fails_closed() {
    let slow = r#"# METADATA
# title: Slow
# custom:
#   id: SLOW001
#   severity: high
#   remediation: none
package eksguard.slow

deny contains {"id": "SLOW001", "msg": "never"} if {
	count([x | some i in numbers.range(1, 20000); some j in numbers.range(1, 20000); x := i * j; x < 0]) > 0
}
"#;
    let policies =
        Policies::from_sources(&[("slow.rego".into(), slow.into())]).expect("slow policy loads");
    let r = reviewer(policies, Duration::from_millis(50), Severity::Critical);
    let (resp, outcome) = r
        .review(&review(&pod("nginx:1.27", &json!({}))), &NoNamespaces)
        .expect("review");
    let a = &resp["response"];
    assert_eq!(a["allowed"], false, "{a}");
    let msg = a["status"]["message"].as_str().expect("message");
    assert!(msg.contains("could not evaluate"), "{msg}");
    assert!(msg.contains("time budget of 50 ms"), "{msg}");
    assert!(outcome.error.is_some());
}
