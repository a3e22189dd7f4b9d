//! One resolver (issue 14 item 1), end to end: every form of a rule token works in `scan
//! --select/--ignore`, in `eksguard.toml`, in `explain` and in `detect --select`, and a token
//! that names another verb's rules says which verb runs them.

mod common;

use std::path::Path;

use common::cli::{eksguard, stderr, stdout};

/// Every form naming POD001 (privileged-container); the demo has privileged containers.
const POD001_FORMS: [&str; 8] = [
    "POD001",
    "pod001",
    "privileged-container",
    "CKV_K8S_16",
    "C-0057",
    "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
    "pod",
    "POD00",
];

/// Every form naming AUD010 (privileged-container-created).
const AUD010_FORMS: [&str; 5] = [
    "AUD010",
    "privileged-container-created",
    "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
    "aud",
    "AUD01",
];

fn rule_ids(out: &std::process::Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)));
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn every_form_selects_and_ignores_in_scan() {
    for form in POD001_FORMS {
        let out = eksguard(&[
            "scan",
            "--demo",
            "--no-config",
            "-f",
            "json",
            "--select",
            form,
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "--select {form}: {}",
            stderr(&out)
        );
        let ids = rule_ids(&out);
        assert!(ids.iter().any(|i| i == "POD001"), "--select {form}");
        assert!(
            !ids.iter().any(|i| i.starts_with("RBAC")),
            "--select {form}: {ids:?}"
        );

        let out = eksguard(&[
            "scan",
            "--demo",
            "--no-config",
            "-f",
            "json",
            "--ignore",
            form,
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "--ignore {form}: {}",
            stderr(&out)
        );
        let ids = rule_ids(&out);
        assert!(!ids.iter().any(|i| i == "POD001"), "--ignore {form}");
        assert!(
            ids.iter().any(|i| i == "RBAC001"),
            "--ignore {form} keeps the rest"
        );
    }
}

fn config(dir: &Path, text: &str) -> String {
    let p = dir.join("eksguard.toml");
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

#[test]
fn a_peer_id_in_the_configuration_no_longer_fails_the_scan() {
    let dir = tempfile::tempdir().expect("tmp");
    for form in POD001_FORMS {
        let file = config(dir.path(), &format!("ignore = [\"{form}\"]\n"));
        let out = eksguard(&["scan", "--demo", "--config", &file, "-f", "json"]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "ignore = [{form}]: {}",
            stderr(&out)
        );
        assert!(
            !rule_ids(&out).iter().any(|i| i == "POD001"),
            "ignore = [{form}]"
        );
    }
    // The file serves detect too: its audit entries do not break scan, and scan's do not
    // break detect.
    let file = config(
        dir.path(),
        "select = [\"AUD\"]\nignore = [\"CKV_K8S_16\", \"AUD010\"]\n",
    );
    let out = eksguard(&["scan", "--demo", "--config", &file, "-f", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let ids = rule_ids(&out);
    assert!(ids.iter().any(|i| i == "POD002") && !ids.iter().any(|i| i == "POD001"));
    let events = dir.path().join("audit.jsonl");
    std::fs::write(&events, "").expect("write");
    let out = eksguard(&["detect", &events.display().to_string(), "--config", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn every_form_works_in_explain_and_detect() {
    for form in POD001_FORMS {
        let out = eksguard(&["explain", form]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "explain {form}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).contains("POD001"), "explain {form}");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let events = dir.path().join("audit.jsonl");
    std::fs::write(&events, "").expect("write");
    let events = events.display().to_string();
    for form in AUD010_FORMS {
        let out = eksguard(&["detect", &events, "--no-config", "--select", form]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "detect --select {form}: {}",
            stderr(&out)
        );
        let out = eksguard(&["detect", &events, "--no-config", "--ignore", form]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "detect --ignore {form}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_token_of_another_verb_says_which_verb_runs_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let events = dir.path().join("audit.jsonl");
    std::fs::write(&events, "").expect("write");
    let out = eksguard(&[
        "detect",
        &events.display().to_string(),
        "--no-config",
        "--select",
        "POD001",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("eksguard scan"), "{}", stderr(&out));

    let out = eksguard(&["scan", "--demo", "--no-config", "--select", "AUD010"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("eksguard detect"), "{}", stderr(&out));

    let out = eksguard(&["scan", "--demo", "--no-config", "--select", "POD999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no rule matches `POD999`"),
        "{}",
        stderr(&out)
    );
}
