//! Prometheus metrics, in the text exposition format: requests, decisions by rule and mode, and a
//! latency histogram. Label sets are bounded: kinds and operations come from the API server,
//! rules from the catalog and the loaded policies.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::review::Outcome;

/// Upper bounds of the latency histogram, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Kinds and rules beyond this many distinct values are counted as `other`.
const MAX_SERIES: usize = 2_000;

#[derive(Default)]
pub struct Metrics {
    /// (kind, operation, result) -> count; result is allowed, denied, skipped, error.
    requests: Mutex<BTreeMap<(String, String, &'static str), u64>>,
    /// (rule, mode) -> count (dry-run requests excluded).
    decisions: Mutex<BTreeMap<(String, &'static str), u64>>,
    /// Requests refused before review: bad request, too large, overloaded, deadline.
    rejected: Mutex<BTreeMap<&'static str, u64>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K, other: impl FnOnce() -> K) {
    let mut m = map
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let key = if m.len() >= MAX_SERIES && !m.contains_key(&key) {
        other()
    } else {
        key
    };
    *m.entry(key).or_insert(0) += 1;
}

impl Metrics {
    /// Record a reviewed request.
    pub fn reviewed(&self, o: &Outcome, latency: Duration) {
        let result = if o.error.is_some() {
            "error"
        } else if o.skipped.is_some() {
            "skipped"
        } else if o.allowed {
            "allowed"
        } else {
            "denied"
        };
        bump(
            &self.requests,
            (o.kind.clone(), o.operation.clone(), result),
            || ("other".into(), "other".into(), result),
        );
        if !o.dry_run {
            for (rule, mode) in &o.decisions {
                bump(&self.decisions, (rule.clone(), mode.as_str()), || {
                    ("other".into(), mode.as_str())
                });
            }
        }
        self.observe(latency);
    }

    /// Record a request refused before review (`reason`: bad_request, too_large, overloaded,
    /// deadline).
    pub fn rejected(&self, reason: &'static str, latency: Duration) {
        bump(&self.rejected, reason, || reason);
        self.observe(latency);
    }

    fn observe(&self, latency: Duration) {
        let secs = latency.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                self.buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(
            u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let esc = |v: &str| {
            v.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        };
        s.push_str("# HELP eksguard_admission_requests_total Admission reviews answered, by kind, operation and result.\n");
        s.push_str("# TYPE eksguard_admission_requests_total counter\n");
        for ((kind, op, result), n) in self
            .requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                s,
                "eksguard_admission_requests_total{{kind=\"{}\",operation=\"{}\",result=\"{result}\"}} {n}",
                esc(kind),
                esc(op)
            );
        }
        s.push_str("# HELP eksguard_admission_decisions_total Findings acted on, by rule and mode (enforce: denied, warn: warned, audit: annotated); dry runs excluded.\n");
        s.push_str("# TYPE eksguard_admission_decisions_total counter\n");
        for ((rule, mode), n) in self
            .decisions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                s,
                "eksguard_admission_decisions_total{{rule=\"{}\",mode=\"{mode}\"}} {n}",
                esc(rule)
            );
        }
        s.push_str(
            "# HELP eksguard_admission_rejected_total Requests refused before review, by reason.\n",
        );
        s.push_str("# TYPE eksguard_admission_rejected_total counter\n");
        for (reason, n) in self
            .rejected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                s,
                "eksguard_admission_rejected_total{{reason=\"{reason}\"}} {n}"
            );
        }
        s.push_str("# HELP eksguard_admission_duration_seconds Time from request to response.\n");
        s.push_str("# TYPE eksguard_admission_duration_seconds histogram\n");
        for (i, b) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                s,
                "eksguard_admission_duration_seconds_bucket{{le=\"{b}\"}} {}",
                self.buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            s,
            "eksguard_admission_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        #[allow(clippy::cast_precision_loss)]
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(s, "eksguard_admission_duration_seconds_sum {sum}");
        let _ = writeln!(s, "eksguard_admission_duration_seconds_count {count}");
        s
    }
}
