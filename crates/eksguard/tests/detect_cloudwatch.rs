//! `eksguard detect --cloudwatch` end to end against moto's real server (PyPI `moto[server]`)
//! on a free 127.0.0.1 port, seeded through boto3: audit events read from the
//! `kube-apiserver-audit-*` streams of a log group, and a second run with the same `--state`
//! reading only what was added since (none lost, none counted twice). Nothing leaves this
//! machine: the endpoint, credentials and config files all point at the test's own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

mod common;

use common::moto::{Moto, aws_env, start_moto};

/// Put `events` (stream, timestamp in ms, message) into the log group `/aws/eks/shop/cluster`,
/// creating the group and streams as needed.
fn put(moto: &Moto, home: &Path, events: &[(&str, i64, String)]) {
    let spec: Vec<serde_json::Value> = events
        .iter()
        .map(|(s, t, m)| serde_json::json!({"stream": s, "timestamp": t, "message": m}))
        .collect();
    let spec_path = home.join("events.json");
    std::fs::write(&spec_path, serde_json::to_string(&spec).expect("json")).expect("write");
    let script = r#"
import json, sys, boto3
logs = boto3.client("logs", region_name="eu-west-1")
group = "/aws/eks/shop/cluster"
if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
    logs.create_log_group(logGroupName=group)
events = json.load(open(sys.argv[1]))
existing = {s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]}
by_stream = {}
for e in events:
    by_stream.setdefault(e["stream"], []).append({"timestamp": e["timestamp"], "message": e["message"]})
for stream, evs in by_stream.items():
    if stream not in existing:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    r = logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=evs)
    assert not r.get("rejectedLogEventsInfo"), r
"#;
    let mut cmd = Command::new(common::moto::python());
    cmd.arg("-c").arg(script).arg(&spec_path);
    aws_env(&mut cmd, moto, home);
    let out = cmd.output().expect("run python3");
    assert!(
        out.status.success(),
        "seeding moto failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn eksguard(moto: &Moto, home: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eksguard"));
    cmd.args(args).current_dir(home);
    aws_env(&mut cmd, moto, home);
    cmd.output().expect("run eksguard")
}

fn fixture(rel: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../resources/fixtures/aud")
        .join(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .trim()
        .to_string()
}

/// The exec into a kube-system pod of the fixtures, under another audit ID.
fn exec_in_kube_system(id: &str) -> String {
    fixture("exec-in-kube-system-pod/fire-exec-coredns.jsonl")
        .replace("00000000-0000-4000-8000-000000000017", id)
}

/// An ordinary, non-streaming request (counted once per event, never deduplicated).
fn list_pods(id: &str) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/pods","verb":"list","user":{{"username":"bob","groups":["system:authenticated"]}},"sourceIPs":["10.0.1.6"],"userAgent":"kubectl/v1.31.0","objectRef":{{"resource":"pods","namespace":"shop","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":200}},"requestReceivedTimestamp":"2026-11-20T10:00:00.000000Z","stageTimestamp":"2026-11-20T10:00:00.000000Z"}}"#
    )
}

/// (events counted, AUD006 count, AUD006 audit IDs) of a JSON report.
fn summary(out: &Output) -> (u64, u64, Vec<String>) {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "json report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let events = v["summary"]["objects"].as_u64().expect("objects");
    let mut count = 0;
    let mut ids = Vec::new();
    for f in v["findings"].as_array().expect("findings") {
        if f["rule_id"] == "AUD006" {
            count += f["evidence"]["count"].as_u64().expect("count");
            ids.extend(
                f["evidence"]["audit_ids"]
                    .as_array()
                    .expect("ids")
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string)),
            );
        }
    }
    ids.sort();
    (events, count, ids)
}

/// Lines read and duplicate stages skipped, from the state file.
fn state_stats(path: &Path) -> (u64, u64) {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("state")).expect("json");
    (
        v["stats"]["lines"].as_u64().expect("lines"),
        v["stats"]["duplicate_stages"].as_u64().expect("duplicates"),
    )
}

#[test]
fn cloudwatch_audit_streams_resume_exactly_from_the_state() {
    let Some(moto) = start_moto() else {
        return;
    };
    let home = tempfile::tempdir().expect("tmp");
    let dir = home.path();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .expect("clock");
    let t = now - 60_000;
    let (sa, sb, sc) = (
        "kube-apiserver-audit-aaaa",
        "kube-apiserver-audit-bbbb",
        "kube-apiserver-audit-cccc",
    );
    put(
        &moto,
        dir,
        &[
            (sa, t, exec_in_kube_system("exec-1")),
            (sa, t, list_pods("list-1")),
            (sb, t, list_pods("list-2")),
            (sb, t + 10, list_pods("list-3")),
            // Not an audit stream: never read.
            ("authenticator-aaaa", t, exec_in_kube_system("exec-x")),
        ],
    );
    let args = [
        "detect",
        "--cloudwatch",
        "--cluster",
        "shop",
        "--region",
        "eu-west-1",
        "--state",
        "detect.state",
        "-f",
        "json",
    ];
    let first = eksguard(&moto, dir, &args);
    assert_eq!(
        first.status.code(),
        Some(1),
        "a finding expected: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(summary(&first), (4, 1, vec!["exec-1".to_string()]));
    assert_eq!(state_stats(&dir.join("detect.state")), (4, 0));

    // More events: one at the very timestamp the checkpoint of stream a stopped at, one later
    // in stream b, and a new stream.
    put(
        &moto,
        dir,
        &[
            (sa, t, exec_in_kube_system("exec-2")),
            (sa, t + 5, list_pods("list-4")),
            (sb, t + 20, exec_in_kube_system("exec-3")),
            (sc, t + 30, list_pods("list-5")),
        ],
    );
    let second = eksguard(&moto, dir, &args);
    assert_eq!(second.status.code(), Some(1));
    assert_eq!(
        summary(&second),
        (
            8,
            3,
            vec![
                "exec-1".to_string(),
                "exec-2".to_string(),
                "exec-3".to_string()
            ]
        )
    );
    // Every event read exactly once: 8 lines, no stage seen twice.
    assert_eq!(state_stats(&dir.join("detect.state")), (8, 0));

    // Nothing new: nothing read.
    let third = eksguard(&moto, dir, &args);
    assert_eq!(summary(&third).0, 8);
    assert_eq!(state_stats(&dir.join("detect.state")), (8, 0));

    // --log-group names the group directly.
    let direct = eksguard(
        &moto,
        dir,
        &[
            "detect",
            "--cloudwatch",
            "--log-group",
            "/aws/eks/shop/cluster",
            "-f",
            "json",
        ],
    );
    assert_eq!(summary(&direct).1, 3);
}

#[test]
fn cloudwatch_missing_group_is_a_clear_error() {
    let Some(moto) = start_moto() else {
        return;
    };
    let home = tempfile::tempdir().expect("tmp");
    let out = eksguard(
        &moto,
        home.path(),
        &["detect", "--cloudwatch", "--cluster", "nope", "-f", "json"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("/aws/eks/nope/cluster does not exist"),
        "{stderr}"
    );

    // Neither --log-group nor --cluster.
    let out = eksguard(&moto, home.path(), &["detect", "--cloudwatch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--log-group"));
}

#[test]
fn cloudwatch_follow_reports_events_put_later() {
    use std::io::{BufRead, BufReader};
    let Some(moto) = start_moto() else {
        return;
    };
    let home = tempfile::tempdir().expect("tmp");
    let dir = home.path();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .expect("clock");
    let stream = "kube-apiserver-audit-ffff";
    put(
        &moto,
        dir,
        &[(stream, now - 5000, exec_in_kube_system("f-1"))],
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eksguard"));
    cmd.args([
        "detect",
        "--cloudwatch",
        "--cluster",
        "shop",
        "--follow",
        "--state",
        "follow.state",
        "--checkpoint-every",
        "1",
        "-f",
        "jsonl",
    ])
    .current_dir(dir)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    aws_env(&mut cmd, &moto, dir);
    let mut child = cmd.spawn().expect("run eksguard");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let count_of = |line: &str| -> Option<u64> {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        (v["rule_id"] == "AUD006").then(|| v["evidence"]["count"].as_u64())?
    };
    let wait_for = |n: u64| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
                && count_of(&line) == Some(n)
            {
                return true;
            }
        }
        false
    };
    let first = wait_for(1);
    if first {
        put(
            &moto,
            dir,
            &[(stream, now - 4000, exec_in_kube_system("f-2"))],
        );
    }
    let second = first && wait_for(2);
    let _ = child.kill();
    let _ = child.wait();
    assert!(first, "the first exec was not reported");
    assert!(second, "the exec put while following was not reported");
}

/// Issue 13: a message read live is held to the same rules as a line: a byte-order mark is
/// ignored, and a malformed message is reported by stream and order without quoting a value.
#[test]
fn cloudwatch_bad_messages_lose_only_themselves_and_quote_no_value() {
    let Some(moto) = start_moto() else {
        return;
    };
    let home = tempfile::tempdir().expect("tmp");
    let dir = home.path();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .expect("clock");
    let t = now - 60_000;
    let stream = "kube-apiserver-audit-aaaa";
    let secret = "hunter2-live-s3cr3t";
    put(
        &moto,
        dir,
        &[
            (
                stream,
                t,
                format!("\u{feff}{}", exec_in_kube_system("exec-1")),
            ),
            (
                stream,
                t + 1,
                list_pods("list-1").replace("\"code\":200", &format!("\"code\":\"{secret}\"")),
            ),
            (stream, t + 2, list_pods("list-2")),
        ],
    );
    let out = eksguard(
        &moto,
        dir,
        &[
            "detect",
            "--cloudwatch",
            "--cluster",
            "shop",
            "--region",
            "eu-west-1",
            "-f",
            "json",
        ],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(summary(&out), (2, 1, vec!["exec-1".to_string()]), "{err}");
    assert!(
        err.contains(&format!(
            "cloudwatch:/aws/eks/shop/cluster:{stream}:2: not an audit event: field `responseStatus.code`: expected u16, found a string"
        )),
        "{err}"
    );
    assert!(!err.contains(secret), "a value was quoted: {err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
}
