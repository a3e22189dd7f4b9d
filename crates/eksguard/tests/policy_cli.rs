//! `--policy DIR` end to end: Rego policy findings in the JSON, SARIF and table reports, exit
//! codes, suppressions and configuration naming policy ids, and bad policies.

mod common;

use std::path::Path;

use common::cli::{eksguard, stderr, stdout};

const MANIFESTS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app.kubernetes.io/name: web, owner: shop-team}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: web, owner: shop-team}
    spec:
      containers:
        - name: web
          image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4
        - name: proxy
          image: envoyproxy/envoy:v1.31
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: uploader
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: shop-uploader
    eksguard.io/ignore: ACME004
    eksguard.io/ignore-reason: the role is created by the next Terraform release
";

const COMPLIANT: &str = "\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: uploader
  namespace: shop
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/shop-uploader
";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

#[test]
fn policy_findings_join_the_report() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "shop.yaml", MANIFESTS);
    let out = eksguard(&[
        "scan",
        &file,
        "--policy",
        "examples/policies",
        "--select",
        "ACME",
        "--format",
        "json",
        "--no-config",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json(&out);
    let findings = v["findings"].as_array().expect("findings");
    let registry = findings
        .iter()
        .find(|f| f["rule_id"] == "ACME001")
        .unwrap_or_else(|| panic!("no ACME001 finding: {findings:#?}"));
    assert_eq!(registry["domain"], "policy");
    assert_eq!(registry["severity"], "high");
    assert_eq!(registry["rule_name"], "registry-not-allowed");
    assert_eq!(registry["resource"]["kind"], "Deployment");
    assert_eq!(registry["location"]["path"], file.as_str());
    assert_eq!(registry["location"]["start_line"], 17);
    assert_eq!(
        registry["location"]["field"],
        "spec.template.spec.containers[1].image"
    );
    assert!(
        registry["message"]
            .as_str()
            .is_some_and(|m| m.contains("envoyproxy/envoy:v1.31")),
        "{registry}"
    );
    // Only the selected (policy) rules ran.
    assert!(findings.iter().all(|f| f["domain"] == "policy"));
    // The annotation naming ACME004 suppressed the malformed role ARN, with its reason.
    let suppressed = v["suppressed"].as_array().expect("suppressed");
    assert_eq!(suppressed.len(), 1, "{suppressed:#?}");
    assert_eq!(suppressed[0]["rule_id"], "ACME004");
    assert!(v["errors"].as_array().is_some_and(Vec::is_empty), "{v}");

    // --fail-on: the policy findings are high at worst.
    let out = eksguard(&[
        "scan",
        &file,
        "--policy",
        "examples/policies",
        "--select",
        "ACME",
        "--fail-on",
        "critical",
        "--no-config",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.contains("Custom policies (POLICY)"), "{table}");
    assert!(table.contains("ACME001 registry-not-allowed"), "{table}");

    // SARIF describes the policy rules.
    let out = eksguard(&[
        "scan",
        &file,
        "--policy",
        "examples/policies",
        "--select",
        "ACME",
        "--format",
        "sarif",
        "--no-config",
    ]);
    let sarif = json(&out);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "ACME003"), "{rules:#?}");

    // A compliant object: exit 0.
    let ok = write(dir.path(), "ok.yaml", COMPLIANT);
    let out = eksguard(&[
        "scan",
        &ok,
        "--policy",
        "examples/policies",
        "--select",
        "ACME",
        "--no-config",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn policy_ids_are_known_to_the_configuration_only_with_the_policies() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "shop.yaml", MANIFESTS);
    let config = write(
        dir.path(),
        "eksguard.toml",
        "[severity]\nACME001 = \"critical\"\n\n[[exception]]\nrules = [\"image-outside-private-ecr\"]\nnamespaces = [\"shop\"]\nreason = \"envoy moves to ECR in Q3\"\n",
    );
    let out = eksguard(&[
        "scan",
        &file,
        "--policy",
        "examples/policies",
        "--select",
        "ACME",
        "--config",
        &config,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json(&out);
    let findings = v["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .any(|f| f["rule_id"] == "ACME001" && f["severity"] == "critical"),
        "{findings:#?}"
    );
    assert!(findings.iter().all(|f| f["rule_id"] != "ACME003"));
    assert!(
        v["suppressed"]
            .as_array()
            .is_some_and(|s| s.iter().any(|f| f["rule_id"] == "ACME003"))
    );
    // Without --policy, the same configuration names unknown rules: a usage error.
    let out = eksguard(&["scan", &file, "--config", &config]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no rule matches `ACME001`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_broken_policy_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "shop.yaml", COMPLIANT);
    let policy = write(
        dir.path(),
        "policies/bad.rego",
        "package eksguard.bad\n\ndeny contains msg if {\n  msg := input.object.kind +\n}\n",
    );
    let policies = dir.path().join("policies").display().to_string();
    let out = eksguard(&["scan", &file, "--policy", &policies, "--no-config"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains(&format!("  {policy}:4:")), "{err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_slow_policy_is_stopped_and_reported() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "shop.yaml", COMPLIANT);
    write(
        dir.path(),
        "policies/slow.rego",
        "package eksguard.slow\n\n# METADATA\n# title: Never finishes\n# custom:\n#   id: ACME900\n#   severity: low\n#   remediation: Do not write such policies.\ndeny contains \"never\" if {\n  some i in numbers.range(1, 100000)\n  some j in numbers.range(1, 100000)\n  i * j < 0\n}\n",
    );
    let policies = dir.path().join("policies").display().to_string();
    let out = eksguard(&[
        "scan",
        &file,
        "--policy",
        &policies,
        "--policy-budget",
        "20",
        "--select",
        "ACME",
        "--format",
        "json",
        "--no-config",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let v = json(&out);
    let errors = v["errors"].as_array().expect("errors");
    assert!(
        errors.iter().any(|e| e["message"].as_str().is_some_and(
            |m| m.contains("eksguard.slow") && m.contains("exceeded its time budget of 20 ms")
        )),
        "{errors:#?}"
    );
}

#[test]
fn rules_and_explain_know_loaded_policies() {
    let out = eksguard(&["rules", "--policy", "examples/policies"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("ACME002"), "{}", stdout(&out));
    let out = eksguard(&["rules", "--policy", "examples/policies", "--format", "json"]);
    let v = json(&out);
    assert!(v["rules"].as_array().is_some_and(|r| {
        r.iter()
            .any(|r| r["id"] == "ACME004" && r["domain"] == "policy")
    }));
    let out = eksguard(&[
        "explain",
        "malformed-irsa-role-arn",
        "--policy",
        "examples/policies",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("# ACME004 malformed-irsa-role-arn"),
        "{text}"
    );
    assert!(text.contains("irsa_role_arn.rego"), "{text}");
    assert_eq!(eksguard(&["explain", "ACME004"]).status.code(), Some(2));
}
