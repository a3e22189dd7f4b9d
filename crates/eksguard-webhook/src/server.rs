//! The HTTPS server: `/validate` (AdmissionReview v1), `/healthz`, `/readyz`, `/metrics`.
//!
//! Safety under bad input and load (every wait is bounded, so a slow or silent client holds a
//! connection for a bounded time, and never a review slot):
//! - at most `max_connections` TLS connections are served, and at most
//!   `max_connections_per_source` from one client IP, so that one source cannot take them all;
//!   a connection over its source's share is closed at once;
//! - a source's TLS handshakes run a few at a time (`HANDSHAKES_PER_SOURCE`);
//! - the TLS handshake, and then each request's head (also the wait for the next request on a
//!   kept-alive connection), must arrive within `header_timeout`; the body within
//!   `body_timeout` (else 408 and the connection is closed); a response the client does not
//!   read for `body_timeout` closes the connection;
//! - bodies over `max_body` are refused (413): never buffered past the limit (the rest, up to
//!   four times the limit, is read and dropped so that the client gets the answer);
//! - malformed AdmissionReviews get 400 with a JSON error that says what is wrong;
//! - each review runs on the blocking pool under a deadline: a slow policy cannot stall the
//!   server (the policy's own time budget stops it; the deadline answers the API server first);
//! - at most `max_in_flight` reviews run at once; more are shed at once with 503 instead of
//!   queueing, and each review's memory is bounded by its body (see [`crate::review`]).
//!
//! A whole request therefore takes at most `header_timeout + body_timeout + deadline` (plus
//! `body_timeout` to write the answer to a client that stops reading).

use std::collections::HashMap;
use std::future::Future as _;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
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
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
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
    /// TLS connections served at once from one client IP; more are closed at once.
    pub max_connections_per_source: usize,
    /// Time for the TLS handshake, and then for each request's head to arrive (from the
    /// handshake, or from the previous answer on a kept-alive connection).
    pub header_timeout: Duration,
    /// Time for a request's body to arrive once its head has (else 408), and the longest a
    /// client may leave an answer unread.
    pub body_timeout: Duration,
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
            max_connections_per_source: 256,
            header_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(5),
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

/// Why a body was not read.
enum BodyError {
    TooLarge,
    TimedOut,
    Broken(String),
}

/// The request body, at most `max` bytes, within `timeout`: a client that sends it a byte at
/// a time cannot hold the connection longer.
async fn read_body(
    headers: &axum::http::HeaderMap,
    body: axum::body::Body,
    max: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    use futures::StreamExt as _;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let read = async {
        let mut stream = body.into_data_stream();
        // Too large: the rest is read and dropped (never kept), up to three times the limit,
        // so that a client still sending it gets the 413 rather than a broken pipe.
        let drain = async |stream: &mut axum::body::BodyDataStream, mut seen: usize| {
            while let Some(Ok(chunk)) = stream.next().await {
                seen = seen.saturating_add(chunk.len());
                if seen > max.saturating_mul(4) {
                    break;
                }
            }
            Err(BodyError::TooLarge)
        };
        if declared.is_some_and(|n| n > max) {
            return drain(&mut stream, 0).await;
        }
        let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(max));
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| BodyError::Broken(e.to_string()))?;
            if buf.len() + chunk.len() > max {
                let seen = buf.len() + chunk.len();
                drop(buf);
                return drain(&mut stream, seen).await;
            }
            buf.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(buf))
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(r) => r,
        // Past the deadline while dropping an oversized body: it is still too large.
        Err(_) if declared.is_some_and(|n| n > max) => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::TimedOut),
    }
}

async fn validate(State(s): State<Arc<AppState>>, request: axum::extract::Request) -> Response {
    let start = Instant::now();
    let (parts, body) = request.into_parts();
    let body = match read_body(
        &parts.headers,
        body,
        s.limits.max_body,
        s.limits.body_timeout,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => {
            let (status, reason, message) = match e {
                BodyError::TooLarge => (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!(
                        "the AdmissionReview is larger than the limit of {} bytes (--max-body)",
                        s.limits.max_body
                    ),
                ),
                BodyError::TimedOut => (
                    StatusCode::REQUEST_TIMEOUT,
                    "body_timeout",
                    format!(
                        "the request body did not arrive within {} ms",
                        s.limits.body_timeout.as_millis()
                    ),
                ),
                BodyError::Broken(e) => (
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("the request body could not be read: {e}"),
                ),
            };
            s.metrics.rejected(reason, start.elapsed());
            s.log.write(
                LogLevel::Warn,
                "request refused",
                json!({"reason": reason, "error": message}),
            );
            // The rest of the body is not read: the connection cannot serve another request.
            let mut response = error(status, message);
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            return response;
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
    limits: &Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    log: Arc<Log>,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(serve_tls(listener, tls, app, limits.clone(), shutdown, log));
    Ok(bound)
}

/// TLS handshakes of one client IP at once: a source that reconnects hundreds of connections
/// at the same moment has them shaken hands with a few at a time, so that its handshakes'
/// cryptography cannot fill the server's threads while other clients wait.
const HANDSHAKES_PER_SOURCE: usize = 4;

/// Connections open per client IP, and the handshakes each may run at once.
#[derive(Default)]
struct Sources {
    open: Mutex<HashMap<IpAddr, (usize, Arc<Semaphore>)>>,
}

/// One connection of a source, given back when dropped.
struct SourceSlot {
    sources: Arc<Sources>,
    ip: IpAddr,
    /// The source's handshakes.
    handshakes: Arc<Semaphore>,
}

impl Sources {
    /// A slot for `ip`, unless it has `max` connections open already.
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<SourceSlot> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (n, handshakes) = open
            .entry(ip)
            .or_insert_with(|| (0, Arc::new(Semaphore::new(HANDSHAKES_PER_SOURCE))));
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(SourceSlot {
            sources: self.clone(),
            ip,
            handshakes: handshakes.clone(),
        })
    }
}

impl Drop for SourceSlot {
    fn drop(&mut self) {
        let mut open = self
            .sources
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((n, _)) = open.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// A stream whose writes may not stall longer than `timeout`: a client that stops reading its
/// answers cannot hold its connection forever.
struct WriteDeadline<S> {
    inner: S,
    timeout: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> WriteDeadline<S> {
    fn new(inner: S, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            stalled: None,
        }
    }

    /// After a write that made no progress: an error once it has stalled for `timeout`.
    fn check(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Error> {
        let timeout = self.timeout;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client did not read the answer in time",
            )),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => self.check(cx).map(Err),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match Pin::new(&mut self.inner).poll_flush(cx) {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => self.check(cx).map(Err),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match Pin::new(&mut self.inner).poll_shutdown(cx) {
            Poll::Ready(r) => {
                self.stalled = None;
                Poll::Ready(r)
            }
            Poll::Pending => self.check(cx).map(Err),
        }
    }
}

/// Serve `app` over TLS on `listener` until `shutdown` completes (open connections finish on
/// their own tasks), within `limits` (connections, per source, and the time each phase of a
/// request may take).
pub async fn serve_tls(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
    log: Arc<Log>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let sources = Arc::new(Sources::default());
    let per_source = limits.max_connections_per_source.max(1);
    // A source over its share is logged at most once a minute (an attacker's every
    // connection would flood the log).
    let mut last_refusal_logged: Option<Instant> = None;
    let mut refused_since_log = 0u64;
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
        let ip = peer.ip().to_canonical();
        let Some(slot) = sources.take(ip, per_source) else {
            // Closed at once: its permit goes back with it.
            drop(tcp);
            refused_since_log += 1;
            if last_refusal_logged.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
                log.write(
                    LogLevel::Warn,
                    "connection refused: its source has the most connections allowed (--max-connections-per-source)",
                    json!({"source": ip.to_string(), "max_connections_per_source": per_source, "refused_since_last_log": refused_since_log}),
                );
                last_refusal_logged = Some(Instant::now());
                refused_since_log = 0;
            }
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let app = app.clone();
        let log = log.clone();
        let (header_timeout, body_timeout) = (limits.header_timeout, limits.body_timeout);
        tokio::spawn(async move {
            let _permit = permit;
            // The handshake, and the wait for the source's turn, within the head timeout.
            let handshake = async {
                let _turn = slot.handshakes.acquire().await;
                acceptor.accept(tcp).await
            };
            let stream = match tokio::time::timeout(header_timeout, handshake).await {
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
                .header_read_timeout(header_timeout)
                .keep_alive(true)
                .serve_connection(
                    TokioIo::new(WriteDeadline::new(stream, body_timeout)),
                    service,
                )
                .await;
        });
    }
}
