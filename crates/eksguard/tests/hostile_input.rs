//! Issue 13, end to end: secret values never leave eksguard (whatever the verb and the format,
//! however malformed the object that holds them), and inputs that are not regular files are
//! never read (a FIFO would block the scan forever).

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::cli::{command, eksguard, stderr, stdout};

/// Recognisable secret values. Each one sits where a careless error message or a report
/// would quote it.
const MARKERS: [&str; 8] = [
    "EKSG-SECRET-STRINGDATA",
    "EKSG-SECRET-DATA-LIST",
    "EKSG-SECRET-APPLIED",
    "EKSG-SECRET-GOOD",
    "EKSG-SECRET-ENV-MAP",
    "EKSG-SECRET-CM",
    "31415926535",
    "27182818284",
];

/// Secrets malformed in every way a type error reports, a well-formed Secret applied with
/// `kubectl apply` (its values copied into the last-applied annotation), a numeric password in
/// an env var and in a ConfigMap, and one workload the rules fire on (so every report format
/// has findings to render).
const LEAKY: &str = r#"apiVersion: v1
kind: Secret
metadata:
  name: string-data-is-a-string
  namespace: shop
stringData: "EKSG-SECRET-STRINGDATA"
---
apiVersion: v1
kind: Secret
metadata:
  name: data-is-a-list
  namespace: shop
data: ["EKSG-SECRET-DATA-LIST"]
---
apiVersion: v1
kind: Secret
metadata:
  name: applied
  namespace: shop
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Secret","metadata":{"name":"applied","namespace":"shop"},"stringData":{"password":"EKSG-SECRET-APPLIED"}}
stringData:
  password: EKSG-SECRET-GOOD
  pin: 27182818284
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  db-password: 31415926535
  other: {nested: EKSG-SECRET-CM}
---
apiVersion: v1
kind: Pod
metadata:
  name: env-number
  namespace: shop
spec:
  containers:
    - name: app
      image: nginx
      env:
        - name: DB_PASSWORD
          value: 31415926535
---
apiVersion: v1
kind: Pod
metadata:
  name: env-mapping
  namespace: shop
spec:
  containers:
    - name: app
      image: nginx
      env:
        - name: API_TOKEN
          value: {token: EKSG-SECRET-ENV-MAP}
---
apiVersion: v1
kind: Pod
metadata:
  name: privileged
  namespace: shop
spec:
  containers:
    - name: app
      image: nginx
      securityContext: {privileged: true}
"#;

/// A policy that puts everything it is given about Secrets into its finding: if a value
/// reached the policy input, it reaches the report.
const TELLTALE_POLICY: &str = r#"# METADATA
# title: Telltale
# custom:
#   id: LEAK001
#   severity: high
#   remediation: None; this policy only shows what policies are given.
#   kinds: [Secret]
package eksguard.telltale

deny contains {"id": "LEAK001", "msg": sprintf("secret as the policy sees it: %s", [json.marshal(input.object)])} if {
	input.object.kind == "Secret"
}
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

fn assert_no_secret(what: &str, out: &Output) {
    for text in [stdout(out), stderr(out)] {
        for m in MARKERS {
            assert!(
                !text.contains(m),
                "{what}: the secret value {m} leaked:\n{text}"
            );
        }
    }
}

#[test]
fn secret_values_never_leave_any_verb_or_format() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "leaky.yaml", LEAKY);
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).expect("mkdir");
    write(&policies, "telltale.rego", TELLTALE_POLICY);
    let policies = policies.display().to_string();

    let mut runs: Vec<(String, Vec<&str>)> = Vec::new();
    for format in ["table", "json", "sarif"] {
        runs.push((
            format!("scan --format {format}"),
            vec!["scan", &file, "--no-config", "--format", format],
        ));
    }
    runs.push((
        "scan --policy".into(),
        vec![
            "scan",
            &file,
            "--no-config",
            "--format",
            "json",
            "--policy",
            &policies,
        ],
    ));
    runs.push((
        "scan --framework".into(),
        vec![
            "scan",
            &file,
            "--no-config",
            "--framework",
            "eks-best-practices",
        ],
    ));
    for format in ["table", "json"] {
        runs.push((
            format!("pss --format {format}"),
            vec!["pss", &file, "--level", "restricted", "--format", format],
        ));
    }
    runs.push((
        "pss --suggest".into(),
        vec!["pss", "--suggest", &file, "--format", "json"],
    ));
    runs.push((
        "rbac who-can".into(),
        vec!["rbac", "who-can", "get", "secrets", "-n", "shop", &file],
    ));
    runs.push((
        "netpol reach".into(),
        vec![
            "netpol",
            "reach",
            "shop/privileged",
            "shop/env-number",
            &file,
        ],
    ));

    let mut errors_seen = 0;
    for (what, args) in &runs {
        let out = eksguard(args);
        assert_no_secret(what, &out);
        let all = format!("{}{}", stdout(&out), stderr(&out));
        // The malformed objects are reported (by field and type), not dropped in silence.
        if all.contains("string-data-is-a-string") && all.contains("stringData") {
            errors_seen += 1;
        }
    }
    assert!(
        errors_seen >= 3,
        "the malformed Secret must be reported as an error by the scans"
    );

    // The error names the field, what was expected and what was found.
    let out = eksguard(&["scan", &file, "--no-config", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let errors = report["errors"].to_string();
    assert!(
        errors.contains("field `stringData`") && errors.contains("found a string"),
        "{errors}"
    );
    assert!(
        errors.contains("DB_PASSWORD") || errors.contains("env[0].value"),
        "the env var error names its field: {errors}"
    );
    assert!(errors.contains("found a number"), "{errors}");

    // The well-formed Secret reached the policy, with its keys and without values.
    let out = eksguard(&[
        "scan",
        &file,
        "--no-config",
        "--format",
        "json",
        "--policy",
        &policies,
        "--select",
        "LEAK001",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("secret as the policy sees it") && text.contains("password"),
        "{text}\n{}",
        stderr(&out)
    );
    assert!(!text.contains("last-applied-configuration"), "{text}");
}

/// Run eksguard, killing it if it has not finished within `limit` (a FIFO used to block the
/// scan forever: the test must fail, not hang).
fn run_bounded(args: &[&str], limit: Duration) -> Option<Output> {
    let mut child = command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return Some(child.wait_with_output().expect("output"));
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo")
        .arg(p)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo {}", p.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_is_never_read() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers:\n    - {name: web, image: nginx, securityContext: {privileged: true}}\n",
    );
    let fifo = dir.path().join("stream.yaml");
    mkfifo(&fifo);
    let folder = dir.path().display().to_string();
    let fifo = fifo.display().to_string();

    // In a folder: skipped, said so, and the rest is scanned.
    let out = run_bounded(
        &["scan", &folder, "--no-config", "--format", "json"],
        Duration::from_secs(60),
    )
    .expect("scan of a folder with a FIFO in it must not block");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let skipped = report["skipped_inputs"].to_string();
    assert!(
        skipped.contains("stream.yaml") && skipped.contains("FIFO"),
        "{skipped}"
    );
    assert!(
        report["findings"].as_array().is_some_and(|f| f
            .iter()
            .any(|f| f["rule_id"] == "POD001" || f.to_string().contains("privileged"))),
        "the pod beside the FIFO is still scanned: {}",
        stdout(&out)
    );

    // Named on the command line: an input error (exit 2) naming it, never a quiet pass.
    let out = run_bounded(&["scan", &fifo, "--no-config"], Duration::from_secs(60))
        .expect("scan of a FIFO must not block");
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("stream.yaml") && all.contains("FIFO"), "{all}");

    // pss reads through the same loader.
    let out = run_bounded(
        &["pss", &folder, "--level", "baseline"],
        Duration::from_secs(60),
    )
    .expect("pss of a folder with a FIFO in it must not block");
    assert!(stdout(&out).contains("web"), "{}", stdout(&out));
}
