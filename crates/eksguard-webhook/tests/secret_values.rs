//! Issue 13: an admitted object's secret values never reach the response, the log record or a
//! Rego policy, in every mode, however malformed the object.

use std::sync::Arc;
use std::time::Duration;

use eksguard_core::config::{AdmissionMode, Config};
use eksguard_core::rule::Severity;
use eksguard_policy::Policies;
use eksguard_webhook::policies::RegoPolicies;
use eksguard_webhook::review::{NoNamespaces, Reviewer, Settings};
use serde_json::{Value, json};

/// A policy that puts everything it is given about a Secret into its finding's message.
const TELLTALE: &str = r#"# METADATA
# title: Telltale
# custom:
#   id: LEAK001
#   severity: high
#   remediation: None; this policy only shows what policies are given.
#   kinds: [Secret]
package eksguard.telltale

deny contains {"id": "LEAK001", "msg": sprintf("the policy sees %s", [json.marshal(input.object)])} if {
	input.object.kind == "Secret"
}
"#;

const MARKERS: [&str; 5] = [
    "EKSG-SECRET-APPLIED",
    "EKSG-SECRET-GOOD",
    "EKSG-SECRET-STRINGDATA",
    "RUtTRy1TRUNSRVQtREFUQQ==",
    "31415926535",
];

fn reviewer(mode: AdmissionMode) -> Reviewer {
    let policies =
        Policies::from_sources(&[("telltale.rego".into(), TELLTALE.into())]).expect("policy loads");
    let config = Config::empty().with_rules(policies.rules());
    Reviewer::new(
        config,
        Settings {
            default_mode: mode,
            fail_on: Severity::Low,
            exempt_namespaces: Vec::new(),
            exempt_users: Vec::new(),
        },
        None,
    )
    .expect("reviewer")
    .with_policies(Arc::new(RegoPolicies::new(
        policies,
        Duration::from_secs(2),
    )))
}

fn body(object: &Value) -> Vec<u8> {
    json!({
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": "s-1",
            "kind": {"group": "", "version": "v1", "kind": object["kind"]},
            "namespace": "shop", "operation": "CREATE",
            "userInfo": {"username": "alice"},
            "object": object,
        }
    })
    .to_string()
    .into_bytes()
}

#[test]
fn secret_values_never_reach_the_response_the_log_or_a_policy() {
    let applied =
        r#"{"apiVersion":"v1","kind":"Secret","stringData":{"password":"EKSG-SECRET-APPLIED"}}"#;
    let objects = [
        // Well-formed, applied with kubectl apply: the values are in the annotation too.
        json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "db", "namespace": "shop",
                         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": applied}},
            "stringData": {"password": "EKSG-SECRET-GOOD"},
            "data": {"token": "RUtTRy1TRUNSRVQtREFUQQ=="},
        }),
        // Malformed: a type error must not quote the value.
        json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "bad", "namespace": "shop"},
            "stringData": "EKSG-SECRET-STRINGDATA",
        }),
        // A numeric password where a string is expected.
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"containers": [{"name": "web", "image": "nginx",
                     "env": [{"name": "DB_PASSWORD", "value": 31_415_926_535_u64}]}]},
        }),
    ];
    let mut policy_saw_the_keys = false;
    for mode in AdmissionMode::ALL {
        let r = reviewer(mode);
        for object in &objects {
            let (response, outcome) = r.review(&body(object), &NoNamespaces).expect("review");
            // What the server returns, and every field it logs.
            let said = format!("{response} {outcome:?}");
            for m in MARKERS {
                assert!(!said.contains(m), "{mode:?}: {m} leaked: {said}");
            }
            assert!(!said.contains("last-applied-configuration"), "{said}");
            if said.contains("the policy sees") && said.contains("password") {
                policy_saw_the_keys = true;
            }
        }
    }
    assert!(
        policy_saw_the_keys,
        "the policy ran on the Secret and saw its keys"
    );
}
