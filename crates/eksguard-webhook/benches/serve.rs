//! Load benchmark of `eksguard serve`: a mix of AdmissionReviews (the review fixtures: pods,
//! deployments, updates, RBAC, services, config maps, namespaces) posted over TLS on loopback at a
//! fixed rate, open loop (latency counted from each request's scheduled time, so a stall is not
//! hidden), first against the real handler with every built-in rule and the example Rego
//! policies (`examples/policies`), then against a no-op handler on the same TLS server code.
//!
//! `cargo bench -p eksguard-webhook --bench serve` (env: EKSGUARD_BENCH_RPS, default 2000;
//! EKSGUARD_BENCH_SECS, default 10; EKSGUARD_BENCH_CONNS, default 32).
//!
//! Under attack: `EKSGUARD_BENCH_ATTACK=1024` adds a third run, against the real handler with
//! the server's default limits, while that many slow clients from another source (127.0.0.2)
//! send request heads or bodies a byte every 200 ms and reconnect whenever they are dropped
//! (issue 13 item 4); the normal client's latencies are measured as in the first run. The
//! attackers run in a process of their own at the lowest CPU priority (`nice -n 19`), standing
//! in for another machine.

// Rates and percentiles: counts become floating point and back, within range by construction.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use eksguard_core::config::{AdmissionMode, Config};
use eksguard_core::rule::Severity;
use eksguard_webhook::policies::RegoPolicies;
use eksguard_webhook::review::{NoNamespaces, Reviewer, Settings};
use eksguard_webhook::server::{self, AppState, Limits, Log, LogLevel};
use eksguard_webhook::{certs, tls};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::pki_types::pem::PemObject as _;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bodies() -> Vec<Bytes> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reviews");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/reviews")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("allow-") || n.starts_with("deny-"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| Bytes::from(std::fs::read(dir.join(n)).expect("read")))
        .collect()
}

async fn client(
    addr: std::net::SocketAddr,
    ca: &Path,
) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(ca).expect("ca") {
        roots.add(c.expect("cert")).expect("root");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("tls")
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").expect("name"), tcp)
        .await
        .expect("handshake");
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .expect("http");
    tokio::spawn(conn);
    sender
}

struct Run {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
    /// CPU time of this process (server and client; the attackers are another process) over
    /// the run.
    cpu: Duration,
}

/// User + system CPU time of this process so far, from /proc/self/stat (clock ticks at the
/// usual 100 Hz; zero where /proc is not there).
fn process_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which may hold spaces, inside parentheses).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

async fn load(
    addr: std::net::SocketAddr,
    ca: &Path,
    bodies: Arc<Vec<Bytes>>,
    rps: u64,
    secs: u64,
    conns: u64,
) -> Run {
    let total = usize::try_from(rps * secs).unwrap_or(usize::MAX);
    let next = Arc::new(AtomicUsize::new(0));
    let interval = Duration::from_secs_f64(1.0 / rps as f64);
    let start = Instant::now() + Duration::from_millis(200);
    let cpu_start = process_cpu();
    // A pacing thread releases one request per tick with the OS timer's precision (tokio's
    // timer has 1 ms granularity, which would add up to 1 ms to every measured latency).
    let ticks = Arc::new(tokio::sync::Semaphore::new(0));
    {
        let ticks = ticks.clone();
        let conns = usize::try_from(conns).unwrap_or(usize::MAX);
        std::thread::spawn(move || {
            for i in 0..total {
                let due = start + interval * u32::try_from(i).unwrap_or(u32::MAX);
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
                ticks.add_permits(1);
            }
            // One more per connection: each wakes, finds the run over, and stops.
            ticks.add_permits(conns);
        });
    }
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let mut sender = client(addr, ca).await;
        let (next, bodies, ticks) = (next.clone(), bodies.clone(), ticks.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            loop {
                if next.load(Ordering::Relaxed) >= total {
                    break;
                }
                let Ok(permit) = ticks.acquire().await else {
                    break;
                };
                permit.forget();
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                // Latency counts from the request's scheduled time: a stall is not hidden.
                let due = start + interval * u32::try_from(i).unwrap_or(u32::MAX);
                let req = hyper::Request::post("/validate")
                    .header("host", "localhost")
                    .header("content-type", "application/json")
                    .body(Full::new(bodies[i % bodies.len()].clone()))
                    .expect("request");
                // A kept-alive connection may still be finishing the previous exchange.
                if sender.ready().await.is_err() {
                    // The connection is gone: count it, and leave the rest to the others.
                    errors += 1;
                    break;
                }
                match sender.send_request(req).await {
                    Ok(resp) => {
                        let ok = resp.status().is_success();
                        let _ = resp.into_body().collect().await;
                        if !ok {
                            errors += 1;
                        }
                    }
                    Err(_) => errors += 1,
                }
                latencies.push(due.elapsed());
            }
            (latencies, errors)
        }));
    }
    let mut run = Run {
        latencies: Vec::with_capacity(total),
        errors: 0,
        elapsed: Duration::ZERO,
        cpu: Duration::ZERO,
    };
    for t in tasks {
        let (l, e) = t.await.expect("task");
        run.latencies.extend(l);
        run.errors += e;
    }
    run.elapsed = start.elapsed();
    run.cpu = process_cpu().saturating_sub(cpu_start);
    run.latencies.sort();
    run
}

/// A TLS connection to `addr` from the loopback address 127.0.0.2 (another source).
async fn attacker_tls(
    addr: std::net::SocketAddr,
    config: Arc<rustls::ClientConfig>,
) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(([127, 0, 0, 2], 0).into())?;
    let tcp = socket.connect(addr).await?;
    tokio_rustls::TlsConnector::from(config)
        .connect(ServerName::try_from("localhost").expect("name"), tcp)
        .await
}

/// One slow client: a request head (`slow_head`: its first bytes only) and then the rest of
/// it, or a body, a byte every 200 ms, reconnecting when dropped, until `until`. Bounded in
/// count and time.
async fn slow_client(
    addr: std::net::SocketAddr,
    config: Arc<rustls::ClientConfig>,
    slow_head: bool,
    until: Instant,
) {
    use tokio::io::AsyncWriteExt as _;
    for _ in 0..10_000 {
        if Instant::now() >= until {
            return;
        }
        let Ok(Ok(mut tls)) =
            tokio::time::timeout(Duration::from_secs(2), attacker_tls(addr, config.clone())).await
        else {
            // Refused (over the source's share): try again later.
            tokio::time::sleep(Duration::from_secs(2)).await;
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
        for b in rest.bytes().chain(std::iter::repeat(b'{')).take(100_000) {
            if Instant::now() >= until {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            if tls.write_all(&[b]).await.is_err() || tls.flush().await.is_err() {
                break;
            }
        }
    }
}

fn client_config(ca: &Path) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_file_iter(ca).expect("ca") {
        roots.add(c.expect("cert")).expect("root");
    }
    Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("tls")
        .with_root_certificates(roots)
        .with_no_client_auth(),
    )
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

async fn serve(app: axum::Router, dir: &Path, limits: &Limits) -> std::net::SocketAddr {
    let cert = Arc::new(
        tls::ReloadingCert::new(&dir.join("tls.crt"), &dir.join("tls.key")).expect("cert"),
    );
    let config = Arc::new(tls::server_config(cert).expect("tls"));
    let log = Arc::new(Log::new(LogLevel::Warn, Box::new(std::io::sink())));
    server::spawn_tls(
        ([127, 0, 0, 1], 0).into(),
        config,
        app,
        limits,
        std::future::pending(),
        log,
    )
    .await
    .expect("serve")
}

/// Attacker mode (`EKSGUARD_BENCH_ATTACKER=ADDR,CA,COUNT,SECS`, set by the attack run for the
/// process it starts): COUNT slow clients against ADDR for SECS seconds, then exit.
fn attacker_mode(spec: &str) {
    let parts: Vec<&str> = spec.split(',').collect();
    let [addr, ca, count, secs] = parts[..] else {
        panic!("EKSGUARD_BENCH_ATTACKER: ADDR,CA,COUNT,SECS");
    };
    let addr: std::net::SocketAddr = addr.parse().expect("address");
    let count: usize = count.parse().expect("count");
    let until = Instant::now() + Duration::from_secs(secs.parse().expect("seconds"));
    let config = client_config(Path::new(ca));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("attack runtime");
    rt.block_on(async move {
        let tasks: Vec<_> = (0..count)
            .map(|i| tokio::spawn(slow_client(addr, config.clone(), i % 2 == 0, until)))
            .collect();
        for t in tasks {
            let _ = t.await;
        }
    });
}

fn main() {
    if let Ok(spec) = std::env::var("EKSGUARD_BENCH_ATTACKER") {
        attacker_mode(&spec);
        return;
    }
    let rps = env("EKSGUARD_BENCH_RPS", 2000);
    let secs = env("EKSGUARD_BENCH_SECS", 10);
    let conns = env("EKSGUARD_BENCH_CONNS", 32);
    let dir = tempfile::tempdir().expect("tmp");
    certs::generate(dir.path(), &["localhost".into()], 30).expect("certs");
    let ca = dir.path().join("ca.crt");
    let bodies = Arc::new(bodies());
    // Server and client on runtimes of their own, as two processes would be (they still share
    // the machine's cores, as a load generator on the same host does).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("client runtime");

    let policies = eksguard_policy::Policies::load(&[
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/policies")
    ])
    .expect("example policies");
    let policy_rules = policies.rules().len();
    let reviewer = Reviewer::new(
        Config::empty().with_rules(policies.rules()),
        Settings {
            default_mode: AdmissionMode::Enforce,
            fail_on: Severity::High,
            ..Settings::default()
        },
        None,
    )
    .expect("reviewer")
    .with_policies(Arc::new(RegoPolicies::new(
        policies,
        Duration::from_millis(250),
    )));
    let rules = reviewer.rules().len();
    // The review alone (no TLS, no HTTP), on one thread: its CPU cost per request.
    {
        let n = 2000;
        let t = Instant::now();
        for i in 0..n {
            let _ = reviewer.review(&bodies[i % bodies.len()], &NoNamespaces);
        }
        let per = t.elapsed() / u32::try_from(n).unwrap_or(1);
        println!("review() alone, one thread: {per:?} per request over the mix");
        for (i, b) in bodies.iter().enumerate().take(bodies.len()) {
            let t = Instant::now();
            for _ in 0..50 {
                let _ = reviewer.review(b, &NoNamespaces);
            }
            if std::env::var_os("EKSGUARD_BENCH_VERBOSE").is_some() {
                println!("  body {i}: {:?}", t.elapsed() / 50);
            }
        }
    }
    let log = Arc::new(Log::new(LogLevel::Warn, Box::new(std::io::sink())));
    let state = Arc::new(AppState::new(
        Arc::new(reviewer),
        Arc::new(NoNamespaces),
        Limits::default(),
        log,
    ));

    let attack = usize::try_from(env("EKSGUARD_BENCH_ATTACK", 0)).unwrap_or(0);
    let many = Limits {
        max_connections: 4096,
        max_connections_per_source: 4096,
        ..Limits::default()
    };
    let (real_addr, noop_addr, attacked_addr) = runtime.block_on(async {
        (
            serve(server::router(state.clone()), dir.path(), &many).await,
            serve(server::noop_router(), dir.path(), &many).await,
            serve(server::router(state), dir.path(), &Limits::default()).await,
        )
    });
    let (real, noop, attacked) = client_rt.block_on(async {
        // Warm up both (connections, caches), then measure.
        let _ = load(real_addr, &ca, bodies.clone(), 500, 1, 8).await;
        let real = load(real_addr, &ca, bodies.clone(), rps, secs, conns).await;
        let _ = load(noop_addr, &ca, bodies.clone(), 500, 1, 8).await;
        let noop = load(noop_addr, &ca, bodies.clone(), rps, secs, conns).await;
        let attacked = if attack > 0 {
            // The slow clients first (and all along), then the normal client connects and
            // sends its reviews as in the first run. The attackers are another process, this
            // bench run again in attacker mode under `nice -n 19`: as another machine's would,
            // their own TLS work (a handshake costs the client more than the server) does not
            // take the cores from the server and the normal client, which still share them.
            let attackers = std::process::Command::new("nice")
                .args(["-n", "19"])
                .arg(std::env::current_exe().expect("this bench"))
                .env(
                    "EKSGUARD_BENCH_ATTACKER",
                    format!("{attacked_addr},{},{attack},{}", ca.display(), secs + 3),
                )
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("attacker process");
            tokio::time::sleep(Duration::from_secs(2)).await;
            let run = load(attacked_addr, &ca, bodies.clone(), rps, secs, conns).await;
            let mut attackers = attackers;
            let _ = tokio::task::spawn_blocking(move || attackers.wait()).await;
            Some(run)
        } else {
            None
        };
        (real, noop, attacked)
    });
    println!(
        "serve bench: {} review kinds from tests/reviews, {rps} requests/s for {secs} s over {conns} TLS connections on loopback",
        bodies.len()
    );
    for (name, r) in [
        (
            format!("eksguard ({rules} rules + {policy_rules} policy rules)"),
            &real,
        ),
        ("no-op handler".to_string(), &noop),
    ]
    .into_iter()
    .chain(
        attacked
            .as_ref()
            .map(|r| (format!("eksguard, {attack} slow clients attacking"), r)),
    ) {
        println!(
            "{name:<40} {} requests, {:.0}/s achieved, errors {}; p50 {} p90 {} p99 {} max {}; process CPU {:.2} s",
            r.latencies.len(),
            r.latencies.len() as f64 / r.elapsed.as_secs_f64(),
            r.errors,
            ms(pct(&r.latencies, 0.5)),
            ms(pct(&r.latencies, 0.9)),
            ms(pct(&r.latencies, 0.99)),
            ms(pct(&r.latencies, 1.0)),
            r.cpu.as_secs_f64(),
        );
    }
    let ratio = pct(&real.latencies, 0.99).as_secs_f64() / pct(&noop.latencies, 0.99).as_secs_f64();
    println!("p99 ratio eksguard / no-op: {ratio:.2}");
}
