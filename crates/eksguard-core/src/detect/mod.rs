//! Threat detection from Kubernetes audit logs (`eksguard detect`).
//!
//! Audit events stream through [`Engine`]: each event is parsed once (zero-copy where the text
//! allows), handed to every selected detector, and each detector's hits aggregate into one
//! finding per rule and key (count, first and last seen, bounded evidence). Detectors are the
//! `AUD` rules of the catalog (`Scope::Audit`); the engine is given their detection functions as
//! a [`Detectors`] catalog (the built-in one is `rules::aud::CATALOG`, which also provides
//! [`Engine::new`]): this module never names the rules. Event time, never wall-clock time,
//! drives windows.
//! Every map is capped, so memory stays bounded however long the input. The whole state
//! (aggregates, windows, baselines, input offsets) serializes to JSON for `--state`
//! checkpoints.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod detector;
pub mod event;
pub mod intel;
pub mod reader;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::config::{Config, Date};
use crate::engine::{
    NotEvaluated, Report, SCHEMA_VERSION, SeverityCounts, Summary, Suppressed, Tool,
};
use crate::inventory::{LoadError, ResourceRef};
use crate::rule::{Finding, Rule, Scope};
use crate::suppress::{ExpiredException, Suppressions};

pub use crate::finding::Evidence;
pub use event::Event;
pub use intel::ThreatIntel;

pub use detector::*;

fn add_bounded(set: &mut BTreeSet<String>, v: &str, cap: usize) {
    if !v.is_empty() && set.len() < cap && !set.contains(v) {
        set.insert(v.to_string());
    }
}

impl Evidence {
    fn add(&mut self, ev: &Event<'_>, cap: usize) {
        if self.count == 0 || ev.time < self.first_seen {
            self.first_seen = ev.time;
        }
        if self.count == 0 || ev.time > self.last_seen {
            self.last_seen = ev.time;
        }
        self.count += 1;
        if self.audit_ids.len() < cap && !ev.audit_id.is_empty() {
            self.audit_ids.push(ev.audit_id.to_string());
        }
        add_bounded(&mut self.users, ev.username(), cap);
        for g in &ev.user.groups {
            add_bounded(&mut self.groups, g, cap);
        }
        for ip in &ev.source_ips {
            add_bounded(&mut self.source_ips, ip, cap);
        }
        add_bounded(&mut self.user_agents, &ev.user_agent, cap);
        add_bounded(&mut self.verbs, ev.verb(), cap);
        if !ev.resource().is_empty() {
            add_bounded(&mut self.object_refs, &ev.target(), cap);
        }
        if self.response_codes.len() < cap && ev.code() != 0 {
            self.response_codes.insert(ev.code());
        }
    }
}

/// One aggregated finding.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Aggregate {
    pub rule_id: String,
    pub key: String,
    pub message: String,
    pub resource: ResourceRef,
    pub evidence: Evidence,
    #[serde(skip)]
    dirty: bool,
}

/// A line that was not an audit event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Malformed {
    pub source: String,
    pub line: u64,
    pub message: String,
}

/// Counters over the whole run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    pub lines: u64,
    pub events: u64,
    /// Events skipped as a duplicate stage of the same request.
    pub duplicate_stages: u64,
    pub malformed: u64,
    pub oversized: u64,
    /// Findings evicted because `max_findings` was reached.
    pub findings_evicted: u64,
}

/// Where reading of one input stopped: resume there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub offset: u64,
    pub line: u64,
    /// The file's identity (inode) when the position was taken: a path that names another file
    /// now was rotated, and the rest of the old file is read before the new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_id: Option<u64>,
}

/// Everything a checkpoint holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub stats: Stats,
    pub shared: Shared,
    pub aggregates: Vec<Aggregate>,
    /// The first malformed lines (at most 1000; `stats.malformed` counts them all).
    pub malformed: Vec<Malformed>,
    pub inputs: BTreeMap<String, Position>,
    /// Where the output file of `--follow -o FILE` stood at this checkpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<OutputMark>,
}

/// How much of an output file a checkpoint accounts for: `--follow -o FILE` appends the findings
/// that appear or grow before each checkpoint, and a restart cuts the file back to `len` (the
/// lines written after the last checkpoint are written again when their events are read again),
/// so nothing written before a crash is lost and nothing is doubled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputMark {
    /// The path as given.
    pub path: String,
    /// Bytes of the file written up to the checkpoint.
    pub len: u64,
    /// The file's identity (inode), where there is one: another file at the path is not cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_id: Option<u64>,
}

/// Version of the `--state` file format.
const STATE_VERSION: u32 = 1;
const MAX_MALFORMED_KEPT: usize = 1000;
const MAX_STREAMS: usize = 4096;

/// The streaming detection engine.
pub struct Engine {
    detectors: Vec<Detector>,
    learn: LearnFn,
    opts: Options,
    shared: Shared,
    aggregates: HashMap<(usize, String), Aggregate>,
    stats: Stats,
    malformed: Vec<Malformed>,
    inputs: BTreeMap<String, Position>,
    output: Option<OutputMark>,
    hits: Vec<Hit>,
    last_time: i64,
    /// `eksguard.toml`: severity overrides and exceptions. They shape what is reported, never
    /// what is learnt or aggregated, so changing them between runs over one `--state` is safe.
    config: Config,
    today: Option<Date>,
}

impl Engine {
    /// An engine running the detectors of `catalog` for `rules` (rules without a detector in
    /// it are ignored: they are not audit rules). `Engine::new` (in `rules::aud`) passes the
    /// built-in catalog.
    pub fn with_detectors(catalog: &Detectors, rules: &[&'static Rule], opts: Options) -> Self {
        let detectors = rules.iter().filter_map(|r| catalog.of(r)).collect();
        Self {
            detectors,
            learn: catalog.learn,
            opts,
            shared: Shared::default(),
            aggregates: HashMap::new(),
            stats: Stats::default(),
            malformed: Vec::new(),
            inputs: BTreeMap::new(),
            output: None,
            hits: Vec::new(),
            last_time: 0,
            config: Config::empty(),
            today: None,
        }
    }

    /// Apply `eksguard.toml` to what is reported: severity overrides of audit rules, and
    /// exceptions by rule, namespace, resource name (the identity or the object) and kind, with
    /// their expiry judged on `today`.
    pub fn configure(&mut self, config: Config, today: Option<Date>) {
        self.config = config;
        self.today = today;
    }

    /// Split raw findings into the reported and the suppressed, with severity overrides.
    fn judge(&self, raw: Vec<Finding>) -> (Vec<Finding>, Vec<Suppressed>, Vec<ExpiredException>) {
        let inv = crate::inventory::Inventory::default();
        let suppressions = Suppressions::new(&inv, &self.config, self.today);
        let mut kept = Vec::new();
        let mut suppressed = Vec::new();
        for mut f in raw {
            if let Some(&s) = self.config.severity.get(f.rule_id) {
                f.severity = s;
            }
            match suppressions.find(&f) {
                Some((by, reason)) => suppressed.push(Suppressed {
                    finding: f,
                    reason,
                    suppressed_by: by,
                }),
                None => kept.push(f),
            }
        }
        kept.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        suppressed.sort_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
        (kept, suppressed, suppressions.expired)
    }

    fn raw_findings(&self) -> Vec<Finding> {
        self.aggregates
            .iter()
            .filter_map(|((i, _), a)| self.detectors.get(*i).map(|d| to_finding(d.rule, a)))
            .collect()
    }

    pub fn options(&self) -> &Options {
        &self.opts
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub fn malformed(&self) -> &[Malformed] {
        &self.malformed
    }

    /// Where `source` was last read to.
    pub fn position(&self, source: &str) -> Position {
        self.inputs.get(source).cloned().unwrap_or_default()
    }

    /// Record that `source` has been consumed up to `pos`.
    pub fn set_position(&mut self, source: &str, pos: Position) {
        self.inputs.insert(source.to_string(), pos);
    }

    /// Record a line that is not an event.
    pub(crate) fn reject(&mut self, source: &str, line: u64, message: String) {
        self.stats.malformed += 1;
        if self.malformed.len() < MAX_MALFORMED_KEPT {
            self.malformed.push(Malformed {
                source: source.to_string(),
                line,
                message,
            });
        }
    }

    /// An oversized line, skipped.
    pub(crate) fn reject_oversized(&mut self, source: &str, line: u64, len: u64) {
        self.stats.oversized += 1;
        let max = self.opts.max_line;
        self.reject(
            source,
            line,
            format!(
                "line of {len} bytes is longer than the limit of {max} bytes (--max-line-size); skipped"
            ),
        );
    }

    /// One line of input: an audit event, or a CloudWatch Logs record holding events. A
    /// leading byte-order mark is ignored.
    pub fn process_line(&mut self, source: &str, line: u64, text: &str) {
        self.stats.lines += 1;
        self.process_text(source, line, None, text);
    }

    /// One message read live from CloudWatch Logs (`line`: its order in the run), held to the
    /// same length limit as a line.
    pub fn process_message(&mut self, source: &str, line: u64, text: &str) {
        if text.len() > self.opts.max_line {
            self.stats.lines += 1;
            self.reject_oversized(source, line, text.len() as u64);
            return;
        }
        self.process_line(source, line, text);
    }

    /// One unit of a JSON document read by [`reader::read_documents`].
    pub(crate) fn process_unit(&mut self, source: &str, unit: &reader::Unit<'_>) {
        match *unit {
            reader::Unit::Record {
                of,
                index,
                line,
                text,
            } => {
                self.stats.lines += 1;
                match of {
                    reader::Container::CloudWatch(key) => {
                        self.process_record(source, line, key, index, text);
                    }
                    reader::Container::Document => self.process_text(source, line, None, text),
                    _ => self.process_text(source, line, Some(&of.label(index)), text),
                }
            }
            reader::Unit::TooLong {
                of,
                index,
                line,
                len,
            } => {
                self.stats.lines += 1;
                self.stats.oversized += 1;
                let max = self.opts.max_line;
                let what = match of {
                    reader::Container::Document => "JSON document".to_string(),
                    _ => format!("{}: record", of.label(index)),
                };
                self.reject(
                    source,
                    line,
                    format!(
                        "{what} of {len} bytes is longer than the limit of {max} bytes (--max-line-size); skipped"
                    ),
                );
            }
            reader::Unit::NotUtf8 { of, index, line } => {
                self.stats.lines += 1;
                self.reject(source, line, format!("{}: not UTF-8", of.label(index)));
            }
            reader::Unit::NotArray { key, line } => self.reject(
                source,
                line,
                format!("field `{key}`: expected an array of records; skipped"),
            ),
        }
    }

    /// An audit event or a CloudWatch Logs record as JSON text starting on `line`; `label`
    /// names its place in a document (`items[3]`).
    fn process_text(&mut self, source: &str, line: u64, label: Option<&str>, text: &str) {
        let text = reader::strip_bom(text);
        if text.trim().is_empty() {
            return;
        }
        if label.is_none()
            && let Some(rest) = text.trim_start().strip_prefix('[')
        {
            // An array of events on one line (`jq -c -s`): each element on its own. (serde
            // would otherwise read an array positionally into the event's fields.) Only at the
            // top of a line: an array inside an array is an element that is not an event.
            let mut bytes = rest.as_bytes();
            let max = self.opts.max_line;
            let end = reader::read_documents(
                &mut bytes,
                b'[',
                line.saturating_sub(1),
                max,
                &mut |unit| self.process_unit(source, &unit),
            );
            if let Ok(reader::DocEnd {
                broken: Some((_, why)),
                ..
            }) = end
            {
                self.reject(source, line, format!("not an array of audit events: {why}"));
            }
            return;
        }
        let prefix = label.map(|l| format!("{l}: ")).unwrap_or_default();
        match serde_json::from_str::<Event<'_>>(text) {
            Ok(ev) => self.process_parsed(source, line, &prefix, ev),
            Err(e) => {
                let (at, why) = explain::<Event<'_>>(text, &e);
                self.reject(
                    source,
                    line + at.saturating_sub(1),
                    format!("{prefix}not an audit event: {why}"),
                );
            }
        }
    }

    /// Record `index` of the CloudWatch Logs array `key` (`events` or `logEvents`): an object
    /// whose `message` is an audit event as a string.
    fn process_record(&mut self, source: &str, line: u64, key: &str, index: u64, text: &str) {
        let le = match serde_json::from_str::<event::LogEvent<'_>>(text) {
            Ok(le) => le,
            Err(e) => {
                let (at, why) = explain::<event::LogEvent<'_>>(text, &e);
                self.reject(
                    source,
                    line + at.saturating_sub(1),
                    format!("{key}[{index}]: not a CloudWatch Logs event: {why}"),
                );
                return;
            }
        };
        let Some(message) = le.message else {
            self.reject(
                source,
                line,
                format!(
                    "{key}[{index}]: `message` is missing or null (expected a string holding an audit event)"
                ),
            );
            return;
        };
        let message = reader::strip_bom(&message);
        match serde_json::from_str::<Event<'_>>(message) {
            Ok(inner) if !inner.audit_id.is_empty() || !inner.verb.is_empty() => {
                self.process_event(inner);
            }
            Ok(_) => self.reject(
                source,
                line,
                format!("{key}[{index}]: `message` is not an audit event: no auditID or verb"),
            ),
            Err(e) => {
                let (_, why) = explain::<Event<'_>>(message, &e);
                self.reject(
                    source,
                    line,
                    format!("{key}[{index}]: `message` is not an audit event: {why}"),
                );
            }
        }
    }

    fn process_parsed(&mut self, source: &str, line: u64, prefix: &str, mut ev: Event<'_>) {
        let wrapped = [
            ("events", ev.events.take()),
            ("logEvents", ev.log_events.take()),
        ];
        let mut any = false;
        for (key, list) in wrapped {
            let Some(list) = list else { continue };
            any = true;
            for (i, raw) in list.iter().enumerate() {
                self.process_record(source, line, key, i as u64, raw.get());
            }
        }
        if any {
            return;
        }
        if ev.audit_id.is_empty() && ev.verb.is_empty() {
            self.reject(
                source,
                line,
                format!("{prefix}not an audit event: no auditID or verb"),
            );
            return;
        }
        self.process_event(ev);
    }

    /// Run every detector on one event.
    pub(crate) fn process_event(&mut self, mut ev: Event<'_>) {
        let streaming = matches!(ev.subresource(), "exec" | "attach" | "portforward");
        match ev.stage.as_str() {
            "RequestReceived" => return,
            "ResponseStarted" if !streaming => return,
            _ => {}
        }
        if streaming && !ev.audit_id.is_empty() {
            let id = ev.audit_id.as_str();
            if self.shared.streams.iter().any(|s| s == id) {
                self.stats.duplicate_stages += 1;
                return;
            }
            if self.shared.streams.len() >= MAX_STREAMS {
                self.shared.streams.pop_front();
            }
            self.shared.streams.push_back(id.to_string());
        }
        ev.name_created_object();
        ev.time = event::parse_time(&ev.request_received_timestamp)
            .or_else(|| event::parse_time(&ev.stage_timestamp))
            .unwrap_or(self.last_time);
        self.last_time = self.last_time.max(ev.time);
        self.stats.events += 1;
        if self.shared.first_time.is_none_or(|f| ev.time < f) {
            self.shared.first_time = Some(ev.time);
        }
        let mut hits = std::mem::take(&mut self.hits);
        {
            let mut cx = Cx {
                state: &mut self.shared,
                opts: &self.opts,
                rule: 0,
                hits: &mut hits,
            };
            for (i, d) in self.detectors.iter().enumerate() {
                cx.rule = i;
                (d.detect)(&ev, &mut cx);
            }
        }
        (self.learn)(&ev, &mut self.shared, &self.opts);
        for hit in hits.drain(..) {
            self.aggregate(hit, &ev);
        }
        self.hits = hits;
    }

    fn aggregate(&mut self, hit: Hit, ev: &Event<'_>) {
        let cap = self.opts.max_evidence;
        let key = (hit.rule, hit.key);
        if !self.aggregates.contains_key(&key) && self.aggregates.len() >= self.opts.max_findings {
            self.evict_findings();
        }
        let rule_id = self
            .detectors
            .get(hit.rule)
            .map(|d| d.rule.id)
            .unwrap_or_default();
        let agg = self
            .aggregates
            .entry(key)
            .or_insert_with_key(|k| Aggregate {
                rule_id: rule_id.to_string(),
                key: k.1.clone(),
                message: hit.message,
                resource: hit.resource,
                evidence: Evidence::default(),
                dirty: true,
            });
        agg.evidence.add(ev, cap);
        agg.dirty = true;
    }

    /// Drop the half of the findings seen least recently.
    fn evict_findings(&mut self) {
        let mut times: Vec<i64> = self
            .aggregates
            .values()
            .map(|a| a.evidence.last_seen)
            .collect();
        let mid = times.len() / 2;
        let (_, median, _) = times.select_nth_unstable(mid);
        let median = *median;
        let before = self.aggregates.len();
        self.aggregates.retain(|_, a| a.evidence.last_seen > median);
        self.stats.findings_evicted += (before - self.aggregates.len()) as u64;
    }

    fn rule_index(&self, id: &str) -> Option<usize> {
        self.detectors.iter().position(|d| d.rule.id == id)
    }

    /// The current findings, sorted (worst first).
    /// (Findings an `eksguard.toml` exception covers are not among them: see [`Engine::report`].)
    pub fn findings(&self) -> Vec<Finding> {
        self.judge(self.raw_findings()).0
    }

    /// Findings new or grown since the last call (for `--follow` output).
    pub fn take_updates(&mut self) -> Vec<Finding> {
        let mut out = Vec::new();
        for ((i, _), a) in &mut self.aggregates {
            if a.dirty {
                a.dirty = false;
                if let Some(d) = self.detectors.get(*i) {
                    out.push(to_finding(d.rule, a));
                }
            }
        }
        self.judge(out).0
    }

    /// The foundation's report: findings, rules that found nothing, malformed lines as errors.
    pub fn report(&self, version: &'static str, not_evaluated: Vec<NotEvaluated>) -> Report {
        let (findings, suppressed, expired) = self.judge(self.raw_findings());
        let mut by_severity = SeverityCounts::default();
        for f in &findings {
            by_severity.add(f.severity);
        }
        let failed: BTreeSet<&str> = findings.iter().map(|f| f.rule_id).collect();
        let passed: Vec<&'static Rule> = self
            .detectors
            .iter()
            .map(|d| d.rule)
            .filter(|r| !failed.contains(r.id))
            .collect();
        let errors: Vec<LoadError> = self
            .malformed
            .iter()
            .map(|m| LoadError {
                path: m.source.clone(),
                line: u32::try_from(m.line).ok(),
                message: m.message.clone(),
            })
            .collect();
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "eksguard",
                version,
            },
            summary: Summary {
                findings: findings.len(),
                by_severity,
                rules_selected: self.detectors.len() + not_evaluated.len(),
                rules_failed: failed.len(),
                rules_passed: passed.len(),
                rules_not_evaluated: not_evaluated.len(),
                documents: self.inputs.len(),
                objects: usize::try_from(self.stats.events).unwrap_or(usize::MAX),
                skipped_inputs: 0,
                errors: usize::try_from(self.stats.malformed).unwrap_or(usize::MAX),
                suppressed: suppressed.len(),
            },
            findings,
            suppressed,
            expired_exceptions: expired,
            baseline: None,
            not_evaluated,
            skipped_inputs: Vec::new(),
            errors,
            passed,
            rules: self.detectors.iter().map(|d| d.rule).collect(),
        }
    }

    /// The checkpoint: everything needed to resume exactly where this engine is.
    pub fn state(&self) -> State {
        let mut aggregates: Vec<Aggregate> = self.aggregates.values().cloned().collect();
        aggregates.sort_by(|a, b| (&a.rule_id, &a.key).cmp(&(&b.rule_id, &b.key)));
        State {
            version: STATE_VERSION,
            stats: self.stats.clone(),
            shared: self.shared.clone(),
            aggregates,
            malformed: self.malformed.clone(),
            inputs: self.inputs.clone(),
            output: self.output.clone(),
        }
    }

    /// Where the output file stood at the last checkpoint restored or recorded.
    pub fn output_mark(&self) -> Option<&OutputMark> {
        self.output.as_ref()
    }

    /// Record where the output file stands, for the next checkpoint.
    pub fn set_output_mark(&mut self, mark: Option<OutputMark>) {
        self.output = mark;
    }

    /// Resume from a checkpoint. Aggregates of rules not selected now are dropped.
    pub fn restore(&mut self, state: State) -> Result<(), String> {
        if state.version != STATE_VERSION {
            return Err(format!(
                "state file version {} is not {STATE_VERSION}",
                state.version
            ));
        }
        self.stats = state.stats;
        self.shared = state.shared;
        self.malformed = state.malformed;
        self.inputs = state.inputs;
        self.output = state.output;
        self.last_time = self.shared.first_time.unwrap_or_default();
        self.aggregates.clear();
        for mut a in state.aggregates {
            self.last_time = self.last_time.max(a.evidence.last_seen);
            if let Some(i) = self.rule_index(&a.rule_id) {
                a.dirty = false;
                self.aggregates.insert((i, a.key.clone()), a);
            }
        }
        Ok(())
    }
}

fn to_finding(rule: &'static Rule, a: &Aggregate) -> Finding {
    let r = &a.resource;
    Finding {
        rule_id: rule.id,
        rule_name: rule.name,
        severity: rule.severity,
        domain: rule.domain,
        resource: a.resource.clone(),
        message: a.message.clone(),
        location: None,
        remediation: std::borrow::Cow::Borrowed(rule.remediation),
        references: &rule.references,
        fingerprint: crate::engine::fingerprint_of(
            rule.id,
            &r.kind,
            r.namespace.as_deref().unwrap_or_default(),
            &r.name,
            &a.key,
            &a.message,
        ),
        baseline: None,
        evidence: Some(Box::new(a.evidence.clone())),
    }
}

/// Whether `rule` runs on audit events (and only there).
pub fn is_audit_rule(rule: &Rule) -> bool {
    rule.scope == Scope::Audit
}

/// Where and why `text` is not a `T`, in words that never quote a value of the input (a request
/// body can hold a Secret): the line within `text`, and the syntax error or the field with the
/// type it should have had.
fn explain<'a, T: Deserialize<'a>>(text: &'a str, e: &serde_json::Error) -> (u64, String) {
    use serde_json::error::Category;
    let line = e.line() as u64;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            // serde_json's syntax messages name the expected token, never the input.
            let full = e.to_string();
            let what = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(w, _)| w);
            (line, format!("{what} at column {}", e.column()))
        }
        Category::Data => {
            // Parse again, tracking the path, to name the field (only failing parses pay).
            let mut de = serde_json::Deserializer::from_str(text);
            let tracked = serde_path_to_error::deserialize::<_, T>(&mut de);
            let (path, inner) = match &tracked {
                Err(t) => (t.path().to_string(), t.inner().to_string()),
                Ok(_) => (String::from("?"), e.to_string()),
            };
            let why = crate::safe_error::type_error(&inner, None);
            if path.is_empty() || path == "." || path == "?" {
                (line, why)
            } else {
                (line, format!("field `{path}`: {why}"))
            }
        }
    }
}

/// An input whose structure is broken (a JSON document with a syntax error outside its records,
/// or that ends inside itself): every record before `line` was read, nothing after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: {}; the records before it were read, nothing after it",
            self.line, self.message
        )
    }
}

impl std::error::Error for Unreadable {}

/// How [`feed`] reads one input.
#[derive(Debug, Clone, Copy, Default)]
pub struct Feed {
    /// Start at the engine's recorded position for the source (the caller has positioned a
    /// plain input there already; for gzip the decompressed bytes before it are skipped here).
    pub resume: bool,
    /// The input is still being written: a last line without its line break is left for the
    /// next call.
    pub follow: bool,
    /// Call the checkpoint callback after this many lines (0: only at the end).
    pub checkpoint_every: u64,
}

/// Feed one opened input through `engine`: auto-detects gzip, JSON lines, CloudWatch Logs
/// subscription records and pretty-printed CloudWatch CLI output. The engine's position for
/// `source` is kept in step with what has been processed, and `checkpoint` is called with the
/// engine at line boundaries (every `checkpoint_every` lines and at the end), so a checkpoint
/// never holds half a line's effects.
pub fn feed<R: std::io::Read>(
    engine: &mut Engine,
    source: &str,
    input: R,
    how: Feed,
    checkpoint: &mut dyn FnMut(&mut Engine) -> std::io::Result<()>,
) -> std::io::Result<reader::Encoding> {
    let (mut buf, encoding) = reader::decode(input)?;
    let start = if how.resume {
        engine.position(source)
    } else {
        Position::default()
    };
    if encoding == reader::Encoding::Gzip && start.offset > 0 {
        std::io::copy(
            &mut std::io::Read::take(&mut buf, start.offset),
            &mut std::io::sink(),
        )?;
    }
    let max_line = engine.opts.max_line;
    let mut document: Option<reader::DocEnd> = None;
    let mut lines = reader::Lines::new(buf, max_line).starting_at(start.line, start.offset);
    lines.final_partial = !how.follow;
    let mut first = start.offset == 0;
    let mut since = 0u64;
    loop {
        let next_line = lines.line_number() + 1;
        // A read error mid-stream (a corrupt gzip member, a device error) stops this input:
        // it is reported at the line it happened on, after every line before it was read.
        let item = match lines.next_item() {
            Ok(Some(item)) => item,
            Ok(None) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(std::io::Error::new(
                    e.kind(),
                    Unreadable {
                        line: next_line,
                        message: e.to_string(),
                    },
                ));
            }
        };
        match item {
            reader::Item::Line { line, text, .. } => {
                if first && let Some(open) = reader::opens_document(text) {
                    let end = reader::read_documents(
                        lines.inner_mut(),
                        open,
                        line,
                        max_line,
                        &mut |unit| engine.process_unit(source, &unit),
                    )?;
                    document = Some(end);
                    break;
                }
                if !text.trim().is_empty() {
                    first = false;
                }
                engine.process_line(source, line, text);
            }
            reader::Item::TooLong { line, len, .. } => {
                first = false;
                engine.reject_oversized(source, line, len);
            }
            reader::Item::NotUtf8 { line, .. } => {
                first = false;
                engine.reject(source, line, "line is not UTF-8".into());
            }
        }
        since += 1;
        if how.checkpoint_every > 0 && since >= how.checkpoint_every {
            since = 0;
            engine.set_position(
                source,
                Position {
                    offset: lines.offset(),
                    line: lines.line_number(),
                    file_id: start.file_id,
                },
            );
            checkpoint(engine)?;
        }
    }
    let (offset, line) = match &document {
        Some(d) => (lines.offset() + d.consumed, d.lines),
        None => (lines.offset(), lines.line_number()),
    };
    engine.set_position(
        source,
        Position {
            offset,
            line,
            file_id: start.file_id,
        },
    );
    checkpoint(engine)?;
    if let Some(reader::DocEnd {
        broken: Some((line, message)),
        ..
    }) = document
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            Unreadable { line, message },
        ));
    }
    Ok(encoding)
}
