//! A local stand-in for the Kubernetes API server: serves answers a test supplies and records
//! every request (path, query, Accept header), so tests can assert what eksguard asked for.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub query: String,
    pub accept: String,
    pub authorization: String,
}

/// Answers a request: (HTTP status, JSON body).
pub type Responder = Arc<dyn Fn(&Recorded) -> (u16, String) + Send + Sync>;

struct Srv {
    responder: Responder,
    log: Arc<Mutex<Vec<Recorded>>>,
}

async fn handle(State(s): State<Arc<Srv>>, req: Request) -> Response {
    let header_of = |h: header::HeaderName| {
        req.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let rec = Recorded {
        path: req.uri().path().to_string(),
        query: req.uri().query().unwrap_or_default().to_string(),
        accept: header_of(header::ACCEPT),
        authorization: header_of(header::AUTHORIZATION),
    };
    let (code, body) = if rec.authorization == "Bearer test-token" {
        (s.responder)(&rec)
    } else {
        (401, status(401, "Unauthorized", "Unauthorized"))
    };
    if let Ok(mut log) = s.log.lock() {
        log.push(rec);
    }
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Start the server on a free 127.0.0.1 port.
pub async fn serve(responder: Responder) -> (SocketAddr, Arc<Mutex<Vec<Recorded>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let srv = Arc::new(Srv {
        responder,
        log: log.clone(),
    });
    let app = axum::Router::new().fallback(handle).with_state(srv);
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("bind 127.0.0.1:0: {e}"),
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => panic!("local address: {e}"),
    };
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, log)
}

/// A `metav1.Status` error body.
pub fn status(code: u16, reason: &str, message: &str) -> String {
    serde_json::json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code
    })
    .to_string()
}

/// A kubeconfig for the server, with an EKS-style context name and token auth.
pub fn kubeconfig(dir: &Path, addr: SocketAddr) -> PathBuf {
    let text = format!(
        "apiVersion: v1
kind: Config
current-context: arn:aws:eks:us-east-1:111122223333:cluster/demo
clusters:
- name: demo
  cluster:
    server: http://{addr}
contexts:
- name: arn:aws:eks:us-east-1:111122223333:cluster/demo
  context:
    cluster: demo
    user: tester
users:
- name: tester
  user:
    token: test-token
"
    );
    let path = dir.join("kubeconfig");
    if let Err(e) = std::fs::write(&path, text) {
        panic!("write kubeconfig: {e}");
    }
    path
}
