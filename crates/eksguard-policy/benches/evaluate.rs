//! How long one evaluation of the example policies takes on a small pod (the admission
//! webhook's unit of work), and what cloning the prepared engine costs within it.
//!
//! Run: `cargo bench -p eksguard-policy --bench evaluate` (prints; asserts nothing).

use std::path::Path;
use std::time::{Duration, Instant};

use eksguard_policy::{InputContext, Policies, Source, object_input};
use serde_json::json;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let total: Duration = samples.iter().sum();
    let n = u32::try_from(samples.len()).unwrap_or(u32::MAX);
    println!(
        "{what:<44} mean {:>9.1?}  p50 {:>9.1?}  p99 {:>9.1?}  max {:>9.1?}  (n={n})",
        total / n,
        percentile(&samples, 0.50),
        percentile(&samples, 0.99),
        samples[samples.len() - 1],
    );
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let rounds = if bench { 20_000 } else { 200 };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/policies");
    let start = Instant::now();
    let policies = Policies::load(std::slice::from_ref(&dir)).expect("example policies");
    println!(
        "load and prepare {} rules of examples/policies: {:?}",
        policies.rules().len(),
        start.elapsed()
    );

    let pod = |image: &str, labels: serde_json::Value| {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "shop", "labels": labels},
            "spec": {"containers": [{
                "name": "web", "image": image,
                "securityContext": {"runAsNonRoot": true, "allowPrivilegeEscalation": false},
                "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}}
            }]}
        })
    };
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
    let user = json!({"username": "system:serviceaccount:kube-system:replicaset-controller"});
    let cx = InputContext {
        source: Source::Admission,
        operation: Some("CREATE"),
        namespace: Some(&ns),
        user: Some(&user),
        dry_run: false,
    };
    let compliant = pod(
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4",
        json!({"app.kubernetes.io/name": "web", "owner": "shop"}),
    );
    let violating = pod("nginx:latest", json!({"app": "web"}));
    let budget = Duration::from_millis(100);

    for (what, object) in [
        ("evaluate, compliant pod (0 violations)", &compliant),
        ("evaluate, violating pod (4 violations)", &violating),
    ] {
        let input = object_input(object, &cx);
        let n = policies.evaluate(&input, budget).expect("evaluates").len();
        let mut samples = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let t = Instant::now();
            let v = policies.evaluate(&input, budget).expect("evaluates");
            samples.push(t.elapsed());
            assert_eq!(v.len(), n);
        }
        report(&format!("{what} [{n}]"), samples);
    }

    // The same with the input document built in the loop, as the webhook does per request.
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let input = object_input(&violating, &cx);
        let _ = policies.evaluate(&input, budget).expect("evaluates");
        samples.push(t.elapsed());
    }
    report("object_input + evaluate, violating pod", samples);

    // Cloning a prepared engine: what evaluate() does first. The engine is private to
    // eksguard-policy, so an engine is prepared here the same way.
    let mut engine = regorus::Engine::new();
    for entry in [
        "lib/kubernetes.rego",
        "allowed_registries.rego",
        "required_labels.rego",
        "ecr_only.rego",
        "irsa_role_arn.rego",
    ] {
        let text = std::fs::read_to_string(dir.join(entry)).expect("policy");
        engine.add_policy(entry.to_string(), text).expect("parses");
    }
    engine
        .eval_bool_query("true".into(), false)
        .expect("prepares");
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        let e = std::hint::black_box(engine.clone());
        samples.push(t.elapsed());
        drop(e);
    }
    report("clone of the prepared engine", samples);
}
