//! End to end: the server on 127.0.0.1 with certificates from `serve certs`, real AdmissionReview
//! JSON posted over TLS; limits, shedding, deadlines, metrics and certificate reload.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use eksguard_core::config::{AdmissionMode, Config};
use eksguard_core::rule::{Finding, Severity};
use eksguard_webhook::review::{NoNamespaces, PolicyEngine, Reviewer, Settings};
use eksguard_webhook::server::{self, AppState, Limits, Log, LogLevel};
use eksguard_webhook::{certs, tls};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::pki_types::pem::PemObject as _;
use serde_json::{Value, json};

/// A policy that takes as long as the object's `test/sleep-ms` annotation says: a slow policy.
struct Sleepy;

impl PolicyEngine for Sleepy {
    fn review(&self, object: &Value, _: &Value, _: Option<&Value>) -> Result<Vec<Finding>, String> {
        if let Some(ms) = object
            .pointer("/metadata/annotations/test~1sleep-ms")
            .and_then(Value::as_str)
            .and_then(|v| v.parse().ok())
        {
            std::thread::sleep(Duration::from_millis(ms));
        }
        Ok(Vec::new())
    }
}

fn review(uid: &str, privileged: bool, sleep_ms: Option<u64>) -> Value {
    let mut annotations = json!({});
    if let Some(ms) = sleep_ms {
        annotations["test/sleep-ms"] = json!(ms.to_string());
    }
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "shop",
            "name": "web",
            "operation": "CREATE",
            "userInfo": {"username": "alice"},
            "object": {
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "web", "namespace": "shop", "annotations": annotations},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "securityContext": {"privileged": privileged}}]}
            }
        }
    })
}

struct Server {
    addr: std::net::SocketAddr,
    state: Arc<AppState>,
    cert: Arc<tls::ReloadingCert>,
}

async fn start(dir: &Path, limits: Limits) -> Server {
    certs::generate(dir, &["localhost".into()], 30).expect("certs");
    let reviewer = Reviewer::new(
        Config::empty(),
        Settings {
            default_mode: AdmissionMode::Enforce,
            fail_on: Severity::High,
            ..Settings::default()
        },
        None,
    )
    .expect("reviewer")
    .with_policies(Arc::new(Sleepy));
    let log = Arc::new(Log::new(LogLevel::Warn, Box::new(std::io::sink())));
    let state = Arc::new(AppState::new(
        Arc::new(reviewer),
        Arc::new(NoNamespaces),
        limits,
        log.clone(),
    ));
    state.ready.store(true, Ordering::Release);
    let cert = Arc::new(
        tls::ReloadingCert::new(&dir.join("tls.crt"), &dir.join("tls.key")).expect("cert"),
    );
    let config = Arc::new(tls::server_config(cert.clone()).expect("tls"));
    let app = server::router(state.clone());
    let addr = server::spawn_tls(
        ([127, 0, 0, 1], 0).into(),
        config,
        app,
        64,
        std::future::pending(),
        log,
    )
    .await
    .expect("serve");
    Server { addr, state, cert }
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// A TLS connection trusting `ca` (PEM file), checking the name `localhost`.
async fn connect(addr: std::net::SocketAddr, ca: &Path) -> Result<Sender, String> {
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(ca).map_err(|e| e.to_string())? {
        roots
            .add(c.map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").expect("name"), tcp)
        .await
        .map_err(|e| e.to_string())?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn send(sender: &mut Sender, method: &str, path: &str, body: Vec<u8>) -> (u16, String) {
    let req = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    // The connection task runs on another worker: after a response it may not be idle yet,
    // and hyper refuses a request on a busy connection ("connection was not ready").
    sender.ready().await.expect("connection ready");
    let resp = sender.send_request(req).await.expect("response");
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_over_tls_with_limits_and_metrics() {
    let dir = tempfile::tempdir().expect("tmp");
    let srv = start(
        dir.path(),
        Limits {
            max_body: 64 * 1024,
            ..Limits::default()
        },
    )
    .await;
    let ca = dir.path().join("ca.crt");
    let mut c = connect(srv.addr, &ca).await.expect("connect");

    // A privileged pod is denied; the answer is a real AdmissionReview.
    let (status, body) = send(
        &mut c,
        "POST",
        "/validate",
        review("u-1", true, None).to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["response"]["uid"], "u-1");
    assert_eq!(v["response"]["allowed"], false);
    assert!(
        v["response"]["status"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("POD001")),
        "{v}"
    );
    // The same connection serves the next request (keep-alive): a compliant answer.
    let (status, body) = send(
        &mut c,
        "POST",
        "/validate",
        review("u-2", false, None).to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["response"]["allowed"],
        true
    );

    // Malformed: 400 with a JSON error that says what is wrong.
    let (status, body) = send(&mut c, "POST", "/validate", b"{\"kind\":\"Pod\"}".to_vec()).await;
    assert_eq!(status, 400);
    assert!(body.contains("expected kind AdmissionReview"), "{body}");
    // Too large: refused.
    let big = vec![b' '; 100 * 1024];
    let (status, body) = send(&mut c, "POST", "/validate", big).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("larger than the limit"), "{body}");

    let mut c = connect(srv.addr, &ca).await.expect("connect again");
    assert_eq!(send(&mut c, "GET", "/healthz", Vec::new()).await.0, 200);
    assert_eq!(send(&mut c, "GET", "/readyz", Vec::new()).await.0, 200);
    srv.state.ready.store(false, Ordering::Release);
    assert_eq!(send(&mut c, "GET", "/readyz", Vec::new()).await.0, 503);
    let (status, metrics) = send(&mut c, "GET", "/metrics", Vec::new()).await;
    assert_eq!(status, 200);
    for line in [
        "eksguard_admission_requests_total{kind=\"Pod\",operation=\"CREATE\",result=\"denied\"} 1",
        "eksguard_admission_requests_total{kind=\"Pod\",operation=\"CREATE\",result=\"allowed\"} 1",
        "eksguard_admission_decisions_total{rule=\"POD001\",mode=\"enforce\"} 1",
        "eksguard_admission_rejected_total{reason=\"bad_request\"} 1",
        "eksguard_admission_rejected_total{reason=\"too_large\"} 1",
        "eksguard_admission_duration_seconds_count 4",
    ] {
        assert!(metrics.contains(line), "missing {line} in\n{metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_policy_meets_the_deadline_and_overload_is_shed() {
    let dir = tempfile::tempdir().expect("tmp");
    let srv = start(
        dir.path(),
        Limits {
            max_in_flight: 1,
            deadline: Duration::from_millis(300),
            ..Limits::default()
        },
    )
    .await;
    let ca = dir.path().join("ca.crt");
    let mut slow = connect(srv.addr, &ca).await.expect("connect");
    let mut other = connect(srv.addr, &ca).await.expect("connect");
    let slow_req = tokio::spawn(async move {
        send(
            &mut slow,
            "POST",
            "/validate",
            review("u-slow", false, Some(1500)).to_string().into_bytes(),
        )
        .await
    });
    let since = std::time::Instant::now();
    while srv.state.in_flight() == 0 {
        assert!(
            since.elapsed() < Duration::from_secs(20),
            "the slow review never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The one slot is taken: shed (503), not queued (which would answer 200 once free).
    let (status, body) = send(
        &mut other,
        "POST",
        "/validate",
        review("u-2", false, None).to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("overloaded"), "{body}");
    // The slow review is answered at its deadline, long before the policy finishes.
    let (status, body) = slow_req.await.expect("join");
    assert_eq!(status, 504, "{body}");
    assert!(body.contains("within 300 ms"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_certificate_is_served_after_reload() {
    let dir = tempfile::tempdir().expect("tmp");
    let srv = start(dir.path(), Limits::default()).await;
    let old_ca = dir.path().join("old-ca.crt");
    std::fs::copy(dir.path().join("ca.crt"), &old_ca).expect("copy");
    assert!(!srv.cert.reload_if_changed().expect("unchanged"));
    assert!(connect(srv.addr, &old_ca).await.is_ok());

    // A new CA and certificate replace the files (as a Secret update or cert-manager does).
    tokio::time::sleep(Duration::from_millis(20)).await;
    certs::generate(dir.path(), &["localhost".into()], 30).expect("new certs");
    assert!(srv.cert.reload_if_changed().expect("reloaded"));
    let new_ca = dir.path().join("ca.crt");
    let mut c = connect(srv.addr, &new_ca)
        .await
        .expect("the new CA is trusted");
    assert_eq!(send(&mut c, "GET", "/healthz", Vec::new()).await.0, 200);
    let Err(err) = connect(srv.addr, &old_ca).await else {
        panic!("a certificate from the replaced CA was accepted");
    };
    assert!(
        err.contains("certificate") || err.contains("Unknown"),
        "{err}"
    );

    // A broken pair is refused and the served certificate stays.
    tokio::time::sleep(Duration::from_millis(20)).await;
    std::fs::write(dir.path().join("tls.key"), "not a key").expect("write");
    assert!(srv.cert.reload_if_changed().is_err());
    assert!(connect(srv.addr, &new_ca).await.is_ok());
}
