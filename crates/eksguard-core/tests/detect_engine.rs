//! The detection engine end to end: input formats, aggregation, malformed lines, checkpoints.

use std::io::Write;

use eksguard_core::detect::{self, Engine, Feed, Options, State};
use eksguard_core::rules::RULES;

fn event(i: usize, ns: &str) -> String {
    event_on(i, ns, i)
}

fn event_on(i: usize, ns: &str, pod: usize) -> String {
    format!(
        r#"{{"kind":"Event","auditID":"id-{i}","stage":"ResponseComplete","verb":"create","user":{{"username":"mallory","groups":["system:authenticated"]}},"sourceIPs":["10.0.0.{}"],"userAgent":"kubectl","objectRef":{{"resource":"pods","namespace":"{ns}","name":"coredns-{pod}","subresource":"exec"}},"responseStatus":{{"code":101}},"requestReceivedTimestamp":"2026-11-20T10:{:02}:00Z"}}"#,
        i % 250,
        i % 60
    )
}

fn run(bytes: &[u8]) -> Engine {
    let mut e = Engine::new(RULES, Options::default());
    detect::feed(&mut e, "input", bytes, Feed::default(), &mut |_| Ok(())).expect("read");
    e
}

fn counts(e: &Engine) -> Vec<(String, u64)> {
    e.findings()
        .iter()
        .map(|f| {
            (
                format!("{} {}", f.rule_id, f.message),
                f.evidence.as_ref().map_or(0, |ev| ev.count),
            )
        })
        .collect()
}

#[test]
fn repeated_occurrences_aggregate_with_evidence() {
    let text: String = (0..30).map(|i| event(i, "kube-system") + "\n").collect();
    let e = run(text.as_bytes());
    let f = e.findings();
    let exec = f
        .iter()
        .find(|f| f.rule_id == "AUD006")
        .expect("exec in kube-system");
    let ev = exec.evidence.as_deref().expect("evidence");
    assert_eq!(ev.count, 1, "one finding per pod: {}", exec.message);
    assert_eq!(f.iter().filter(|f| f.rule_id == "AUD006").count(), 30);
    assert_eq!(ev.users.iter().next().map(String::as_str), Some("mallory"));
    assert!(ev.audit_ids.len() <= Options::default().max_evidence);
}

#[test]
fn malformed_lines_are_counted_with_line_numbers_and_never_fatal() {
    let text = format!(
        "{}\nnot json\n{{\"hello\":1}}\n\n{}\n",
        event(1, "kube-system"),
        event(2, "kube-system")
    );
    let e = run(text.as_bytes());
    assert_eq!(e.stats().events, 2);
    assert_eq!(e.stats().malformed, 2);
    let lines: Vec<u64> = e.malformed().iter().map(|m| m.line).collect();
    assert_eq!(lines, [2, 3]);
}

#[test]
fn cloudwatch_cli_subscription_and_gzip_inputs_are_recognised() {
    let one = event(1, "kube-system");
    let two = event(2, "kube-system");
    let msg = |s: &str| serde_json::to_string(s).expect("string");
    // `aws logs filter-log-events` output: pretty-printed.
    let cli = format!(
        "{{\n  \"events\": [\n    {{\"logStreamName\": \"kube-apiserver-audit-1\", \"timestamp\": 1, \"message\": {}}},\n    {{\"message\": {}}}\n  ],\n  \"searchedLogStreams\": []\n}}\n",
        msg(&one),
        msg(&two)
    );
    assert_eq!(run(cli.as_bytes()).stats().events, 2);
    // Subscription records, one a line.
    let sub = format!(
        "{{\"messageType\":\"DATA_MESSAGE\",\"logGroup\":\"/aws/eks/prod/cluster\",\"logEvents\":[{{\"id\":\"1\",\"timestamp\":1,\"message\":{}}},{{\"id\":\"2\",\"timestamp\":1,\"message\":{}}}]}}\n",
        msg(&one),
        msg(&two)
    );
    assert_eq!(run(sub.as_bytes()).stats().events, 2);
    // Gzip of JSON lines.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(format!("{one}\n{two}\n").as_bytes())
        .expect("gzip");
    let bytes = gz.finish().expect("gzip");
    let e = run(&bytes);
    assert_eq!(e.stats().events, 2);
    assert_eq!(e.stats().malformed, 0);
}

#[test]
fn an_oversized_line_is_rejected_and_reading_goes_on() {
    let big = format!("{{\"auditID\":\"{}\"}}", "x".repeat(10 * 1024 * 1024));
    let text = format!("{big}\n{}\n", event(1, "kube-system"));
    let e = run(text.as_bytes());
    assert_eq!(e.stats().oversized, 1);
    assert_eq!(e.stats().events, 1);
}

/// Kill at any checkpoint and resume from the state file: the result equals one uninterrupted
/// run (nothing lost, nothing counted twice). The CLI test does the same with `kill -9`.
#[test]
fn resuming_from_any_checkpoint_counts_every_event_once() {
    let text: String = (0..200)
        .map(|i| event_on(i, if i % 3 == 0 { "kube-system" } else { "shop" }, i % 7) + "\n")
        .collect();
    let whole = counts(&run(text.as_bytes()));
    let mut states: Vec<String> = Vec::new();
    let mut e = Engine::new(RULES, Options::default());
    detect::feed(
        &mut e,
        "input",
        text.as_bytes(),
        Feed {
            checkpoint_every: 17,
            ..Feed::default()
        },
        &mut |e| {
            states.push(serde_json::to_string(&e.state()).map_err(std::io::Error::other)?);
            Ok(())
        },
    )
    .expect("read");
    assert!(states.len() > 5);
    for saved in &states {
        let state: State = serde_json::from_str(saved).expect("state");
        let mut resumed = Engine::new(RULES, Options::default());
        resumed.restore(state).expect("restore");
        let offset = usize::try_from(resumed.position("input").offset).expect("offset");
        let rest = text.as_bytes().get(offset..).expect("offset in range");
        detect::feed(
            &mut resumed,
            "input",
            rest,
            Feed {
                resume: true,
                ..Feed::default()
            },
            &mut |_| Ok(()),
        )
        .expect("read");
        assert_eq!(counts(&resumed), whole);
        assert_eq!(resumed.stats().events, 200);
    }
    assert!(whole.iter().any(|(_, n)| *n > 1), "{whole:?}");
}

#[test]
fn memory_stays_bounded_however_many_identities_and_findings() {
    let opts = Options {
        max_findings: 50,
        max_identities: 40,
        ..Options::default()
    };
    let mut e = Engine::new(RULES, opts);
    for i in 0..2_000 {
        let line = event(i, "kube-system").replace("mallory", &format!("user-{i}"));
        e.process_line("input", i as u64 + 1, &line);
    }
    let state = e.state();
    assert!(state.aggregates.len() <= 50, "{}", state.aggregates.len());
    assert!(e.stats().findings_evicted > 0);
    assert!(state.shared.profiles.len() <= 40);
    assert!(state.shared.profiles.evicted > 0);
    assert!(state.shared.streams.len() <= 4096);
}

#[test]
fn secret_values_never_reach_findings() {
    let line = r#"{"auditID":"s1","verb":"create","user":{"username":"alice"},"objectRef":{"resource":"configmaps","namespace":"shop","name":"db"},"responseStatus":{"code":201},"requestObject":{"kind":"ConfigMap","data":{"db_password":"hunter2-very-secret"}},"requestReceivedTimestamp":"2026-11-20T10:00:00Z"}"#;
    let e = run(format!("{line}\n").as_bytes());
    let findings = e.findings();
    assert!(findings.iter().any(|f| f.rule_id == "AUD022"));
    let text = serde_json::to_string(&findings).expect("json")
        + &serde_json::to_string(&e.state()).expect("json");
    assert!(!text.contains("hunter2"), "a secret value leaked");
}
