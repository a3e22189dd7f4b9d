//! The command line, end to end: exit codes, inputs, bad input, the catalog commands.

use std::io::Write;
use std::process::{Command, Stdio};

mod common;

use common::cli::{eksguard, stdout};

const GOOD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers:\n  - name: web\n    image: nginx:latest\n    securityContext: {privileged: true}\n";

#[test]
fn demo_embedded_equals_demo_folder() {
    let a = eksguard(&["scan", "--demo", "--format", "json"]);
    let b = eksguard(&["scan", "demo", "--format", "json"]);
    assert_eq!(
        a.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    assert_eq!(stdout(&a), stdout(&b));
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).expect("json");
    assert!(v["summary"]["findings"].as_u64().is_some_and(|n| n > 50));
}

#[test]
fn fail_on_threshold_sets_the_exit_code() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("p.yaml");
    std::fs::write(&f, "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers:\n  - {name: web, image: nginx:1.27}\n").expect("write");
    let p = f.to_str().expect("utf8");
    // Only low/medium findings on this pod: nothing at critical.
    assert_eq!(
        eksguard(&["scan", p, "--fail-on", "critical"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        eksguard(&["scan", p, "--fail-on", "low"]).status.code(),
        Some(1)
    );
    assert_eq!(
        eksguard(&["scan", p, "--select", "EKS"]).status.code(),
        Some(0)
    );
}

#[test]
fn stdin_and_output_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("r.sarif");
    let mut child = Command::new(env!("CARGO_BIN_EXE_eksguard"))
        .args([
            "scan",
            "-",
            "--format",
            "sarif",
            "--output",
            out.to_str().expect("utf8"),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(GOOD.as_bytes())
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).expect("report")).expect("json");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["ruleId"] == "POD001"));
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "-"
    );
}

/// Each kind of bad input is an error naming the file (and line where known), exit 2, and
/// the good file next to it is still scanned.
#[test]
fn bad_inputs_are_errors_and_the_rest_is_scanned() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(d.join("good.yaml"), GOOD).expect("write");
    std::fs::write(
        d.join("syntax.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: [broken\n",
    )
    .expect("write");
    std::fs::write(d.join("wrongtype.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    ports: [{containerPort: http}]\n").expect("write");
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        bomb += &[
            w[1], ": &", w[1], " [", &refs, "]
",
        ]
        .concat();
    }
    std::fs::write(d.join("bomb.yaml"), bomb).expect("write");
    std::fs::write(
        d.join("deep.json"),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .expect("write");
    // A 200 MB file (sparse: it costs no disk) must be refused without being read.
    let big = std::fs::File::create(d.join("big.yaml")).expect("create");
    big.set_len(200 * 1024 * 1024).expect("set_len");

    let o = eksguard(&["scan", d.to_str().expect("utf8"), "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let errors = v["errors"].as_array().expect("errors");
    let find = |name: &str| {
        errors
            .iter()
            .find(|e| e["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .unwrap_or_else(|| panic!("no error for {name}: {errors:?}"))
    };
    // The unclosed flow sequence opened on line 3 is detected at the end of the input.
    assert!(
        find("syntax.yaml")["line"]
            .as_u64()
            .is_some_and(|l| (3..=4).contains(&l))
    );
    assert_eq!(find("wrongtype.yaml")["line"], 7);
    assert!(
        find("wrongtype.yaml")["message"]
            .as_str()
            .is_some_and(|m| m.contains("containerPort"))
    );
    assert!(
        find("bomb.yaml")["message"]
            .as_str()
            .is_some_and(|m| m.contains("alias"))
    );
    assert!(
        find("deep.json")["message"]
            .as_str()
            .is_some_and(|m| m.contains("nesting") || m.contains("recursion"))
    );
    assert!(
        find("big.yaml")["message"]
            .as_str()
            .is_some_and(|m| m.contains("200 MiB"))
    );
    let findings = v["findings"].as_array().expect("findings");
    assert!(findings.iter().any(|f| {
        f["rule_id"] == "POD001"
            && f["location"]["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("good.yaml"))
    }));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        eksguard(&["scan", "demo", "--select", "NOPE999"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        eksguard(&["scan", "demo", "--format", "xml"]).status.code(),
        Some(2)
    );
    assert_eq!(eksguard(&["scan"]).status.code(), Some(2));
    let o = eksguard(&["scan", "does-not-exist.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("does-not-exist.yaml"));
}

#[test]
fn rules_and_explain() {
    let o = eksguard(&["rules", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v["rules"].as_array().is_some_and(|r| r.len() >= 40));

    let o = eksguard(&["explain", "CKV_K8S_16"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("# POD001 privileged-container"));
    let o = eksguard(&["explain", "privileged-container"]);
    assert!(stdout(&o).contains("## How to fix"));
    assert_eq!(eksguard(&["explain", "NOPE"]).status.code(), Some(2));
}

#[test]
fn skipped_documents_are_listed_with_their_path() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("values.yaml"), "replicaCount: 2\n").expect("write");
    std::fs::write(dir.path().join("notes.txt"), "hello\n").expect("write");
    let o = eksguard(&[
        "scan",
        dir.path().to_str().expect("utf8"),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let skipped = v["skipped_inputs"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped.iter().any(|s| {
        s["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("values.yaml"))
    }));
    // Nothing recognisable: every rule is not evaluated, nothing passed.
    assert_eq!(v["summary"]["rules_passed"], 0);
}

#[test]
fn pss_json_results_and_exit_codes() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("pods.yaml");
    std::fs::write(
        &f,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: a}\nspec:\n  hostPID: true\n  containers: [{name: c, image: i}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: good, namespace: a}\nspec:\n  containers: [{name: c, image: i}]\n",
    )
    .expect("write");
    let p = f.to_str().expect("utf8");
    let o = eksguard(&[
        "pss",
        p,
        "--level",
        "baseline",
        "--version",
        "v1.30",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let results = v["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    let bad = &results[0];
    for key in [
        "kind",
        "namespace",
        "name",
        "path",
        "start_line",
        "level",
        "version",
        "allowed",
        "violations",
    ] {
        assert!(bad.get(key).is_some(), "result lacks {key}");
    }
    assert_eq!(bad["version"], "v1.30");
    assert_eq!(bad["allowed"], false);
    assert_eq!(bad["violations"][0]["check"], "hostNamespaces");
    assert_eq!(bad["violations"][0]["reason"], "host namespaces");
    assert_eq!(bad["violations"][0]["detail"], "hostPID=true");
    assert_eq!(results[1]["allowed"], true);

    // The good pod alone passes baseline: exit 0.
    let good = dir.path().join("good.yaml");
    std::fs::write(&good, "apiVersion: v1\nkind: Pod\nmetadata: {name: good}\nspec:\n  containers: [{name: c, image: i}]\n").expect("write");
    assert_eq!(
        eksguard(&["pss", good.to_str().expect("utf8"), "--level", "baseline"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        eksguard(&["pss", p, "--level", "baseline", "--version", "1.30"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        eksguard(&["pss", p]).status.code(),
        Some(2),
        "--level is required without --suggest"
    );
}

#[test]
fn pss_suggest_names_strictest_level_and_blockers() {
    let o = eksguard(&["pss", "--suggest", "--demo", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let ns = v["namespaces"].as_array().expect("namespaces");
    let find = |n: &str| {
        ns.iter()
            .find(|x| x["namespace"] == n)
            .unwrap_or_else(|| panic!("no {n}"))
    };
    assert_eq!(find("payments")["strictest"], "restricted");
    assert_eq!(find("storefront")["strictest"], "baseline");
    assert!(
        find("storefront")["blockers"]
            .as_array()
            .is_some_and(|b| !b.is_empty())
    );
    assert!(
        find("storefront")["kubectl"]
            .as_str()
            .is_some_and(|k| k.contains("enforce=baseline"))
    );
}
