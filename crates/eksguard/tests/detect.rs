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

/// The audit IDs behind each finding's count, from a JSON report.
fn events_counted(report: &[u8]) -> u64 {
    let v: serde_json::Value = serde_json::from_slice(report).expect("json report");
    v["summary"]["objects"].as_u64().expect("events")
}

fn append(path: &Path, lines: impl IntoIterator<Item = String>) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open");
    for l in lines {
        writeln!(f, "{l}").expect("append");
    }
}

#[test]
fn state_follows_a_rotated_file_by_inode() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("audit.log");
    let state = dir.path().join("detect.state");
    let (log_s, state_s) = (log.to_str().expect("utf-8"), state.to_str().expect("utf-8"));
    let run = || eksguard(&["detect", log_s, "-f", "json", "--state", state_s]);

    append(&log, (0..3).map(|i| event(i, "shop", i)));
    assert_eq!(events_counted(&run().stdout), 3);
    // The writer adds two lines, then the log rotates (renamed, like logrotate or the
    // kube-apiserver's own rotation) and a new file starts with two more.
    append(&log, (3..5).map(|i| event(i, "shop", i)));
    std::fs::rename(&log, dir.path().join("audit-2026-11-20T10-00-00.000.log")).expect("rotate");
    append(&log, (5..7).map(|i| event(i, "shop", i)));
    // All seven, each once: the rest of the old file, then the new one from its start (which is
    // shorter than the old offset, and would otherwise be mistaken for nothing new).
    assert_eq!(events_counted(&run().stdout), 7);
    assert_eq!(events_counted(&run().stdout), 7);

    // Rotated away and deleted: the loss is said, not silent; the new file is read.
    append(&log, (7..9).map(|i| event(i, "shop", i)));
    let old = dir.path().join("audit.log.1");
    std::fs::rename(&log, &old).expect("rotate");
    // The new file is made before the old one is deleted, so that it cannot get the old one's
    // inode back (the file system reuses a freed inode at once): with the old inode, the new
    // file would look like the old one truncated, and this test would flake.
    append(&log, (9..10).map(|i| event(i, "shop", i)));
    std::fs::remove_file(&old).expect("delete");
    let out = run();
    assert_eq!(events_counted(&out.stdout), 8);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("was rotated") && err.contains("were not read"),
        "{err}"
    );
}

#[test]
fn follow_reads_the_end_of_a_rotated_file_then_the_new_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("audit.log");
    append(&log, [event(1, "kube-system", 1)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_eksguard"))
        .args(["detect", "--follow", "-f", "jsonl", "--select", "AUD006"])
        .args(["--poll-interval", "0.05", "--checkpoint-every", "1"])
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
    let count_of = |line: &str| -> u64 {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        v["evidence"]["count"].as_u64().expect("count")
    };
    let first = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("first finding");
    assert_eq!(count_of(&first), 1);
    // The writer's last line before the rotation, then the rotation: renamed and at once
    // deleted (as when the rotated file is compressed). Only the handle the follower keeps
    // open can still read that line.
    append(&log, [event(2, "kube-system", 1)]);
    let rotated = dir.path().join("audit.log.1");
    std::fs::rename(&log, &rotated).expect("rotate");
    std::fs::remove_file(&rotated).expect("delete");
    append(&log, [event(3, "kube-system", 1)]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = 1;
    while last < 3 && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            last = count_of(&line);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        last, 3,
        "both the old file's last line and the new file's were read"
    );
}

#[test]
fn eksguard_toml_exceptions_and_severities_apply_to_detect() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("audit.jsonl");
    append(&log, (0..4).map(|i| event(i, "kube-system", 1)));
    append(&log, (4..6).map(|i| event(i, "shop", 1)));
    let config = dir.path().join("eksguard.toml");
    let run = |toml: &str, format: &str| {
        std::fs::write(&config, toml).expect("config");
        eksguard(&[
            "detect",
            log.to_str().expect("utf-8"),
            "-f",
            format,
            "--config",
            config.to_str().expect("utf-8"),
            "--today",
            "2026-11-23",
            "--select",
            "AUD006",
        ])
    };

    let excepted = r#"
[severity]
AUD006 = "low"

[[exception]]
rules = ["AUD006"]
namespaces = ["kube-system"]
reason = "break-glass drill, ticket OPS-42"
expires = 2026-12-31
"#;
    let out = run(excepted, "json");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["summary"]["findings"], 0, "{v:#}");
    assert_eq!(v["summary"]["suppressed"], 1);
    let s = &v["suppressed"][0];
    assert_eq!(s["rule_id"], "AUD006");
    assert_eq!(s["severity"], "low", "the override applies");
    assert_eq!(s["evidence"]["count"], 4);
    assert_eq!(s["reason"], "break-glass drill, ticket OPS-42");
    assert_eq!(out.status.code(), Some(0), "nothing left to fail on");
    let table = run(excepted, "table");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("1 suppressed by eksguard.toml exceptions"),
        "{text}"
    );

    // Expired: it hides nothing and says so.
    let out = run(&excepted.replace("2026-12-31", "2026-11-01"), "json");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["summary"]["findings"], 1);
    assert_eq!(v["findings"][0]["severity"], "low");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("expired on 2026-11-01"), "{err}");
    assert_eq!(out.status.code(), Some(1));

    // An unknown rule in the file is an error, as for scan.
    let out = run(
        "[[exception]]\nrules = [\"AUD999\"]\nreason = \"x\"\n",
        "json",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AUD999"));
}

/// `aws logs filter-log-events` output as the AWS CLI prints it, one record per message.
fn cloudwatch_export(messages: &[serde_json::Value]) -> String {
    let events: Vec<serde_json::Value> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            serde_json::json!({
                "logStreamName": "kube-apiserver-audit-0123456789abcdef",
                "timestamp": 1_763_632_800_000_i64 + i64::try_from(i).expect("small"),
                "message": m,
            })
        })
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({"events": events, "searchedLogStreams": []}))
        .expect("json")
        + "\n"
}

/// Issue 13: one record whose `message` is not a string, or one longer than the line limit,
/// lost the whole export (0 events, exit 0, and the long one named the document limit).
#[test]
fn a_cloudwatch_export_is_read_record_by_record_and_a_broken_one_exits_2() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("export.json");
    let huge = format!("{{\"auditID\":\"{}\"}}", "h".repeat(1536 * 1024));
    let text = cloudwatch_export(&[
        event(1, "kube-system", 1).into(),
        serde_json::json!(31_337),
        huge.into(),
        event(4, "kube-system", 4).into(),
    ]);
    std::fs::write(&path, &text).expect("write");
    let p = path.to_str().expect("utf-8");
    let o = eksguard(&[
        "detect",
        p,
        "-f",
        "json",
        "--max-line-size",
        "1",
        "--select",
        "AUD006",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(1),
        "findings, no unreadable input: {err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(v["summary"]["objects"], 2, "{err}");
    assert_eq!(v["summary"]["findings"], 2);
    let line_of = |needle: &str| {
        text[..text.find(needle).expect("needle")]
            .matches('\n')
            .count()
            + 1
    };
    let bad = line_of("31337");
    assert!(err.contains(&format!("{p}:{bad}: events[1]: ")), "{err}");
    assert!(
        err.contains(": events[2]: record of ")
            && err.contains("longer than the limit of 1048576 bytes (--max-line-size)"),
        "{err}"
    );
    assert!(!err.contains("31337"), "a value was quoted: {err}");
    let errors = v["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{errors:?}");

    // Cut inside the last record (a CLI run that was killed): what came before is read, and the
    // input is reported unreadable from that line, with exit 2.
    let cut = text.rfind("coredns-4").expect("last record");
    std::fs::write(&path, &text[..cut]).expect("write");
    let o = eksguard(&[
        "detect",
        p,
        "-f",
        "json",
        "--max-line-size",
        "1",
        "--select",
        "AUD006",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(v["summary"]["objects"], 1, "{err}");
    let last = text[..cut].matches('\n').count() + 1;
    assert!(
        err.contains(&format!("{p}:{last}: cannot read past this line")),
        "{err}"
    );
    let errors = v["errors"].as_array().expect("errors");
    assert!(
        errors.iter().any(|e| e["path"] == p && e["line"] == last),
        "{errors:?}"
    );
}

/// Issue 13: a UTF-8 byte-order mark on the first line lost the first event.
#[test]
fn a_byte_order_mark_on_standard_input_loses_no_event() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_eksguard"))
        .args(["detect", "-", "-f", "json", "--select", "AUD006"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let input = format!(
        "\u{feff}{}\n{}\n",
        event(1, "kube-system", 1),
        event(2, "kube-system", 2)
    );
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(
        v["summary"]["objects"],
        2,
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(v["summary"]["errors"], 0);
}

/// Wait until `path` holds at least `n` lines; its lines.
fn wait_for_lines(path: &Path, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let lines: Vec<String> = std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        if lines.len() >= n || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `(pod, count)` of each AUD006 finding line of `--follow -f jsonl` output.
fn exec_findings(lines: &[String]) -> Vec<(String, u64)> {
    lines
        .iter()
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a finding line ({e}): {l}"));
            (
                v["resource"]["name"].as_str().expect("name").to_string(),
                v["evidence"]["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

/// Issue 13: `detect --follow -o FILE` emptied the file on restart, so findings written before a
/// crash that did not grow afterwards were gone. The restart now keeps them, cuts off what was
/// written after the last checkpoint (written again as its events are read again), and appends.
#[test]
fn follow_output_file_keeps_what_was_written_before_a_restart() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("audit.log");
    let state = dir.path().join("detect.state");
    let out = dir.path().join("findings.jsonl");
    append(&log, (1..=3).map(|i| event(i, "kube-system", i)));
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_eksguard"))
            .args(["detect", "--follow", "-f", "jsonl", "--select", "AUD006"])
            .args(["--poll-interval", "0.05", "--checkpoint-every", "1"])
            .arg("--state")
            .arg(&state)
            .arg("-o")
            .arg(&out)
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn")
    };
    let mut child = start();
    let first = wait_for_lines(&out, 3);
    // The checkpoint after the last of them is written after the output: wait for it.
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let saved = std::fs::read_to_string(&state).unwrap_or_default();
        if saved.contains(&format!(
            "\"len\":{}",
            first.iter().map(|l| l.len() + 1).sum::<usize>()
        )) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill -9");
    let _ = child.wait();
    assert_eq!(
        exec_findings(&first),
        [
            ("coredns-1".to_string(), 1),
            ("coredns-2".to_string(), 1),
            ("coredns-3".to_string(), 1)
        ]
    );
    // As if the crash came between writing a finding and the checkpoint that accounts for it:
    // that finding is written again after the restart, so this copy must go.
    append(
        &out,
        [r#"{"written":"after the last checkpoint"}"#.to_string()],
    );

    let mut child = start();
    append(
        &log,
        [event(4, "kube-system", 4), event(5, "kube-system", 1)],
    );
    wait_for_lines(&out, 5);
    std::thread::sleep(Duration::from_millis(300));
    child.kill().expect("kill -9");
    let _ = child.wait();
    let lines: Vec<String> = std::fs::read_to_string(&out)
        .expect("output")
        .lines()
        .map(str::to_string)
        .collect();
    let mut got = exec_findings(&lines);
    got.sort();
    assert_eq!(
        got,
        [
            ("coredns-1".to_string(), 1),
            ("coredns-1".to_string(), 2),
            ("coredns-2".to_string(), 1),
            ("coredns-3".to_string(), 1),
            ("coredns-4".to_string(), 1)
        ],
        "earlier findings kept, nothing doubled: {lines:#?}"
    );
}

/// `-o /dev/stdout` (a pipe here) with `--follow --state`: a pipe is neither cut nor synced.
#[cfg(unix)]
#[test]
fn follow_output_to_a_pipe_resumes_without_error() {
    use std::io::Read as _;
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("audit.log");
    let state = dir.path().join("detect.state");
    append(&log, [event(1, "kube-system", 1)]);
    for run in 0..2 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_eksguard"))
            .args(["detect", "--follow", "-f", "jsonl", "--select", "AUD006"])
            .args(["--poll-interval", "0.05", "--checkpoint-every", "1"])
            .arg("--state")
            .arg(&state)
            .args(["-o", "/dev/stdout"])
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        append(&log, [event(10 + run, "kube-system", 10 + run)]);
        let got = rx.recv_timeout(Duration::from_secs(30));
        let _ = child.kill();
        let mut err = String::new();
        let _ = child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut err);
        let _ = child.wait();
        assert!(got.is_ok(), "run {run}: no finding; stderr: {err}");
        assert!(err.is_empty(), "run {run}: {err}");
    }
}
