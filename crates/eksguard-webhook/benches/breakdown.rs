//! Where one review's time goes, on one thread, for a compliant pod: JSON parse, loading,
//! the built-in rules, the report, and the example Rego policies.
//! `cargo bench -p eksguard-webhook --bench breakdown`.

use eksguard_core::config::Config;
use eksguard_core::engine::{self, Options};
use eksguard_core::inventory::{LoadOptions, load_text};
use std::time::Instant;
fn main() {
    #![allow(clippy::unwrap_used)]
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reviews/allow-compliant-pod.json"
    ))
    .unwrap();
    let n = 2000u32;
    let t = Instant::now();
    for _ in 0..n {
        let _: serde_json::Value = serde_json::from_slice(&body).unwrap();
    }
    println!("parse {:?}", t.elapsed() / n);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let obj = serde_json::to_string(&v["request"]["object"]).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        let _ = load_text("admission", &obj, &LoadOptions::default());
    }
    println!("load_text {:?}", t.elapsed() / n);
    let inv = load_text("admission", &obj, &LoadOptions::default());
    let rules = eksguard_webhook::review::admission_rules();
    let t = Instant::now();
    for _ in 0..n {
        let _: Vec<_> = rules.iter().map(|r| engine::check(&inv, r)).collect();
    }
    println!("check {:?}", t.elapsed() / n);
    let config = Config::empty();
    let t = Instant::now();
    for _ in 0..n {
        let outcomes = rules.iter().map(|r| engine::check(&inv, r)).collect();
        let _ = engine::finish(
            &inv,
            &rules,
            outcomes,
            "x",
            Options {
                config: &config,
                today: None,
                baseline: None,
            },
        );
    }
    println!("check+finish {:?}", t.elapsed() / n);
    let policies =
        eksguard_policy::Policies::load(&[
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/policies")
        ])
        .unwrap();
    let input = eksguard_policy::object_input(
        &v["request"]["object"],
        &eksguard_policy::InputContext::scan(),
    );
    let t = Instant::now();
    for _ in 0..n {
        let _ = policies.evaluate(&input, std::time::Duration::from_secs(1));
    }
    println!("policies {:?}", t.elapsed() / n);
}
