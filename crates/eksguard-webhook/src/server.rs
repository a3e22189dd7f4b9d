//! The HTTPS server: `/validate` (AdmissionReview v1), `/healthz`, `/readyz`, `/metrics`.
//!
//! Safety under bad input and load:
//! - bodies over `max_body` are refused (413) before they are buffered whole;
//! - malformed AdmissionReviews get 400 with a JSON error that says what is wrong;
//! - each review runs on the blocking pool under a deadline: a slow policy cannot stall the
//!   server (the policy's own time budget stops it; the deadline answers the API server first);
//! - at most `max_in_flight` reviews run at once; more are shed at once with 503 instead of
//!   queueing (memory stays bounded by `max_in_flight × max_body`);
//! - at most `max_connections` TLS connections are served; TLS handshakes and request headers
//!   have timeouts.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::metrics::Metrics;
use crate::review::{Namespaces, Reviewer};

/// Limits of the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, in bytes (the API server sends objects up to 3 MiB, plus the
    /// review around them and the old object of an UPDATE).
    pub max_body: usize,
    /// Reviews running at once; more are shed with 503.
    pub max_in_flight: usize,
    /// TLS connections served at once; more wait in the kernel's accept queue.
    pub max_connections: usize,
    /// Time a review may take before the server answers 504 (keep it under the webhook's
    /// `timeoutSeconds`).
    pub deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body: 8 * 1024 * 1024,
            max_in_flight: 256,
            max_connections: 1024,
            deadline: Duration::from_secs(4),
        }
    }
}

/// How much is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Problems only (refused requests, errors, certificate reloads).
    Warn,
    /// Also every review with findings or a denial.
    Info,
    /// Every review.
    Debug,
}

/// Structured logs: one JSON object a line.
pub struct Log {
    pub level: LogLevel,
    sink: Mutex<Box<dyn Write + Send>>,
}

impl Log {
    pub fn new(level: LogLevel, sink: Box<dyn Write + Send>) -> Self {
        Self {
            level,
            sink: Mutex::new(sink),
        }
    }

    /// Log to standard error.
    pub fn stderr(level: LogLevel) -> Self {
        Self::new(level, Box::new(std::io::stderr()))
    }

    pub fn enabled(&self, level: LogLevel) -> bool {
        level <= self.level
    }

    /// Write one record (`fields` must be an object) at `level`.
    pub fn write(&self, level: LogLevel, msg: &str, fields: Value) {
        if !self.enabled(level) {
            return;
        }
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
        let mut record = json!({
            "time": eksguard_core::detect::event::format_time(micros),
            "level": match level { LogLevel::Warn => "warn", LogLevel::Info => "info", LogLevel::Debug => "debug" },
            "msg": msg,
        });
        if let (Some(r), Value::Object(f)) = (record.as_object_mut(), fields) {
            r.extend(f);
        }
        let mut sink = self
            .sink
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = writeln!(sink, "{record}");
    }
}

/// Everything a request needs.
pub struct AppState {
    pub reviewer: Arc<Reviewer>,
    pub namespaces: Arc<dyn Namespaces>,
    pub metrics: Arc<Metrics>,
    pub log: Arc<Log>,
    pub limits: Limits,
    in_flight: Arc<Semaphore>,
    /// Set when the server can answer reviews with current namespace modes.
    pub ready: Arc<AtomicBool>,
}

impl AppState {
    pub fn new(
        reviewer: Arc<Reviewer>,
        namespaces: Arc<dyn Namespaces>,
        limits: Limits,
        log: Arc<Log>,
    ) -> Self {
        Self {
            reviewer,
            namespaces,
            metrics: Arc::new(Metrics::default()),
            log,
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight)),
            limits,
            ready: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl AppState {
    /// Reviews running now.
    pub fn in_flight(&self) -> usize {
        self.limits
            .max_in_flight
            .saturating_sub(self.in_flight.available_permits())
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": message.into()}).to_string(),
    )
        .into_response()
}

/// The router of the webhook.
pub fn router(state: Arc<AppState>) -> Router {
    let max_body = state.limits.max_body;
    Router::new()
        .route("/validate", post(validate))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// A router whose `/validate` allows everything without reading the review: the baseline the
/// load benchmark compares the real handler with.
pub fn noop_router() -> Router {
    Router::new().route(
        "/validate",
        post(|body: Bytes| async move {
            let uid = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.pointer("/request/uid").cloned())
                .unwrap_or(Value::Null);
            (
                [(header::CONTENT_TYPE, "application/json")],
                json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": {"uid": uid, "allowed": true}}).to_string(),
            )
        }),
    )
}

async fn readyz(State(s): State<Arc<AppState>>) -> Response {
    if s.ready.load(Ordering::Acquire) {
        "ok\n".into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: namespace labels not loaded yet\n",
        )
            .into_response()
    }
}

async fn metrics(State(s): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
        .into_response()
}

async fn validate(
    State(s): State<Arc<AppState>>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let start = Instant::now();
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let status = e.status();
            let reason = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "too_large"
            } else {
                "bad_request"
            };
            s.metrics.rejected(reason, start.elapsed());
            s.log.write(
                LogLevel::Warn,
                "request refused",
                json!({"reason": reason, "error": e.body_text()}),
            );
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                format!(
                    "the AdmissionReview is larger than the limit of {} bytes (--max-body)",
                    s.limits.max_body
                )
            } else {
                e.body_text()
            };
            return error(status, message);
        }
    };
    let Ok(permit) = s.in_flight.clone().try_acquire_owned() else {
        s.metrics.rejected("overloaded", start.elapsed());
        s.log.write(
            LogLevel::Warn,
            "request shed",
            json!({"reason": "overloaded", "in_flight": s.limits.max_in_flight}),
        );
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "eksguard is overloaded ({} reviews in flight); the API server applies the webhook's failurePolicy",
                s.limits.max_in_flight
            ),
        );
    };
    let reviewer = s.reviewer.clone();
    let namespaces = s.namespaces.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        reviewer.review(&body, &*namespaces)
    });
    match tokio::time::timeout(s.limits.deadline, task).await {
        Err(_) => {
            s.metrics.rejected("deadline", start.elapsed());
            s.log.write(
                LogLevel::Warn,
                "review past its deadline",
                json!({"deadline_ms": s.limits.deadline.as_millis()}),
            );
            error(
                StatusCode::GATEWAY_TIMEOUT,
                format!(
                    "eksguard could not finish the review within {} ms; the API server applies the webhook's failurePolicy",
                    s.limits.deadline.as_millis()
                ),
            )
        }
        Ok(Err(join)) => {
            s.metrics.rejected("internal", start.elapsed());
            s.log.write(
                LogLevel::Warn,
                "review failed",
                json!({"error": join.to_string()}),
            );
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "eksguard failed to review this request",
            )
        }
        Ok(Ok(Err(bad))) => {
            s.metrics.rejected("bad_request", start.elapsed());
            s.log.write(
                LogLevel::Warn,
                "malformed AdmissionReview",
                json!({"error": bad.0}),
            );
            error(StatusCode::BAD_REQUEST, bad.0)
        }
        Ok(Ok(Ok((response, outcome)))) => {
            let latency = start.elapsed();
            s.metrics.reviewed(&outcome, latency);
            let level = if outcome.error.is_some() {
                LogLevel::Warn
            } else if !outcome.allowed || !outcome.decisions.is_empty() {
                LogLevel::Info
            } else {
                LogLevel::Debug
            };
            if s.log.enabled(level) {
                let rules: Vec<Value> = outcome
                    .decisions
                    .iter()
                    .map(|(r, m)| json!({"rule": r, "mode": m.as_str()}))
                    .collect();
                s.log.write(
                    level,
                    "admission review",
                    json!({
                        "uid": outcome.uid,
                        "kind": outcome.kind,
                        "namespace": outcome.namespace,
                        "name": outcome.name,
                        "operation": outcome.operation,
                        "user": outcome.user,
                        "dryRun": outcome.dry_run,
                        "allowed": outcome.allowed,
                        "skipped": outcome.skipped,
                        "error": outcome.error,
                        "decisions": rules,
                        "latency_us": u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
                    }),
                );
            }
            (
                [(header::CONTENT_TYPE, "application/json")],
                response.to_string(),
            )
                .into_response()
        }
    }
}

/// Bind `addr` and serve `app` over TLS in the background until `shutdown` completes; the
/// bound address (with port 0, the one the system chose).
pub async fn spawn_tls(
    addr: SocketAddr,
    tls: Arc<rustls::ServerConfig>,
    app: Router,
    max_connections: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    log: Arc<Log>,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(serve_tls(
        listener,
        tls,
        app,
        max_connections,
        shutdown,
        log,
    ));
    Ok(bound)
}

/// Serve `app` over TLS on `listener` until `shutdown` completes (open connections finish on
/// their own tasks).
pub async fn serve_tls(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Router,
    max_connections: usize,
    shutdown: impl std::future::Future<Output = ()>,
    log: Arc<Log>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let connections = Arc::new(Semaphore::new(max_connections));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = connections.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = &mut shutdown => break,
        };
        let (tcp, peer): (tokio::net::TcpStream, SocketAddr) = match accepted {
            Ok(a) => a,
            Err(e) => {
                log.write(
                    LogLevel::Warn,
                    "accept failed",
                    json!({"error": e.to_string()}),
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let app = app.clone();
        let log = log.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let stream =
                match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => {
                        log.write(
                            LogLevel::Debug,
                            "TLS handshake failed",
                            json!({"peer": peer.to_string(), "error": e.to_string()}),
                        );
                        return;
                    }
                    Err(_) => return,
                };
            let service = TowerToHyperService::new(app);
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(30))
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
