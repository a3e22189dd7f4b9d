//! Pod Security Standards evaluation speed over the 4,537 upstream PSA fixtures: parsing and
//! evaluation are timed apart; evaluation runs on one thread.
//!
//! Run: `EKSGUARD_PSA_FIXTURES=../shared/conformance/psa cargo bench -p eksguard-core --bench pss`
//! (the path defaults to `../shared/conformance/psa` next to the workspace).

use std::path::PathBuf;
use std::time::Instant;

use eksguard_core::inventory::{LoadOptions, load_text};
use eksguard_core::pss::{Level, Version, evaluate};

#[allow(clippy::cast_precision_loss)] // counts shown as rates
fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let dir = std::env::var_os("EKSGUARD_PSA_FIXTURES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/psa"),
        PathBuf::from,
    );
    let Ok(text) = std::fs::read_to_string(dir.join("expected.json")) else {
        eprintln!(
            "PSA fixtures not found at {} (set EKSGUARD_PSA_FIXTURES); skipping",
            dir.display()
        );
        return;
    };
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("expected.json");
    let files: Vec<(String, Level, Version)> = cases
        .iter()
        .map(|c| {
            (
                std::fs::read_to_string(dir.join(c["file"].as_str().expect("file")))
                    .expect("fixture"),
                c["level"].as_str().expect("level").parse().expect("level"),
                c["version"]
                    .as_str()
                    .expect("version")
                    .parse()
                    .expect("version"),
            )
        })
        .collect();

    let start = Instant::now();
    let pods: Vec<_> = files
        .iter()
        .map(|(t, level, version)| {
            let mut inv = load_text("fixture.yaml", t, &LoadOptions::default());
            (inv.workloads.remove(0), *level, *version)
        })
        .collect();
    let parse = start.elapsed();

    let rounds = if bench { 50 } else { 1 };
    let start = Instant::now();
    let mut denied = 0usize;
    for _ in 0..rounds {
        for (w, level, version) in &pods {
            if !evaluate(&w.template, &w.spec, *level, *version).allowed {
                denied += 1;
            }
        }
    }
    let eval = start.elapsed();
    let evaluations = pods.len() * rounds;
    let per_second = evaluations as f64 / eval.as_secs_f64();
    println!(
        "{} fixtures: parse {:.1} ms ({:.1} µs/pod); evaluate {evaluations} pods in {:.1} ms on one thread = {:.0} pods/s ({} denied)",
        pods.len(),
        parse.as_secs_f64() * 1e3,
        parse.as_secs_f64() * 1e6 / pods.len() as f64,
        eval.as_secs_f64() * 1e3,
        per_second,
        denied / rounds
    );
}
