//! The fuzzing harness of the admission review decoder (issue 13): generated and mutated
//! AdmissionReview bodies fed to the pure review (`Reviewer::review`). Every body gets a
//! well-formed AdmissionReview answer with its uid, or a clear 400-style error; never a panic;
//! and enforce mode never allows an object it could not evaluate. docs/fuzzing.md says how to
//! run it longer.

use std::path::Path;
use std::time::{Duration, Instant};

use eksguard_core::config::{AdmissionMode, Config};
use eksguard_core::rule::Severity;
use eksguard_webhook::review::{NoNamespaces, Reviewer, Settings};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::{Map, Value, json};

/// Cases per property: 256, or `PROPTEST_CASES`.
fn config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default),
        ..ProptestConfig::default()
    }
}

fn reviewer(mode: AdmissionMode) -> Reviewer {
    Reviewer::new(
        Config::empty(),
        Settings {
            default_mode: mode,
            fail_on: Severity::Low,
            exempt_namespaces: vec!["kube-system".into()],
            exempt_users: vec!["platform:break-glass".into()],
        },
        None,
    )
    .expect("reviewer")
}

/// The review fixtures (real AdmissionReviews of every kind the webhook reviews).
fn fixtures() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reviews");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/reviews")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("allow-") || n.starts_with("deny-"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| std::fs::read(dir.join(n)).expect("read"))
        .collect()
}

/// Any JSON value, up to a few levels deep, with the keys and scalars Kubernetes objects use.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        prop_oneof![
            Just(String::new()),
            "[a-zA-Z0-9/._:-]{0,12}",
            Just("v1".to_string()),
            Just("Pod".to_string()),
            Just("/var/run/docker.sock".to_string()),
            Just("\u{feff}\u{0}\"\\".to_string()),
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("apiVersion".to_string()),
        Just("kind".to_string()),
        Just("metadata".to_string()),
        Just("name".to_string()),
        Just("namespace".to_string()),
        Just("spec".to_string()),
        Just("containers".to_string()),
        Just("volumes".to_string()),
        Just("hostPath".to_string()),
        Just("securityContext".to_string()),
        Just("privileged".to_string()),
        "[a-zA-Z]{1,8}",
    ]
}

/// A Kubernetes object of a kind the webhook reviews, its fields replaced here and there by
/// anything.
fn object() -> impl Strategy<Value = Value> {
    let kinds = prop_oneof![
        Just(("v1", "Pod")),
        Just(("apps/v1", "Deployment")),
        Just(("v1", "ConfigMap")),
        Just(("v1", "Secret")),
        Just(("v1", "Service")),
        Just(("v1", "Namespace")),
        Just(("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")),
        Just(("networking.k8s.io/v1", "Ingress")),
        Just(("x.example/v1", "Widget")),
    ];
    (
        kinds,
        any::<bool>(),
        prop::option::of(any_json()),
        prop::option::of(any_json()),
    )
        .prop_map(|((api, kind), privileged, spec, meta)| {
            let pod_spec = json!({"containers": [{"name": "c", "image": "nginx:1.27", "securityContext": {"privileged": privileged}}]});
            let spec = spec.unwrap_or_else(|| match kind {
                "Pod" => pod_spec.clone(),
                "Deployment" => json!({"selector": {}, "template": {"spec": pod_spec.clone()}}),
                _ => json!({}),
            });
            let mut o = json!({"apiVersion": api, "kind": kind, "spec": spec});
            o["metadata"] = meta.unwrap_or_else(|| json!({"name": "web", "namespace": "shop"}));
            o
        })
}

/// What goes in `request.object`: a real object mostly; anything else too.
fn object_field() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        6 => object().prop_map(Some),
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        2 => any_json().prop_map(Some),
    ]
}

/// A generated AdmissionReview, well-formed or not in any of its parts.
fn review() -> impl Strategy<Value = Value> {
    let uid = prop_oneof![
        8 => "[a-f0-9-]{1,36}".prop_map(Value::String),
        1 => Just(Value::String(String::new())),
        1 => any_json(),
    ];
    let operation = prop_oneof![
        Just("CREATE"),
        Just("UPDATE"),
        Just("DELETE"),
        Just("CONNECT"),
        Just("PATCH"),
        Just(""),
    ];
    let namespace = prop_oneof![
        Just("shop"),
        Just("kube-system"),
        Just(""),
        Just("payments")
    ];
    (
        uid,
        operation,
        namespace,
        object_field(),
        object_field(),
        prop::option::of(prop_oneof![Just("status"), Just(""), Just("scale")]),
        prop_oneof![
            10 => Just(json!("admission.k8s.io/v1")),
            1 => Just(json!("admission.k8s.io/v1beta1")),
            1 => any_json()
        ],
        prop_oneof![10 => Just(json!("AdmissionReview")), 1 => any_json()],
        any::<bool>(),
    )
        .prop_map(
            |(uid, op, ns, object, old, sub, api, kind, dry_run)| {
                let mut request = json!({
                    "uid": uid,
                    "kind": {"group": "", "version": "v1", "kind": object.as_ref().and_then(|o| o.get("kind")).cloned().unwrap_or(json!("Pod"))},
                    "namespace": ns,
                    "name": "web",
                    "operation": op,
                    "userInfo": {"username": "alice", "groups": ["system:authenticated"]},
                    "dryRun": dry_run,
                });
                if let Some(o) = object {
                    request["object"] = o;
                }
                if let Some(o) = old {
                    request["oldObject"] = o;
                }
                if let Some(s) = sub {
                    request["subResource"] = json!(s);
                }
                json!({"apiVersion": api, "kind": kind, "request": request})
            },
        )
}

/// What a body may have done to a real one.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop_oneof![
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"[".to_vec()),
        Just(b"]".to_vec()),
        Just(b"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b":".to_vec()),
        Just(b"null".to_vec()),
        Just(b"\"object\":\"x\",".to_vec()),
        Just(b"\"object\":null,".to_vec()),
        Just(b"\"kind\":7,".to_vec()),
        Just(vec![0xff]),
        Just(vec![0xef, 0xbb, 0xbf]),
        Just(b"\\u0000".to_vec()),
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        (any::<usize>(), 1usize..16).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), token).prop_map(|(i, t)| Mutation::Insert(i, t)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(mut body: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if body.is_empty() {
            break;
        }
        match m {
            Mutation::Replace(i, b) => {
                let i = i % body.len();
                body[i] = *b;
            }
            Mutation::Delete(i, n) => {
                let i = i % body.len();
                let end = (i + n).min(body.len());
                body.drain(i..end);
            }
            Mutation::Insert(i, t) => {
                let i = i % (body.len() + 1);
                body.splice(i..i, t.iter().copied());
            }
            Mutation::Truncate(i) => body.truncate(i % (body.len() + 1)),
        }
    }
    body
}

/// Whether the request in `body` carries an object enforce must evaluate, and cannot: a
/// CREATE or UPDATE, not exempt, whose `object` is not a mapping with a string apiVersion and
/// kind. An independent oracle: it reads the body itself, not the reviewer's outcome.
fn unevaluable_object(body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let r = &v["request"];
    let op = r["operation"].as_str().unwrap_or("");
    let exempt = op == "DELETE"
        || op == "CONNECT"
        || r["subResource"].as_str().is_some_and(|s| !s.is_empty())
        || r["namespace"].as_str() == Some("kube-system");
    let o = &r["object"];
    let evaluable = o.is_object() && o["apiVersion"].is_string() && o["kind"].is_string();
    !exempt && !evaluable
}

/// The properties every answer holds.
fn check(reviewer: &Reviewer, mode: AdmissionMode, body: &[u8]) -> Result<(), TestCaseError> {
    let start = Instant::now();
    let answer = reviewer.review(body, &NoNamespaces);
    // A hang or a blow-up, not a slowdown: inputs are a few KB and take milliseconds.
    prop_assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    match answer {
        Err(bad) => {
            // A 400: it says what is wrong, briefly.
            prop_assert!(!bad.0.is_empty());
            prop_assert!(bad.0.len() < 1000, "{}", bad.0);
        }
        Ok((response, outcome)) => {
            prop_assert_eq!(&response["apiVersion"], "admission.k8s.io/v1");
            prop_assert_eq!(&response["kind"], "AdmissionReview");
            let uid = serde_json::from_slice::<Value>(body).expect("answered, so JSON")["request"]
                ["uid"]
                .clone();
            prop_assert!(uid.as_str().is_some_and(|u| !u.is_empty()), "{uid}");
            prop_assert_eq!(&response["response"]["uid"], &uid);
            let allowed = response["response"]["allowed"].as_bool();
            prop_assert!(allowed.is_some(), "{response}");
            prop_assert_eq!(allowed, Some(outcome.allowed));
            if mode == AdmissionMode::Enforce {
                prop_assert!(
                    !(outcome.allowed && outcome.error.is_some()),
                    "enforce allowed what it could not evaluate: {response}"
                );
                prop_assert!(
                    !(outcome.allowed && unevaluable_object(body)),
                    "enforce allowed a request whose object it cannot evaluate: {response}"
                );
            }
            if !outcome.allowed {
                prop_assert!(response["response"]["status"]["message"].is_string());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// Generated reviews, well-formed or not in any part, in every mode.
    #[test]
    fn generated_reviews(review in review(), mode in prop::sample::select(AdmissionMode::ALL.to_vec())) {
        let reviewer = reviewer(mode);
        check(&reviewer, mode, review.to_string().as_bytes())?;
    }

    /// Real reviews (the fixtures), mutated byte by byte, in every mode.
    #[test]
    fn mutated_reviews(
        i in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
        mode in prop::sample::select(AdmissionMode::ALL.to_vec()),
    ) {
        let bodies = fixtures();
        let body = mutate(bodies[i.index(bodies.len())].clone(), &mutations);
        check(&reviewer(mode), mode, &body)?;
    }
}

/// Arbitrary bytes, mostly JSON punctuation: a 400 or an answer, never a panic.
#[test]
fn arbitrary_bytes() {
    let reviewer = reviewer(AdmissionMode::Enforce);
    let mut runner = proptest::test_runner::TestRunner::new(config(256));
    let bytes = prop::collection::vec(
        prop_oneof![
            prop::sample::select(b"{}[]\":,0123456789.eE+-tfnul \\".to_vec()),
            any::<u8>()
        ],
        0..256,
    );
    runner
        .run(&bytes, |b| check(&reviewer, AdmissionMode::Enforce, &b))
        .expect("every body is answered or refused");
}
