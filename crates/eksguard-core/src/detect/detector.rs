//! What an audit detector sees and reports into: the [`Detector`] record and the
//! [`Detectors`] catalog the engine is given, the tunables ([`Options`]), the state detectors
//! share across events ([`Shared`], [`Profile`], bounded maps and windows) and the context
//! ([`Cx`]) a detection function fires into. The detectors (`rules::aud`) import this module and
//! the event model, never the engine in `detect`, which imports them only as a parameter.

use std::collections::{BTreeSet, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::event::Event;
use super::intel::ThreatIntel;
use super::reader;
use crate::inventory::ResourceRef;
use crate::rule::Rule;

/// A detection function: look at one event, report hits into the context.
pub type DetectFn = fn(&Event<'_>, &mut Cx<'_>);

/// An `AUD` rule and its detection function.
#[derive(Debug, Clone, Copy)]
pub struct Detector {
    pub rule: &'static Rule,
    pub detect: DetectFn,
}

/// The audit detectors an engine can run, passed to [`Engine::with_detectors`]: each `AUD`
/// rule's detection function, and the learning step run once per event after them (the
/// baselines that anomaly detectors read).
#[derive(Debug, Clone, Copy)]
pub struct Detectors {
    pub detectors: &'static [Detector],
    pub learn: LearnFn,
}

/// Learns from one event after the detectors saw it (profiles of identities, for anomalies).
pub type LearnFn = fn(&Event<'_>, &mut Shared, &Options);

impl Detectors {
    /// The registered detector of `rule`, if it is an audit rule of this catalog.
    pub fn of(&self, rule: &Rule) -> Option<Detector> {
        self.detectors
            .iter()
            .find(|d| d.rule.id == rule.id)
            .copied()
    }
}

/// Tunables. Defaults suit a production cluster; tests shorten the windows.
#[derive(Debug, Clone)]
pub struct Options {
    /// Longest accepted line, and longest record of a JSON document (an element of `events`,
    /// `logEvents` or `items`, or a whole pretty-printed event), in bytes.
    pub max_line: usize,
    /// Anomaly detection learns for this long (event time from the first event) before it
    /// reports.
    pub warmup_secs: i64,
    /// Errors (401/403/404) from one source within `burst_window_secs` that make a burst.
    pub burst_threshold: u32,
    pub burst_window_secs: i64,
    /// Distinct secrets one identity reads within `enum_window_secs` that make an enumeration.
    pub enum_threshold: usize,
    pub enum_window_secs: i64,
    /// Most aggregated findings kept (the oldest are evicted and counted beyond it).
    pub max_findings: usize,
    /// Most identities, sources and windows remembered per kind.
    pub max_identities: usize,
    /// Evidence values kept per finding and field.
    pub max_evidence: usize,
    pub intel: ThreatIntel,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_line: reader::DEFAULT_MAX_LINE,
            warmup_secs: 24 * 3600,
            burst_threshold: 20,
            burst_window_secs: 300,
            enum_threshold: 10,
            enum_window_secs: 600,
            max_findings: 100_000,
            max_identities: 50_000,
            max_evidence: 10,
            intel: ThreatIntel::default(),
        }
    }
}

/// A map from names (identities, addresses) that keeps at most `cap` entries: when full, the
/// least recently touched half goes. Lookups take `&str`, so the hot path allocates only when a
/// name is new.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Capped<V> {
    map: HashMap<String, (V, u64)>,
    tick: u64,
    pub evicted: u64,
}

impl<V> Default for Capped<V> {
    fn default() -> Self {
        Self {
            map: HashMap::new(),
            tick: 0,
            evicted: 0,
        }
    }
}

impl<V> Capped<V> {
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn get(&self, k: &str) -> Option<&V> {
        self.map.get(k).map(|(v, _)| v)
    }

    /// The entry for `k`, created with `init` if absent; touching it keeps it. (Always `Some`;
    /// an `Option` because the standard map cannot hand back a fresh entry without a second
    /// lookup.)
    pub fn entry(&mut self, k: &str, cap: usize, init: impl FnOnce() -> V) -> Option<&mut V> {
        self.tick += 1;
        let tick = self.tick;
        if !self.map.contains_key(k) {
            if self.map.len() >= cap.max(2) {
                self.evict_half();
            }
            self.map.insert(k.to_string(), (init(), tick));
        }
        self.map.get_mut(k).map(|slot| {
            slot.1 = tick;
            &mut slot.0
        })
    }

    fn evict_half(&mut self) {
        let mut ticks: Vec<u64> = self.map.values().map(|(_, t)| *t).collect();
        let mid = ticks.len() / 2;
        let (_, median, _) = ticks.select_nth_unstable(mid);
        let median = *median;
        let before = self.map.len();
        self.map.retain(|_, (_, t)| *t > median);
        self.evicted += (before - self.map.len()) as u64;
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.map.values().map(|(v, _)| v)
    }
}

/// Errors from one source inside a window.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Window {
    pub start: i64,
    pub count: u32,
    pub names: BTreeSet<String>,
    /// Whether this window already reported.
    pub fired: bool,
}

impl Window {
    /// Restart the window when `t` is past it.
    pub fn roll(&mut self, t: i64, secs: i64) {
        if t - self.start > secs * 1_000_000 || t < self.start {
            *self = Window {
                start: t,
                ..Window::default()
            };
        }
    }
}

/// What one identity has done: the baseline of anomaly detection.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Profile {
    pub first_seen: i64,
    /// Bit set of [`Action`]s seen.
    pub actions: u32,
    /// Hashes of the source networks seen (at most [`PROFILE_NETWORKS`]).
    #[serde(default)]
    pub networks: Vec<u64>,
    /// Hashes of the client products (user agents up to the first `/`) seen (at most
    /// [`PROFILE_CLIENTS`]).
    #[serde(default)]
    pub clients: Vec<u64>,
    /// Bit set of the verbs used (see [`verb_bit`]).
    #[serde(default)]
    pub verbs: u32,
    /// Hashes of the `verb resource[/subresource]` pairs used (at most [`PROFILE_RESOURCES`]).
    #[serde(default)]
    pub resources: Vec<u64>,
    /// Hashes of the namespaces acted in (at most [`PROFILE_NAMESPACES`]).
    #[serde(default)]
    pub namespaces: Vec<u64>,
}

impl Profile {
    /// Remember `key` in a bounded baseline list; a full list learns nothing more (and is no
    /// longer judged on: see [`Profile::is_new`]).
    pub(crate) fn remember(list: &mut Vec<u64>, key: u64, cap: usize) {
        if list.len() < cap && !list.contains(&key) {
            list.push(key);
        }
    }

    /// Whether `key` is new to a bounded baseline list that still has room: an identity that
    /// already filled it does too many different things for "new" to mean anything.
    pub(crate) fn is_new(list: &[u64], key: u64, cap: usize) -> bool {
        list.len() < cap && !list.contains(&key)
    }
}

/// Source networks remembered per identity.
pub(crate) const PROFILE_NETWORKS: usize = 16;
/// Client products remembered per identity.
pub(crate) const PROFILE_CLIENTS: usize = 8;
/// `verb resource` pairs remembered per identity.
pub(crate) const PROFILE_RESOURCES: usize = 64;
/// Namespaces remembered per identity.
pub(crate) const PROFILE_NAMESPACES: usize = 32;

/// The bit of a verb in [`Profile::verbs`]; unknown verbs share the last bit.
pub(crate) fn verb_bit(verb: &str) -> u32 {
    const VERBS: [&str; 12] = [
        "get",
        "list",
        "watch",
        "create",
        "update",
        "patch",
        "delete",
        "deletecollection",
        "impersonate",
        "bind",
        "escalate",
        "approve",
    ];
    let i = VERBS.iter().position(|v| *v == verb).unwrap_or(VERBS.len());
    1 << i
}

/// The baseline key of the `verb resource[/subresource]` pair of an event, computed without
/// allocating.
pub(crate) fn resource_key(verb: &str, resource: &str, subresource: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in verb
        .bytes()
        .chain(std::iter::once(b' '))
        .chain(resource.bytes())
        .chain(std::iter::once(b'/'))
        .chain(subresource.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// FNV-1a of a string: compact baseline entries.
pub(crate) fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The network of a source address for baselines: the /16 of an IPv4 address (a VPC), the /48
/// of an IPv6 one; None for names (AWS-internal callers).
pub(crate) fn network_of(ip: &str) -> Option<String> {
    match ip.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(v4) => {
            let [a, b, _, _] = v4.octets();
            Some(format!("{a}.{b}.0.0/16"))
        }
        std::net::IpAddr::V6(v6) => {
            let [a, b, c, ..] = v6.segments();
            Some(format!("{a:x}:{b:x}:{c:x}::/48"))
        }
    }
}

/// The baseline key of [`network_of`], computed without allocating: learning runs on every
/// event.
pub(crate) fn network_key(ip: &str) -> Option<u64> {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    match ip.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(v4) => {
            let [a, b, _, _] = v4.octets();
            for x in [4, a, b] {
                mix(x);
            }
        }
        std::net::IpAddr::V6(v6) => {
            mix(6);
            for seg in v6.segments().into_iter().take(3) {
                for x in seg.to_be_bytes() {
                    mix(x);
                }
            }
        }
    }
    Some(h)
}

/// The client product of a user agent: `kubectl/v1.31.0 (darwin/arm64)` is `kubectl`.
pub(crate) fn client_of(user_agent: &str) -> &str {
    user_agent.split('/').next().unwrap_or_default().trim()
}

/// Sensitive actions whose first appearance for an identity is an anomaly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SecretsAccessed,
    RoleBindingCreated,
    RoleCreated,
    ExecInPod,
    WorkloadDeployed,
    PermissionChecked,
}

impl Action {
    pub(crate) fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// State detectors share across events. Serialized into `--state` checkpoints.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Shared {
    /// Event time of the first event: the warm-up starts there.
    pub first_time: Option<i64>,
    pub error_bursts: Capped<Window>,
    pub secret_reads: Capped<Window>,
    pub profiles: Capped<Profile>,
    /// Image repositories deployed during the warm-up.
    pub images: Capped<()>,
    /// Audit IDs of exec/attach/port-forward streams already counted (both stages are logged).
    pub streams: VecDeque<String>,
}

impl Shared {
    /// Whether the warm-up is over at `t`.
    pub(crate) fn warmed_up(&self, t: i64, opts: &Options) -> bool {
        self.first_time
            .is_some_and(|f| t - f >= opts.warmup_secs.saturating_mul(1_000_000))
    }
}

/// One hit of one detector, before aggregation (the engine's).
pub(super) struct Hit {
    pub(super) rule: usize,
    pub(super) key: String,
    pub(super) message: String,
    pub(super) resource: ResourceRef,
}

/// What a detector sees besides the event, and where it reports.
pub struct Cx<'s> {
    pub state: &'s mut Shared,
    pub opts: &'s Options,
    pub(super) rule: usize,
    pub(super) hits: &'s mut Vec<Hit>,
}

impl Cx<'_> {
    /// Report a hit. Hits with the same `key` aggregate into one finding (the first message
    /// and resource are kept).
    pub fn fire(&mut self, key: String, resource: ResourceRef, message: String) {
        self.hits.push(Hit {
            rule: self.rule,
            key,
            message,
            resource,
        });
    }
}

/// The Kubernetes object an event acts on, as a finding's resource.
pub(crate) fn object_of(ev: &Event<'_>) -> ResourceRef {
    let o = &ev.object_ref;
    let mut kind = o.resource.to_string();
    if !o.subresource.is_empty() {
        kind.push('/');
        kind.push_str(&o.subresource);
    }
    ResourceRef {
        kind,
        namespace: (!o.namespace.is_empty()).then(|| o.namespace.to_string()),
        name: o.name.to_string(),
        api_version: None,
        arn: None,
    }
}

/// An identity (user or service account) as a finding's resource.
pub(crate) fn identity_of(ev: &Event<'_>) -> ResourceRef {
    ResourceRef {
        kind: "User".into(),
        namespace: None,
        name: ev.username().to_string(),
        api_version: None,
        arn: None,
    }
}

/// A source address as a finding's resource.
pub(crate) fn source_of(ip: &str) -> ResourceRef {
    ResourceRef {
        kind: "SourceIP".into(),
        namespace: None,
        name: ip.to_string(),
        api_version: None,
        arn: None,
    }
}
