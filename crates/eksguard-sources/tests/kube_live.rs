//! The live Kubernetes source against a local API server that serves recorded responses.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use common::kube_server::{self, Recorded, Responder};
use eksguard_core::inventory::{Input, LoadOptions};
use eksguard_sources::kube::{KubeOptions, METADATA_ACCEPT, gather};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/kube/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const PODS_CONTINUE: &str = "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ+/==";

fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| decode(v))
    })
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn responder() -> Responder {
    let throttled = Arc::new(AtomicU32::new(0));
    Arc::new(move |r: &Recorded| {
        let cont = query_value(&r.query, "continue");
        let metadata = r.accept == METADATA_ACCEPT;
        let ok = |name: &str| (200, data(name));
        match r.path.as_str() {
            "/apis" => ok("apis.json"),
            "/api/v1/namespaces" => ok("namespaces.json"),
            "/api/v1/pods" => match cont.as_deref() {
                None => ok("pods-1.json"),
                Some(PODS_CONTINUE) => ok("pods-2.json"),
                Some(_) => (
                    410,
                    kube_server::status(410, "Expired", "continue token expired"),
                ),
            },
            "/api/v1/serviceaccounts" => {
                // Throttled once, then answered: the source retries.
                if throttled.fetch_add(1, Ordering::SeqCst) == 0 {
                    (
                        429,
                        kube_server::status(429, "TooManyRequests", "slow down"),
                    )
                } else {
                    ok("serviceaccounts.json")
                }
            }
            "/api/v1/configmaps" => ok("configmaps.json"),
            "/api/v1/secrets" if !metadata => (
                500,
                kube_server::status(500, "Test", "secret values were requested"),
            ),
            "/api/v1/secrets" => {
                if query_value(&r.query, "fieldSelector").as_deref()
                    == Some("type=kubernetes.io/service-account-token")
                {
                    ok("secrets-tokens.json")
                } else {
                    ok("secrets.json")
                }
            }
            "/api/v1/nodes" if metadata => ok("nodes.json"),
            p if p.starts_with("/api/v1/nodes/") && p.ends_with("/proxy/configz") => {
                ok("configz.json")
            }
            "/apis/apps/v1/deployments" => ok("deployments.json"),
            "/apis/apps/v1/daemonsets" => ok("daemonsets.json"),
            "/apis/rbac.authorization.k8s.io/v1/roles" => (403, data("roles-forbidden.json")),
            "/apis/rbac.authorization.k8s.io/v1/clusterroles" => ok("clusterroles.json"),
            "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings" => {
                ok("clusterrolebindings.json")
            }
            "/apis/networking.k8s.io/v1/networkpolicies" => ok("networkpolicies.json"),
            "/apis/karpenter.k8s.aws/v1/ec2nodeclasses" => ok("ec2nodeclasses.json"),
            // Istio's group is served, its PeerAuthentication resource is not.
            "/apis/security.istio.io/v1/peerauthentications" => {
                (404, "404 page not found".to_string())
            }
            p if p.starts_with("/api/v1/") || p.starts_with("/apis/") => {
                let known = [
                    "/apis/apps/",
                    "/apis/batch/",
                    "/apis/rbac.authorization.k8s.io/",
                    "/apis/networking.k8s.io/",
                    "/apis/storage.k8s.io/",
                    "/api/v1/",
                ];
                if known.iter().any(|k| p.starts_with(k)) {
                    (
                        200,
                        r#"{"kind":"List","apiVersion":"v1","metadata":{},"items":[]}"#.into(),
                    )
                } else {
                    (
                        404,
                        kube_server::status(
                            404,
                            "NotFound",
                            "the server could not find the requested resource",
                        ),
                    )
                }
            }
            _ => (404, kube_server::status(404, "NotFound", "not found")),
        }
    })
}

async fn run(
    kubelet: bool,
) -> (
    eksguard_sources::Gathered,
    eksguard_sources::kube::ClusterHint,
    Vec<Recorded>,
) {
    run_with(responder(), kubelet).await
}

async fn run_with(
    responder: Responder,
    kubelet: bool,
) -> (
    eksguard_sources::Gathered,
    eksguard_sources::kube::ClusterHint,
    Vec<Recorded>,
) {
    let (addr, log) = kube_server::serve(responder).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let opts = KubeOptions {
        kubeconfig: Some(kube_server::kubeconfig(dir.path(), addr)),
        page_size: 2,
        kubelet_configz: kubelet,
        ..KubeOptions::default()
    };
    let (g, hint) = gather(&opts)
        .await
        .unwrap_or_else(|e| panic!("gather: {e}"));
    let log = log.lock().map(|l| l.clone()).unwrap_or_default();
    (g, hint, log)
}

#[tokio::test]
async fn live_cluster_loads_into_the_inventory() {
    let (g, hint, log) = run(false).await;
    assert_eq!(hint.cluster_name.as_deref(), Some("demo"));
    assert_eq!(hint.region.as_deref(), Some("us-east-1"));
    assert_eq!(hint.account.as_deref(), Some("111122223333"));
    assert!(hint.server.starts_with("http://127.0.0.1:"));

    let inv = g.load("", &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
    let kinds = |k: &str| inv.workloads.iter().filter(|w| w.res.kind == k).count();
    assert_eq!(kinds("Pod"), 4, "both pages of pods");
    assert_eq!(kinds("Deployment"), 1);
    assert_eq!(kinds("DaemonSet"), 1);
    assert_eq!(inv.namespaces.len(), 3);
    assert_eq!(inv.service_accounts.len(), 4);
    assert_eq!(inv.config_maps.len(), 1);
    assert_eq!(inv.cluster_roles.len(), 2);
    assert_eq!(inv.cluster_role_bindings.len(), 1);
    assert_eq!(inv.roles.len(), 0);
    assert_eq!(inv.secrets.len(), 2);
    assert_eq!(
        inv.other
            .iter()
            .filter(|o| o.res.kind == "EC2NodeClass")
            .count(),
        1
    );
    for input in [
        Input::Workloads,
        Input::ClusterWorkloads,
        Input::Namespaces,
        Input::ServiceAccounts,
        Input::AwsAuth,
        Input::Secrets,
        Input::Roles,
        Input::RoleBindings,
        Input::NetworkPolicies,
        Input::KarpenterNodeClasses,
        Input::StorageClasses,
    ] {
        assert!(
            inv.has(input),
            "{input:?} present: {:?} {:?}",
            g.unavailable,
            g.documents.iter().map(|d| &d.path).collect::<Vec<_>>()
        );
    }
    assert!(!inv.has(Input::SecretKeys));
    assert!(!inv.has(Input::MeshPolicies));

    // Secrets: metadata only, legacy token type kept, values (even in annotations) gone.
    let token = inv.secrets.iter().find(|s| s.res.name == "ci-token");
    assert_eq!(
        token.and_then(|s| s.type_.as_deref()),
        Some("kubernetes.io/service-account-token")
    );
    let all: String = g.documents.iter().map(|d| d.text.as_str()).collect();
    assert!(!all.contains("aHVudGVyMg=="), "a secret value leaked");
    assert!(!all.contains("managedFields"));
    assert!(!all.contains("\"Running\""), "workload status is not kept");
    for r in log.iter().filter(|r| r.path.ends_with("/secrets")) {
        assert_eq!(
            r.accept, METADATA_ACCEPT,
            "secrets requested as {}",
            r.accept
        );
    }
    assert_eq!(
        log.iter().filter(|r| r.path.ends_with("/secrets")).count(),
        2
    );

    // The 403 kind, with who was refused and what grants it.
    let roles = g.unavailable.iter().find(|u| u.input == Input::Roles);
    let reason = roles.map(|u| u.reason.as_str()).unwrap_or_default();
    assert!(
        reason.contains("cannot list roles.rbac.authorization.k8s.io: forbidden for arn:aws:sts::111122223333:assumed-role/auditor/me (RBAC)")
            && reason.contains("eksguard-reader"),
        "{reason}"
    );
    let secret_keys = g.unavailable.iter().find(|u| u.input == Input::SecretKeys);
    assert!(secret_keys.is_some_and(|u| u.reason.contains("never read")));
    assert!(
        g.unavailable
            .iter()
            .any(|u| u.input == Input::KubeletConfigs && u.reason.contains("--kubelet-config"))
    );
    // Absent custom resources are notes, not failures.
    for kind in [
        "SecurityGroupPolicy",
        "GlobalNetworkPolicy",
        "PeerAuthentication",
    ] {
        assert!(
            g.notes
                .iter()
                .any(|n| n.starts_with(kind) && n.contains("not served")),
            "{kind}: {:?}",
            g.notes
        );
    }
    assert!(!g.unavailable.iter().any(|u| u.input == Input::MeshPolicies));
    assert!(
        !log.iter().any(|r| r.path.contains("vpcresources")),
        "absent group not requested"
    );

    // Requests per kind: pagination followed, throttling retried, one list per kind.
    let n = |k: &str| g.requests.get(k).copied().unwrap_or_default();
    assert_eq!(n("GET v1 pods"), 2);
    assert_eq!(n("GET v1 serviceaccounts"), 2);
    assert_eq!(n("GET apps/v1 deployments"), 1);
    assert_eq!(n("GET /apis (discovery)"), 1);
    assert_eq!(n("GET v1 secrets (metadata)"), 1);
    assert_eq!(
        n("GET v1 secrets (metadata, type=service-account-token)"),
        1
    );
    assert!(
        !log.iter().any(|r| r.path.contains("/namespaces/")),
        "no per-namespace requests"
    );
    let pods: Vec<&Recorded> = log.iter().filter(|r| r.path == "/api/v1/pods").collect();
    assert_eq!(
        query_value(&pods[1].query, "continue").as_deref(),
        Some(PODS_CONTINUE)
    );
    assert!(
        pods.iter()
            .all(|r| query_value(&r.query, "limit").as_deref() == Some("2"))
    );

    // Documents are the List JSON the loader reads, one per page.
    let paths: Vec<&str> = g.documents.iter().map(|d| d.path.as_str()).collect();
    assert!(paths.contains(&"kubernetes/v1.pods.json"));
    assert!(paths.contains(&"kubernetes/v1.pods.2.json"));
    assert!(paths.contains(&"kubernetes/apps.v1.deployments.json"));
}

#[tokio::test]
async fn an_expired_continue_token_restarts_the_list_once() {
    let inner = responder();
    let expired = Arc::new(AtomicU32::new(0));
    let wrapped: Responder = Arc::new(move |r: &Recorded| {
        let second_page = r.path == "/api/v1/pods"
            && query_value(&r.query, "continue").as_deref() == Some(PODS_CONTINUE);
        if second_page && expired.fetch_add(1, Ordering::SeqCst) == 0 {
            return (
                410,
                kube_server::status(410, "Expired", "too old resource version"),
            );
        }
        inner(r)
    });
    let (g, _, _) = run_with(wrapped, false).await;
    let inv = g.load("", &LoadOptions::default());
    let pods = inv.workloads.iter().filter(|w| w.res.kind == "Pod").count();
    assert_eq!(pods, 4, "pages of the abandoned attempt are not kept");
    assert_eq!(g.requests.get("GET v1 pods"), Some(&4));
    assert!(!g.unavailable.iter().any(|u| u.input == Input::Workloads));
}

#[tokio::test]
async fn kubelet_configuration_is_read_per_node_when_asked() {
    let (g, _, log) = run(true).await;
    let inv = g.load("", &LoadOptions::default());
    assert!(inv.has(Input::KubeletConfigs));
    let mut nodes: Vec<&str> = inv
        .kubelet_configs
        .iter()
        .map(|k| k.res.name.as_str())
        .collect();
    nodes.sort_unstable();
    assert_eq!(
        nodes,
        ["ip-10-0-1-10.ec2.internal", "ip-10-0-2-20.ec2.internal"]
    );
    assert_eq!(g.requests.get("GET v1 nodes/proxy configz"), Some(&2));
    assert!(
        log.iter()
            .filter(|r| r.path == "/api/v1/nodes")
            .all(|r| r.accept == METADATA_ACCEPT)
    );
    assert!(
        !g.unavailable
            .iter()
            .any(|u| u.input == Input::KubeletConfigs)
    );
}

#[tokio::test]
async fn a_missing_context_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let addr = "127.0.0.1:9".parse().unwrap_or_else(|e| panic!("{e}"));
    let opts = KubeOptions {
        kubeconfig: Some(kube_server::kubeconfig(dir.path(), addr)),
        context: Some("nope".into()),
        ..KubeOptions::default()
    };
    let err = gather(&opts).await.err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("the kubeconfig has no context \"nope\"")
    );
    let opts = KubeOptions {
        kubeconfig: Some(dir.path().join("absent")),
        ..KubeOptions::default()
    };
    let err = gather(&opts)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.starts_with("cannot read a kubeconfig"), "{err}");
}

/// The findings of a report, without file locations (a live scan and a scan of its snapshot
/// name different paths for the same documents).
fn findings_of(inv: &eksguard_core::Inventory) -> Vec<(String, String, String)> {
    let report = eksguard_core::engine::run(inv, eksguard_core::rules::RULES, "test");
    let mut out: Vec<(String, String, String)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.to_string(),
                f.resource.to_string(),
                f.message.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_snapshot_scans_to_the_same_findings_as_the_live_read() {
    let (g, _hint, _log) = run(false).await;
    let live = g.load("live:", &LoadOptions::default());
    let live_findings = findings_of(&live);
    assert!(
        !live_findings.is_empty(),
        "the recorded cluster has problems"
    );

    let dir = tempfile::tempdir().expect("tmp");
    let written = g.write_snapshot(dir.path(), "test").expect("snapshot");
    assert_eq!(written, g.documents.len() + 1, "documents and the manifest");
    // Read the folder back exactly as `eksguard scan DIR` does: every file through the loader.
    let mut snap = eksguard_core::Inventory::default();
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).expect("dir").flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = std::fs::read_to_string(&path).expect("utf8");
                snap.extend(eksguard_core::inventory::load_text(
                    &path.display().to_string(),
                    &text,
                    &LoadOptions::default(),
                ));
            }
        }
    }
    snap.drop_controlled_workloads();
    assert!(snap.errors.is_empty(), "{:?}", snap.errors);
    assert!(snap.skipped.is_empty(), "{:?}", snap.skipped);
    assert_eq!(findings_of(&snap), live_findings);
    // What the live read could not read stays not evaluated, with the same reason.
    assert_eq!(snap.unavailable, live.unavailable);
}
