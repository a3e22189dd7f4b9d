//! `eksguard detect` end to end: exit codes, formats, `--follow`, and `--state` surviving
//! `kill -9`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("root")
}

fn eksguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eksguard"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run eksguard")
}

fn event(i: usize, ns: &str, pod: usize) -> String {
    format!(
        r#"{{"kind":"Event","auditID":"id-{i}","stage":"ResponseComplete","verb":"create","user":{{"username":"mallory","groups":["system:authenticated"]}},"sourceIPs":["10.0.0.{}"],"userAgent":"kubectl","objectRef":{{"resource":"pods","namespace":"{ns}","name":"coredns-{pod}","subresource":"exec"}},"responseStatus":{{"code":101}},"requestReceivedTimestamp":"2026-11-20T10:{:02}:{:02}Z"}}"#,
        i % 250,
        i / 60 % 60,
        i % 60
    )
}

/// Findings as `(rule, message) -> count`, from JSON lines.
fn counts(jsonl: &[u8]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = String::from_utf8_lossy(jsonl)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            (
                format!("{} {}", v["rule_id"], v["message"]),
                v["evidence"]["count"].as_u64().expect("count"),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn exit_codes_formats_and_help() {
    let fire = "resources/fixtures/aud/exec-in-kube-system-pod/fire-exec-coredns.jsonl";
    let ok = "resources/fixtures/aud/exec-in-kube-system-pod/ok-exec-app.jsonl";
    let o = eksguard(&["detect", fire, "--select", "AUD006"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("AUD006 exec-in-kube-system-pod"), "{table}");
    assert!(table.contains("audit IDs: "), "{table}");
    let o = eksguard(&["detect", ok, "--select", "AUD006"]);
    assert_eq!(o.status.code(), Some(0));
    let o = eksguard(&["detect", fire, "--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(0));
    let o = eksguard(&["detect", fire, "-f", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(v["schema_version"], "1.0");
    assert!(v["findings"][0]["evidence"]["audit_ids"].is_array());
    let o = eksguard(&["detect", "no/such/file.jsonl"]);
    assert_eq!(o.status.code(), Some(2));
    let o = eksguard(&["detect", fire, "--select", "POD001"]);
    assert_eq!(o.status.code(), Some(2), "scan rules are not detectors");
    // --cloudwatch without a group fails before any request (reading CloudWatch itself is
    // tested against moto in detect_cloudwatch.rs; nothing here may reach AWS).
    let o = eksguard(&["detect", "--cloudwatch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--log-group /aws/eks/NAME/cluster"));
    let o = eksguard(&["detect", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(
        help.contains("Examples:")
            && help.contains("--follow --state")
            && help.contains("kube-apiserver-audit-* streams")
            && !help.contains("arrives with the AWS SDK"),
        "{help}"
    );
    let o = eksguard(&["explain", "Execution:Kubernetes/ExecInKubeSystemPod"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("AUD006"));
    let o = eksguard(&["scan", "--demo", "--select", "AUD006"]);
    assert_eq!(o.status.code(), Some(2), "scan never runs audit rules");
}

#[test]
fn state_survives_kill_9_without_losing_or_double_counting() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("audit.jsonl");
    let state = dir.path().join("detect.state");
    let n = 60_000;
    let mut text = String::with_capacity(n * 400);
    for i in 0..n {
        text.push_str(&event(
            i,
            if i % 3 == 0 { "kube-system" } else { "shop" },
            i % 11,
        ));
        text.push('\n');
    }
    std::fs::write(&log, &text).expect("write log");
    let log_s = log.to_str().expect("utf-8 path");
    let state_s = state.to_str().expect("utf-8 path");

    let whole = eksguard(&["detect", log_s, "-f", "jsonl"]);
    assert_eq!(whole.status.code(), Some(1));
    let expected = counts(&whole.stdout);
    assert!(expected.iter().any(|(_, c)| *c > 1000), "{expected:?}");

    // Kill -9 after the first checkpoint, mid-file.
    let mut child = Command::new(env!("CARGO_BIN_EXE_eksguard"))
        .args(["detect", log_s, "-f", "jsonl", "--state", state_s])
        .args(["--checkpoint-every", "500"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while !state.exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("kill -9"); // SIGKILL on Unix
    let _ = child.wait();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("state")).expect("json");
    let offset = saved["inputs"][log_s]["offset"].as_u64().expect("offset");
    assert!(offset > 0, "a checkpoint was written");
    let interrupted = offset < text.len() as u64;

    // Resume: the same command finishes the file from the checkpoint.
    let resumed = eksguard(&["detect", log_s, "-f", "jsonl", "--state", state_s]);
    assert_eq!(counts(&resumed.stdout), expected);
    // And running again adds nothing: every event was already counted.
    let again = eksguard(&["detect", log_s, "-f", "jsonl", "--state", state_s]);
    assert_eq!(counts(&again.stdout), expected);
    assert!(
        interrupted,
        "the run finished before it was killed; the test proved less than it should"
    );
}

#[test]
fn follow_reports_lines_appended_later() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("audit.jsonl");
    std::fs::write(&log, format!("{}\n", event(1, "shop", 1))).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_eksguard"))
        .args(["detect", "--follow", "-f", "jsonl", "--select", "AUD006"])
        .args(["--poll-interval", "0.05"])
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // A line written in two pieces is read once it is complete.
    let line = event(2, "kube-system", 2);
    let (a, b) = line.split_at(40);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("open");
    f.write_all(a.as_bytes()).expect("append");
    f.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(300));
    f.write_all(format!("{b}\n").as_bytes()).expect("append");
    f.flush().expect("flush");
    let got = rx.recv_timeout(Duration::from_secs(30));
    let _ = child.kill();
    let _ = child.wait();
    let got = got.expect("a finding while following");
    assert!(got.contains("\"AUD006\""), "{got}");
}
