//! `eksguard rbac who-can`, end to end: the demo, a fixture, the resource forms, JSON, errors.

use std::process::{Command, Output};

mod common;

use common::cli::{eksguard, root, stdout};

fn json(o: &Output) -> serde_json::Value {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("json")
}

const FIXTURE: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {kind: Group, name: team-a-devs}
- {kind: ServiceAccount, name: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cm-patcher}
rules:
- {apiGroups: [""], resources: [configmaps], resourceNames: [aws-auth], verbs: [patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: iam-admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cm-patcher}
subjects:
- {kind: User, name: iam-admin}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: dangling}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: gone}
subjects:
- {kind: User, name: bob}
"#;

fn fixture() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("rbac.yaml");
    std::fs::write(&f, FIXTURE).expect("write");
    let p = f.to_str().expect("utf8").to_string();
    (dir, p)
}

#[test]
fn demo_table_names_subject_binding_role_and_scope() {
    let o = eksguard(&["rbac", "who-can", "create", "pods/exec", "--demo"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("Who can create pods/exec (any namespace, and cluster-wide):"));
    assert!(out.contains("SUBJECT"), "{out}");
    let dev = out
        .lines()
        .find(|l| l.starts_with("shop:developers"))
        .expect("developers row");
    assert!(dev.contains("Group"), "{dev}");
    assert!(dev.contains("RoleBinding storefront/developers"), "{dev}");
    assert!(dev.contains("ClusterRole shop-developer"), "{dev}");
    assert!(dev.contains("namespace storefront"), "{dev}");
    let masters = out
        .lines()
        .find(|l| l.starts_with("system:masters"))
        .expect("masters row");
    assert!(masters.ends_with("default"), "{masters}");
}

#[test]
fn namespace_filter_keeps_cluster_wide_grants_and_that_namespace() {
    let v = json(&eksguard(&[
        "rbac",
        "who-can",
        "get",
        "secrets",
        "-n",
        "analytics",
        "--demo",
        "-f",
        "json",
    ]));
    let bindings: Vec<&str> = v["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .filter_map(|g| g["binding"]["name"].as_str())
        .collect();
    assert!(
        bindings.contains(&"report-exporter-operator"),
        "{bindings:?}"
    );
    assert!(
        bindings.contains(&"jenkins-deployers-admin"),
        "{bindings:?}"
    );
    // The developers' RoleBinding is in storefront.
    assert!(!bindings.contains(&"developers"), "{bindings:?}");
}

#[test]
fn resource_forms_agree() {
    let (_dir, path) = fixture();
    let exec_path = stdout(&eksguard(&[
        "rbac",
        "who-can",
        "create",
        "pods/exec",
        &path,
        "-f",
        "json",
    ]));
    let exec_flag = stdout(&eksguard(&[
        "rbac",
        "who-can",
        "create",
        "pods",
        "--subresource",
        "exec",
        &path,
        "-f",
        "json",
    ]));
    assert_eq!(exec_path, exec_flag);
    let short = json(&eksguard(&[
        "rbac",
        "who-can",
        "create",
        "deployments",
        &path,
        "-f",
        "json",
    ]));
    let full = json(&eksguard(&[
        "rbac",
        "who-can",
        "create",
        "deployments.apps",
        &path,
        "-f",
        "json",
    ]));
    assert_eq!(short["grants"], full["grants"]);
    assert_eq!(full["query"]["resource"], "deployments.apps");
    let grants = full["grants"].as_array().expect("grants");
    assert_eq!(grants.len(), 2, "{full}");
    assert_eq!(grants[0]["role"]["name"], "edit");
    assert_eq!(grants[0]["builtin_role"], true);
    assert_eq!(
        grants[0]["aggregated_from"]["name"],
        "system:aggregate-to-edit"
    );
    assert_eq!(grants[0]["scope"]["namespace"], "team-a");
    // The service account without a namespace is in the binding's.
    assert!(
        grants
            .iter()
            .any(|g| g["subject"]["kind"] == "ServiceAccount"
                && g["subject"]["namespace"] == "team-a")
    );
}

#[test]
fn resource_names_and_unresolved_bindings_are_shown() {
    let (_d, p) = fixture();
    let o = eksguard(&[
        "rbac",
        "who-can",
        "patch",
        "configmaps",
        "-n",
        "kube-system",
        &p,
    ]);
    let out = stdout(&o);
    let row = out
        .lines()
        .find(|l| l.starts_with("iam-admin"))
        .expect("iam-admin row");
    assert!(row.contains("only aws-auth"), "{row}");
    assert!(
        out.contains("1 binding(s) refer to a role the input does not have"),
        "{out}"
    );
    assert!(
        out.contains("ClusterRoleBinding dangling → ClusterRole gone"),
        "{out}"
    );
    let v = json(&eksguard(&[
        "rbac",
        "who-can",
        "patch",
        "configmaps",
        "-n",
        "kube-system",
        "--name",
        "coredns",
        &p,
        "-f",
        "json",
    ]));
    assert_eq!(v["grants"].as_array().map(Vec::len), Some(0), "{v}");
    assert_eq!(v["unresolved"][0]["binding"]["name"], "dangling");
}

#[test]
fn nobody_is_an_answer_not_an_error() {
    let (_d, p) = fixture();
    let o = eksguard(&["rbac", "who-can", "escalate", "clusterroles", &p]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("No subject in the input can."));
}

#[test]
fn usage_errors_exit_2() {
    // No paths: the live cluster, and without a kubeconfig that is a clear usage error.
    let o = Command::new(env!("CARGO_BIN_EXE_eksguard"))
        .args(["rbac", "who-can", "get", "pods"])
        .env("KUBECONFIG", root().join("no-such-kubeconfig"))
        .output()
        .expect("run eksguard");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot read a kubeconfig") && err.contains("--demo"),
        "{err}"
    );
    let o = eksguard(&["rbac", "who-can", "get", "pods/exec/x", "--demo"]);
    assert_eq!(o.status.code(), Some(2));
    let o = eksguard(&[
        "rbac",
        "who-can",
        "get",
        "pods/exec",
        "--subresource",
        "log",
        "--demo",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn help_teaches_with_examples() {
    let o = eksguard(&["rbac", "who-can", "--help"]);
    let out = stdout(&o);
    assert!(out.contains("Examples:"), "{out}");
    assert!(
        out.contains("eksguard rbac who-can create pods/exec --demo"),
        "{out}"
    );
    assert!(out.contains("deployments.apps"), "{out}");
}
