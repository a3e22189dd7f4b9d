//! Adopting eksguard: eksguard.toml exceptions, --baseline in CI, compliance views.

use std::path::Path;
use std::process::{Command, Output};

fn eksguard(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eksguard"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        // Hermetic: a test never reads the developer's kubeconfig or reaches a cluster.
        .env("KUBECONFIG", "/nonexistent/eksguard-test-kubeconfig")
        .output()
        .expect("run eksguard")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}\n  automountServiceAccountToken: false\n  serviceAccountName: web\n  containers:\n  - name: web\n    image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n    securityContext: {privileged: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n";

#[test]
fn config_file_in_the_working_directory_is_read_and_checked() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("pod.yaml"), POD).expect("write");
    let scan = |args: &[&str]| {
        let mut a = vec!["scan", "pod.yaml", "--select", "POD001", "-f", "json"];
        a.extend_from_slice(args);
        eksguard(dir.path(), &a)
    };
    assert_eq!(scan(&[]).status.code(), Some(1), "privileged pod fails");

    std::fs::write(
        dir.path().join("eksguard.toml"),
        "[[exception]]\nrules = [\"CKV_K8S_16\"]\nnamespaces = [\"shop\"]\nreason = \"accepted until the CNI migration\"\nexpires = 2030-01-01\n",
    )
    .expect("write");
    let o = scan(&[]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["summary"]["suppressed"], 1);
    assert_eq!(v["suppressed"][0]["rule_id"], "POD001");
    assert_eq!(v["suppressed"][0]["suppressed_by"]["kind"], "exception");
    assert_eq!(v["suppressed"][0]["suppressed_by"]["line"], 1);

    // Past its expiry the exception is reported and the finding is back.
    let o = eksguard(
        dir.path(),
        &[
            "scan",
            "pod.yaml",
            "--select",
            "POD001",
            "--today",
            "2030-01-02",
        ],
    );
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(out.contains("Expired exceptions (1)"), "{out}");
    assert!(
        out.contains("eksguard.toml:1 [POD001] expired 2030-01-01"),
        "{out}"
    );

    // --no-config ignores it.
    assert_eq!(scan(&["--no-config"]).status.code(), Some(1));

    // An unknown rule in the file is an error naming the file and line.
    std::fs::write(
        dir.path().join("eksguard.toml"),
        "ignore = [\"TEN\"]\n[[exception]]\nrules = [\"POD404\"]\nreason = \"x\"\n",
    )
    .expect("write");
    let o = scan(&[]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("eksguard.toml:3: exception #1: no rule matches `POD404`"),
        "{err}"
    );
}

#[test]
fn baseline_lets_ci_fail_only_on_new_findings() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("pod.yaml"), POD).expect("write");
    let o = eksguard(
        dir.path(),
        &["scan", "pod.yaml", "-f", "json", "-o", "base.json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let o = eksguard(dir.path(), &["scan", "pod.yaml", "--baseline", "base.json"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("0 new,"), "{out}");
    assert!(out.contains("[in baseline]"), "{out}");

    // A new problem (host network) fails the run, and only it is new.
    std::fs::write(
        dir.path().join("pod.yaml"),
        POD.replace(
            "  automountServiceAccountToken",
            "  hostNetwork: true\n  automountServiceAccountToken",
        ),
    )
    .expect("write");
    let o = eksguard(
        dir.path(),
        &["scan", "pod.yaml", "--baseline", "base.json", "-f", "json"],
    );
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["baseline"]["new"], 1, "{out}");
    let new: Vec<&str> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["baseline"] == "new")
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    assert_eq!(new, ["POD002"]);

    let o = eksguard(dir.path(), &["scan", "pod.yaml", "--baseline", "pod.yaml"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("pod.yaml"), "{err}");
}

#[test]
fn framework_views_in_table_and_json() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("pod.yaml"), POD).expect("write");
    let o = eksguard(
        dir.path(),
        &[
            "scan",
            "pod.yaml",
            "--framework",
            "cis-eks-1.8",
            "-f",
            "json",
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let controls = v["controls"].as_array().expect("controls");
    assert_eq!(controls.len(), 50);
    let status = |id: &str| {
        controls
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["status"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(status("4.2.1").as_deref(), Some("fail"));
    assert_eq!(status("4.2.4").as_deref(), Some("pass"));
    assert_eq!(status("5.4.2").as_deref(), Some("not_evaluated"));
    assert_eq!(status("3.1.1").as_deref(), Some("manual"));

    let o = eksguard(
        dir.path(),
        &["scan", "pod.yaml", "--framework", "eks-best-practices"],
    );
    let (out, _) = text(&o);
    assert!(out.contains("pod-security"), "{out}");
    assert!(out.contains("Summary:"), "{out}");

    let o = eksguard(dir.path(), &["scan", "pod.yaml", "--framework", "nist"]);
    assert_eq!(o.status.code(), Some(2));
    let o = eksguard(
        dir.path(),
        &[
            "scan",
            "pod.yaml",
            "--framework",
            "cis-eks-1.8",
            "-f",
            "sarif",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}
