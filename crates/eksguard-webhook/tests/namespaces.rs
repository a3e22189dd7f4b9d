//! The namespace watch against a local API server: list, then watch events (modified, added,
//! deleted) keep the cache current; the reviewer picks the modes up from it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Query;
use axum::routing::get;
use eksguard_webhook::namespaces::{self, NamespaceCache};
use eksguard_webhook::review::Namespaces;
use futures::StreamExt as _;
use serde_json::json;

fn ns(name: &str, rv: &str, labels: &serde_json::Value) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "Namespace",
           "metadata": {"name": name, "resourceVersion": rv, "labels": labels}})
}

async fn api(Query(q): Query<BTreeMap<String, String>>) -> axum::response::Response {
    if q.get("watch").is_some_and(|w| w == "true" || w == "1") {
        let events = [
            json!({"type": "MODIFIED", "object": ns("shop", "11", &json!({"eksguard.io/enforce": "high"}))}),
            json!({"type": "ADDED", "object": ns("team-x", "12", &json!({"eksguard.io/audit": "low"}))}),
            json!({"type": "DELETED", "object": ns("old", "13", &json!({}))}),
        ];
        let lines: Vec<Result<String, std::io::Error>> =
            events.iter().map(|e| Ok(format!("{e}\n"))).collect();
        // The events, then the watch stays open, as the API server's does.
        let stream = futures::stream::iter(lines).chain(futures::stream::pending());
        return axum::response::Response::builder()
            .header("content-type", "application/json")
            .body(Body::from_stream(stream))
            .unwrap_or_default();
    }
    let list = json!({
        "apiVersion": "v1", "kind": "NamespaceList", "metadata": {"resourceVersion": "10"},
        "items": [
            ns("shop", "5", &json!({"eksguard.io/warn": "low"})),
            ns("old", "6", &json!({})),
        ]
    });
    axum::response::Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(list.to_string()))
        .unwrap_or_default()
}

fn labels(cache: &NamespaceCache, name: &str) -> Option<Vec<(String, String)>> {
    cache
        .labels(name)
        .map(|l| l.into_iter().collect::<Vec<_>>())
}

async fn until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < Duration::from_secs(20), "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_keeps_namespace_labels_current() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().route("/api/v1/namespaces", get(api));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let dir = tempfile::tempdir().expect("tmp");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: local\nclusters:\n- name: local\n  cluster:\n    server: http://{addr}\ncontexts:\n- name: local\n  context:\n    cluster: local\n    user: u\nusers:\n- name: u\n  user:\n    token: t\n"
        ),
    )
    .expect("kubeconfig");
    let client = namespaces::client(Some(&kubeconfig), None)
        .await
        .expect("client");
    let cache = Arc::new(NamespaceCache::default());
    let problems = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    {
        let (cache, problems) = (cache.clone(), problems.clone());
        tokio::spawn(async move {
            namespaces::watch(client, cache, move |m| {
                problems
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(m.to_string());
            })
            .await;
        });
    }
    until("the first list", || cache.synced()).await;
    // The watch's events land after the list.
    until("shop relabelled to enforce", || {
        labels(&cache, "shop") == Some(vec![("eksguard.io/enforce".into(), "high".into())])
    })
    .await;
    until("team-x added", || labels(&cache, "team-x").is_some()).await;
    until("old deleted", || labels(&cache, "old").is_none()).await;
    assert_eq!(cache.len(), 2);
    assert!(labels(&cache, "unknown").is_none());
    let problems = problems
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    assert!(problems.is_empty(), "{problems:?}");
}
