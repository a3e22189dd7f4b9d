//! `eksguard serve` and `serve certs`, end to end through the binary: certificates, a review over
//! TLS with eksguard.toml's [serve] defaults, and the deploy/webhook manifests passing eksguard's
//! own rules.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

use common::cli::{eksguard, root, stderr, stdout};

#[test]
fn the_webhook_manifests_pass_eksguards_own_rules() {
    let out = eksguard(&["scan", "deploy/webhook", "--no-config", "-f", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["summary"]["findings"], 0, "{:#}", report["findings"]);
    assert_eq!(report["summary"]["errors"], 0);
    assert!(report["summary"]["objects"].as_u64() >= Some(12));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn certs_writes_a_ca_and_a_serving_pair_and_prints_the_ca_bundle() {
    let dir = tempfile::tempdir().expect("tmp");
    let out_dir = dir.path().join("certs");
    let out = eksguard(&[
        "serve",
        "certs",
        "--out",
        out_dir.to_str().expect("utf-8"),
        "--dns",
        "eksguard-webhook.eksguard.svc",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for f in ["ca.crt", "tls.crt", "tls.key"] {
        assert!(out_dir.join(f).is_file(), "{f}");
    }
    let bundle = stdout(&out);
    let ca = std::fs::read_to_string(out_dir.join("ca.crt")).expect("ca");
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
    // The printed caBundle is the base64 of ca.crt, on one line.
    assert_eq!(bundle.trim().lines().count(), 1);
    assert!(bundle.trim().starts_with("LS0tLS1CRUdJTi"), "{bundle}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(out_dir.join("tls.key"))
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the key is private");
    }

    let out = eksguard(&["serve", "certs", "--out", out_dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--dns"), "{}", stderr(&out));
}

#[test]
fn serve_needs_a_certificate_and_says_which_file_is_wrong() {
    let out = eksguard(&["serve", "--no-kube"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--tls-cert"), "{}", stderr(&out));
    let dir = tempfile::tempdir().expect("tmp");
    let missing = dir.path().join("nope.crt");
    let out = eksguard(&[
        "serve",
        "--no-kube",
        "--tls-cert",
        missing.to_str().expect("utf-8"),
        "--tls-key",
        missing.to_str().expect("utf-8"),
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("nope.crt"), "{}", stderr(&out));
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

/// One HTTP/1.1 request over TLS (trusting `ca`), the connection closed after it.
fn https(
    port: u16,
    ca: &std::path::Path,
    method: &str,
    path: &str,
    body: &str,
) -> Option<(u16, String)> {
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(ca).ok()? {
        roots.add(c.ok()?).ok()?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .ok()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let conn =
        rustls::ClientConnection::new(Arc::new(config), "localhost".try_into().ok()?).ok()?;
    let tcp = TcpStream::connect(("127.0.0.1", port)).ok()?;
    tcp.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    write!(
        tls,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = Vec::new();
    let _ = tls.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string())?;
    Some((status, body))
}

#[test]
fn the_binary_serves_reviews_with_eksguard_toml_defaults() {
    let dir = tempfile::tempdir().expect("tmp");
    let certs = dir.path().join("certs");
    let out = eksguard(&[
        "serve",
        "certs",
        "--out",
        certs.to_str().expect("utf-8"),
        "--dns",
        "localhost",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let config = dir.path().join("eksguard.toml");
    std::fs::write(
        &config,
        "[serve]\ndefault_mode = \"enforce\"\nfail_on = \"critical\"\nexempt_namespaces = [\"sandbox-*\"]\nmax_connections_per_source = 2\n",
    )
    .expect("config");
    let port = free_port();
    let _server = Running(
        Command::new(env!("CARGO_BIN_EXE_eksguard"))
            .args(["serve", "--no-kube", "--log-level", "warn"])
            .arg(format!("--listen=127.0.0.1:{port}"))
            .arg("--tls-cert")
            .arg(certs.join("tls.crt"))
            .arg("--tls-key")
            .arg(certs.join("tls.key"))
            .arg("--config")
            .arg(&config)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn"),
    );
    let ca = certs.join("ca.crt");
    let start = Instant::now();
    while https(port, &ca, "GET", "/readyz", "").is_none_or(|(s, _)| s != 200) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let review = |uid: &str, ns: &str| {
        serde_json::json!({
            "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {
                "uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "namespace": ns, "name": "web", "operation": "CREATE", "userInfo": {"username": "bob"},
                "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": ns},
                    "spec": {"hostPID": true, "containers": [{"name": "web", "image": "nginx:1.27", "securityContext": {"privileged": true}}]}}
            }
        })
        .to_string()
    };
    // The [serve] default: enforce at critical. privileged is critical: denied; hostPID (high)
    // is below the threshold and not mentioned.
    let (status, body) =
        https(port, &ca, "POST", "/validate", &review("a", "shop")).expect("review");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["response"]["allowed"], false, "{v}");
    let msg = v["response"]["status"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(msg.contains("POD001") && !msg.contains("POD002"), "{msg}");
    // An exempt namespace pattern from the file.
    let (_, body) =
        https(port, &ca, "POST", "/validate", &review("b", "sandbox-1")).expect("review");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["response"]["allowed"], true, "{v}");
    let (status, metrics) = https(port, &ca, "GET", "/metrics", "").expect("metrics");
    assert_eq!(status, 200);
    assert!(metrics.contains("result=\"skipped\"} 1"), "{metrics}");

    // [serve] max_connections_per_source = 2: while two connections from 127.0.0.1 are open
    // (silent ones, as a slow client's), a third is closed at once; then the next is served.
    let held: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        https(port, &ca, "GET", "/healthz", "").is_none(),
        "a third connection from one source was served"
    );
    drop(held);
    let start = Instant::now();
    while https(port, &ca, "GET", "/healthz", "").is_none_or(|(s, _)| s != 200) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the source's connections were not given back"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
