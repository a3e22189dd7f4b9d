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
        limits.clone(),
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
        &Limits {
            max_connections: 64,
            ..limits
        },
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
    let tls = tls_from(addr, ca, [127, 0, 0, 1]).await?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    Ok(sender)
}

/// A TLS stream to `addr` from the loopback address `from` (127.0.0.2 is another source to the
/// server than 127.0.0.1).
async fn tls_from(
    addr: std::net::SocketAddr,
    ca: &Path,
    from: [u8; 4],
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
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
    let socket = tokio::net::TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket.bind((from, 0).into()).map_err(|e| e.to_string())?;
    let tcp = socket.connect(addr).await.map_err(|e| e.to_string())?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").expect("name"), tcp)
        .await
        .map_err(|e| e.to_string())
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

/// One slow client of the attack: from 127.0.0.2, it opens a TLS connection, sends a request
/// head, then (`slow_head`) the rest of the head or (else) a body of 100,000 bytes, one byte
/// every 200 ms, and opens another connection when the server closes this one, until `until`.
/// Returns what the server answered on the connections it closed (status lines), if anything.
async fn slow_client(
    addr: std::net::SocketAddr,
    ca: std::path::PathBuf,
    slow_head: bool,
    until: std::time::Instant,
) -> Vec<String> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut answers = Vec::new();
    // Bounded in count and time.
    for _ in 0..1000 {
        if std::time::Instant::now() >= until {
            break;
        }
        let Ok(Ok(mut tls)) =
            tokio::time::timeout(Duration::from_secs(2), tls_from(addr, &ca, [127, 0, 0, 2])).await
        else {
            // Refused (over the source's share) or not accepted yet: try again.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let head = "POST /validate HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n";
        let (first, rest) = if slow_head {
            head.split_at(10)
        } else {
            (head, "")
        };
        if tls.write_all(first.as_bytes()).await.is_err() {
            continue;
        }
        let _ = tls.flush().await;
        let drip = rest.bytes().chain(std::iter::repeat(b'{')).take(100_000);
        for b in drip {
            if std::time::Instant::now() >= until {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            if tls.write_all(&[b]).await.is_err() || tls.flush().await.is_err() {
                break;
            }
        }
        let mut buf = vec![0u8; 4096];
        if let Ok(Ok(n)) =
            tokio::time::timeout(Duration::from_millis(200), tls.read(&mut buf)).await
            && n > 0
        {
            answers.push(
                String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
    }
    answers
}

/// Issue 13 item 4: slow clients from one source (127.0.0.2) try to hold every connection
/// with request heads or bodies sent a byte every 200 ms, reconnecting whenever they are
/// dropped. The server keeps them to their source's share of connections, drops a body that
/// has not arrived within `body_timeout` (408) and a head within `header_timeout`, and a
/// healthy client on 127.0.0.1, connecting anew for each review, is answered promptly all
/// along. Before, the slow connections held every slot and a review waited for the 30 s head
/// timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_cannot_take_admission_down() {
    let dir = tempfile::tempdir().expect("tmp");
    let srv = start(
        dir.path(),
        Limits {
            max_connections_per_source: 16,
            header_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            ..Limits::default()
        },
    )
    .await;
    let ca = dir.path().join("ca.crt");
    let until = std::time::Instant::now() + Duration::from_secs(5);
    // 96 slow clients: more than the server's 64 connections.
    let attackers: Vec<_> = (0..96)
        .map(|i| tokio::spawn(slow_client(srv.addr, ca.clone(), i % 2 == 0, until)))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let mut slowest = Duration::ZERO;
    for i in 0..10 {
        let start = std::time::Instant::now();
        let answered = tokio::time::timeout(Duration::from_secs(10), async {
            let mut c = connect(srv.addr, &ca).await.expect("connect");
            send(
                &mut c,
                "POST",
                "/validate",
                review(&format!("u-{i}"), i % 2 == 0, None)
                    .to_string()
                    .into_bytes(),
            )
            .await
        })
        .await;
        let Ok((status, body)) = answered else {
            panic!("review {i} was not answered within 10 s while slow clients held connections");
        };
        slowest = slowest.max(start.elapsed());
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["response"]["uid"], format!("u-{i}"));
        assert_eq!(v["response"]["allowed"], i % 2 != 0, "{v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Promptly: a generous bound (a TLS handshake and a review take milliseconds; before,
    // each waited for a slow client's 30 s head timeout).
    assert!(
        slowest < Duration::from_secs(2),
        "the slowest review took {slowest:?}"
    );

    // A client that completes the TLS handshake and then sends nothing is closed at the head
    // timeout (1 s here), not kept.
    {
        use tokio::io::AsyncReadExt as _;
        let mut silent = tls_from(srv.addr, &ca, [127, 0, 0, 3])
            .await
            .expect("connect");
        let mut buf = [0u8; 64];
        let closed = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buf)).await;
        assert!(
            matches!(closed, Ok(Ok(0) | Err(_))),
            "a silent connection was kept: {closed:?}"
        );
    }

    let mut timed_out = 0;
    for a in attackers {
        timed_out += a
            .await
            .expect("attacker")
            .iter()
            .filter(|l| l.contains(" 408 "))
            .count();
    }
    // The slow bodies were answered 408 at the body timeout.
    assert!(timed_out > 0, "no slow body was timed out");
    let (_, metrics) = send(
        &mut connect(srv.addr, &ca).await.expect("connect"),
        "GET",
        "/metrics",
        Vec::new(),
    )
    .await;
    assert!(
        metrics.contains("eksguard_admission_rejected_total{reason=\"body_timeout\"}"),
        "{metrics}"
    );
}
