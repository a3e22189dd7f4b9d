//! `eksguard netpol reach`: verdicts, exit codes, JSON, and errors.

mod common;

use common::cli::{eksguard, stdout};

use common::cli::stderr;

const CLUSTER: &str = r"
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: 'web:1'}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: 'db:1', ports: [{name: sql, containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop}
spec: {containers: [{name: debug, image: 'debug:1'}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-to-db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: sql}]}]
";

fn cluster() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("cluster.yaml");
    std::fs::write(&f, CLUSTER).expect("write");
    let p = f.to_str().expect("utf8").to_string();
    (dir, p)
}

#[test]
fn allowed_exits_0_and_names_the_allowing_policy() {
    let (_d, p) = cluster();
    let o = eksguard(&[
        "netpol",
        "reach",
        "shop/web",
        "StatefulSet/shop/db",
        "--port",
        "5432",
        &p,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ALLOWED"), "{out}");
    assert!(out.contains("allowed by shop/web-to-db"), "{out}");
}

#[test]
fn denied_exits_1_with_the_selecting_policies() {
    let (_d, p) = cluster();
    // The named port `sql` is 5432, not 5433.
    let o = eksguard(&[
        "netpol",
        "reach",
        "shop/web",
        "statefulset/shop/db",
        "--port",
        "5433/TCP",
        &p,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("DENIED"), "{out}");
    assert!(out.contains("shop/deny-all"), "{out}");
}

#[test]
fn json_verdict() {
    let (_d, p) = cluster();
    let o = eksguard(&[
        "netpol",
        "reach",
        "StatefulSet/shop/db",
        "shop/web",
        "-f",
        "json",
        &p,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["allowed"], false);
    assert_eq!(v["egress"]["isolated"], false);
    assert_eq!(v["ingress"]["selected_by"][0]["name"], "deny-all");
    assert!(v["engine"]["enforced"].is_null());
}

#[test]
fn ambiguous_and_unknown_workloads_are_usage_errors() {
    let (_d, p) = cluster();
    let o = eksguard(&["netpol", "reach", "shop/web", "shop/db", &p]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ambiguous"), "{}", stderr(&o));
    let o = eksguard(&["netpol", "reach", "shop/web", "shop/nope", &p]);
    assert_eq!(o.status.code(), Some(2));
    let o = eksguard(&["netpol", "reach", "web", "shop/db", &p]);
    assert_eq!(o.status.code(), Some(2));
    let o = eksguard(&[
        "netpol",
        "reach",
        "shop/web",
        "pod/shop/db",
        "--port",
        "http/tcp",
        &p,
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn demo_and_help() {
    let o = eksguard(&[
        "netpol",
        "reach",
        "--demo",
        "storefront/storefront-web",
        "payments/payments-api",
        "--port",
        "8443",
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("payments/default-deny-all"),
        "{}",
        stdout(&o)
    );
    let h = eksguard(&["netpol", "reach", "--help"]);
    let text = stdout(&h);
    assert!(text.contains("Exit codes: 0 allowed; 1 denied"), "{text}");
    assert!(
        text.contains("eksguard netpol reach shop/web shop/db --port 5432"),
        "{text}"
    );
}
