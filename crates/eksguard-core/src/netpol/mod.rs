//! NetworkPolicy analysis: who may talk to whom under Kubernetes NetworkPolicy semantics, per
//! namespace and workload, and whether anything enforces the policies at all.
//!
//! The model follows `networking.k8s.io/v1` exactly:
//! - a policy selects the pods of its own namespace matched by `podSelector` (`{}` = all);
//! - `policyTypes` defaults to `[Ingress]`, plus `Egress` when the policy has egress rules;
//! - a pod is isolated for a direction only when some policy selecting it has that type, and
//!   then the allowed traffic is the union of every such policy's rules (policies only add);
//! - a rule with no (or an empty) `from`/`to` matches every peer, with no `ports` every port;
//! - a peer is `ipBlock` (`cidr` minus `except`), `podSelector` (pods of the policy's
//!   namespace), `namespaceSelector` (all pods of the matching namespaces), or both selectors
//!   (the matching pods of the matching namespaces); namespaces carry the automatic
//!   `kubernetes.io/metadata.name` label;
//! - a port is a number (with an optional `endPort` range) or a container port name resolved
//!   against the destination pod; `protocol` defaults to TCP;
//! - traffic flows only when the source's egress AND the destination's ingress allow it.
//!
//! Pods are the pod templates of the inventory's workloads. Pod IPs are unknown offline: an
//! `ipBlock` is taken to include pods only when it is `0.0.0.0/0` or `::/0` without `except`
//! (the behaviour of the VPC CNI agent, Calico and Cilium for such blocks).

pub mod cidr;
mod engine;

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;

pub use self::engine::{EngineStatus, policy_engine};
use crate::inventory::{Inventory, Obj, ResourceRef, Workload, is_system_namespace};

/// The instance metadata service address.
pub const IMDS: IpAddr = IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254));

/// A transport protocol of a NetworkPolicy port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    fn parse_k8s(s: Option<&str>) -> Option<Self> {
        match s.unwrap_or("TCP").to_ascii_uppercase().as_str() {
            "TCP" => Some(Self::Tcp),
            "UDP" => Some(Self::Udp),
            "SCTP" => Some(Self::Sctp),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tcp => "TCP",
            Self::Udp => "UDP",
            Self::Sctp => "SCTP",
        })
    }
}

/// A destination port: `8080`, `53/UDP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PortQuery {
    pub port: u16,
    pub protocol: Protocol,
}

impl FromStr for PortQuery {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (p, proto) = match s.split_once('/') {
            Some((p, proto)) => (p, Some(proto)),
            None => (s, None),
        };
        let port = p
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("`{s}`: the port must be a number from 1 to 65535"))?;
        let protocol = Protocol::parse_k8s(proto.map(str::trim))
            .ok_or_else(|| format!("`{s}`: the protocol must be TCP, UDP or SCTP"))?;
        Ok(Self { port, protocol })
    }
}

impl fmt::Display for PortQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.port, self.protocol)
    }
}

/// A workload named on the command line: `NAMESPACE/NAME` or `KIND/NAMESPACE/NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadRef {
    pub kind: Option<String>,
    pub namespace: String,
    pub name: String,
}

impl FromStr for WorkloadRef {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let ok = |p: &&str| !p.trim().is_empty();
        match parts.as_slice() {
            [ns, name] if ok(ns) && ok(name) => Ok(Self {
                kind: None,
                namespace: (*ns).to_string(),
                name: (*name).to_string(),
            }),
            [kind, ns, name] if ok(kind) && ok(ns) && ok(name) => Ok(Self {
                kind: Some((*kind).to_string()),
                namespace: (*ns).to_string(),
                name: (*name).to_string(),
            }),
            _ => Err(format!(
                "`{s}`: expected NAMESPACE/WORKLOAD or KIND/NAMESPACE/NAME (e.g. shop/web, Deployment/shop/web)"
            )),
        }
    }
}

impl fmt::Display for WorkloadRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Some(k) => write!(f, "{k}/{}/{}", self.namespace, self.name),
            None => write!(f, "{}/{}", self.namespace, self.name),
        }
    }
}

/// Why a workload named on the command line could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    NotFound(String),
    Ambiguous(String, Vec<String>),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound(w) => write!(f, "no workload {w} in the input"),
            Self::Ambiguous(w, c) => write!(
                f,
                "{w} is ambiguous: {}; name it as KIND/NAMESPACE/NAME",
                c.join(", ")
            ),
        }
    }
}

impl std::error::Error for LookupError {}

/// Find the workload `r` names.
pub fn resolve<'a>(inv: &'a Inventory, r: &WorkloadRef) -> Result<&'a Workload, LookupError> {
    let found: Vec<&Workload> = inv
        .workloads
        .iter()
        .filter(|w| {
            w.namespace() == r.namespace
                && w.res.name == r.name
                && r.kind
                    .as_deref()
                    .is_none_or(|k| k.eq_ignore_ascii_case(&w.res.kind))
        })
        .collect();
    match found.as_slice() {
        [] => Err(LookupError::NotFound(r.to_string())),
        [one] => Ok(one),
        many => Err(LookupError::Ambiguous(
            r.to_string(),
            many.iter()
                .map(|w| format!("{}/{}/{}", w.res.kind, w.namespace(), w.res.name))
                .collect(),
        )),
    }
}

/// A NetworkPolicy named in a verdict.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PolicyRef {
    pub namespace: String,
    pub name: String,
}

impl PolicyRef {
    fn of(p: &Obj<NetworkPolicy>) -> Self {
        Self {
            namespace: policy_namespace(p).to_string(),
            name: p.res.name.clone(),
        }
    }
}

impl fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// The namespace of a policy (`default` when the manifest leaves it out).
pub fn policy_namespace(p: &Obj<NetworkPolicy>) -> &str {
    p.res.namespace.as_deref().unwrap_or("default")
}

/// A traffic direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

/// `policyTypes` as the API server defaults it: `(ingress, egress)`.
pub fn policy_types(spec: &NetworkPolicySpec) -> (bool, bool) {
    match &spec.policy_types {
        Some(t) if !t.is_empty() => (
            t.iter().any(|t| t == "Ingress"),
            t.iter().any(|t| t == "Egress"),
        ),
        _ => (true, spec.egress.as_ref().is_some_and(|e| !e.is_empty())),
    }
}

/// Whether `sel` matches `labels`. An empty selector matches everything; an unknown operator
/// matches nothing (the API server rejects such selectors).
pub fn selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let by_labels = sel
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    by_labels
        && sel.match_expressions.iter().flatten().all(|e| {
            let values = e.values.as_deref().unwrap_or_default();
            let value = labels.get(&e.key);
            match e.operator.as_str() {
                "In" => value.is_some_and(|v| values.contains(v)),
                "NotIn" => value.is_none_or(|v| !values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        })
}

/// Whether a selector is empty (selects everything).
pub fn selector_is_empty(sel: Option<&LabelSelector>) -> bool {
    sel.is_none_or(|s| {
        s.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
            && s.match_expressions.as_ref().is_none_or(Vec::is_empty)
    })
}

/// Labels of a namespace: those of its Namespace object, plus the automatic
/// `kubernetes.io/metadata.name`.
pub fn namespace_labels(inv: &Inventory, ns: &str) -> BTreeMap<String, String> {
    let mut labels = inv
        .namespace(ns)
        .and_then(|n| n.metadata.labels.clone())
        .unwrap_or_default();
    labels.insert("kubernetes.io/metadata.name".into(), ns.to_string());
    labels
}

/// The labels of a workload's pods.
pub fn pod_labels(w: &Workload) -> BTreeMap<String, String> {
    w.template.labels.clone().unwrap_or_default()
}

/// Whether a policy selects the workload's pods.
pub fn selects(p: &Obj<NetworkPolicy>, w: &Workload) -> bool {
    let Some(spec) = &p.spec else { return false };
    policy_namespace(p) == w.namespace()
        && spec
            .pod_selector
            .as_ref()
            .is_none_or(|s| selector_matches(s, &pod_labels(w)))
}

/// The other end of a connection.
#[derive(Clone, Copy)]
pub enum Peer<'a> {
    Pod(&'a Workload),
    Ip(IpAddr),
}

fn peer_matches(
    inv: &Inventory,
    peer: &NetworkPolicyPeer,
    policy_ns: &str,
    other: Peer<'_>,
) -> bool {
    if let Some(b) = &peer.ip_block {
        let except = b.except.as_deref().unwrap_or_default();
        return match other {
            Peer::Ip(ip) => cidr::block_admits(&b.cidr, except, ip),
            Peer::Pod(_) => {
                except.is_empty() && cidr::Cidr::parse(&b.cidr).is_some_and(|c| c.is_world())
            }
        };
    }
    let Peer::Pod(w) = other else { return false };
    let ns_ok = match &peer.namespace_selector {
        Some(sel) => selector_matches(sel, &namespace_labels(inv, w.namespace())),
        None => w.namespace() == policy_ns,
    };
    let pod_ok = match &peer.pod_selector {
        Some(sel) => selector_matches(sel, &pod_labels(w)),
        None => peer.namespace_selector.is_some(),
    };
    ns_ok && pod_ok
}

fn peers_match(
    inv: &Inventory,
    peers: Option<&Vec<NetworkPolicyPeer>>,
    ns: &str,
    other: Peer<'_>,
) -> bool {
    match peers {
        None => true,
        Some(p) if p.is_empty() => true,
        Some(p) => p.iter().any(|p| peer_matches(inv, p, ns, other)),
    }
}

/// Whether a rule's `ports` admit `query` on `dest` (named ports resolve against the
/// destination pod's containers). With no query, any port counts.
fn ports_match(
    ports: Option<&Vec<NetworkPolicyPort>>,
    query: Option<PortQuery>,
    dest: Peer<'_>,
) -> bool {
    let Some(q) = query else { return true };
    let Some(ports) = ports.filter(|p| !p.is_empty()) else {
        return true;
    };
    ports.iter().any(|p| {
        if Protocol::parse_k8s(p.protocol.as_deref()) != Some(q.protocol) {
            return false;
        }
        match &p.port {
            None => true,
            Some(IntOrString::Int(n)) => {
                let port = i32::from(q.port);
                let end = p.end_port.unwrap_or(*n).max(*n);
                *n <= port && port <= end
            }
            Some(IntOrString::String(name)) => match dest {
                Peer::Pod(w) => w.containers().iter().any(|c| {
                    c.ports.iter().any(|cp| {
                        cp.name.as_deref() == Some(name.as_str())
                            && cp.container_port == i32::from(q.port)
                            && Protocol::parse_k8s(cp.protocol.as_deref()) == Some(q.protocol)
                    })
                }),
                Peer::Ip(_) => false,
            },
        }
    })
}

/// One direction of a connection: the policies selecting the pod for it, and those admitting
/// the traffic.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// Some policy selects the pod for this direction (else everything is allowed).
    pub isolated: bool,
    pub allowed: bool,
    /// Policies selecting the pod for this direction.
    pub selected_by: Vec<PolicyRef>,
    /// Those of them with a rule admitting the traffic.
    pub allowed_by: Vec<PolicyRef>,
}

/// Evaluate one direction for `pod` (the source for egress, the destination for ingress)
/// against `other`.
pub fn evaluate(
    inv: &Inventory,
    pod: &Workload,
    dir: Direction,
    other: Peer<'_>,
    port: Option<PortQuery>,
) -> Side {
    let mut side = Side {
        isolated: false,
        allowed: true,
        selected_by: Vec::new(),
        allowed_by: Vec::new(),
    };
    // Only a policy of the pod's own namespace can select it.
    for p in inv.network_policies_in(pod.namespace()) {
        let Some(spec) = &p.spec else { continue };
        if !selects(p, pod) {
            continue;
        }
        let (ing, eg) = policy_types(spec);
        let ns = policy_namespace(p);
        let admits = match dir {
            Direction::Ingress if ing => spec.ingress.iter().flatten().any(|r| {
                peers_match(inv, r.from.as_ref(), ns, other)
                    && ports_match(r.ports.as_ref(), port, Peer::Pod(pod))
            }),
            Direction::Egress if eg => spec.egress.iter().flatten().any(|r| {
                peers_match(inv, r.to.as_ref(), ns, other)
                    && ports_match(r.ports.as_ref(), port, other)
            }),
            _ => continue,
        };
        side.isolated = true;
        side.selected_by.push(PolicyRef::of(p));
        if admits {
            side.allowed_by.push(PolicyRef::of(p));
        }
    }
    side.allowed = !side.isolated || !side.allowed_by.is_empty();
    side
}

/// Whether traffic from one workload to another is allowed, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub from: ResourceRef,
    pub to: ResourceRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<PortQuery>,
    pub allowed: bool,
    /// The source's egress.
    pub egress: Side,
    /// The destination's ingress.
    pub ingress: Side,
    pub engine: EngineStatus,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// May `from` open a connection to `to` (on `port`, or on some port when `None`)?
pub fn reach(
    inv: &Inventory,
    from: &WorkloadRef,
    to: &WorkloadRef,
    port: Option<PortQuery>,
) -> Result<Verdict, LookupError> {
    let src = resolve(inv, from)?;
    let dst = resolve(inv, to)?;
    Ok(reach_workloads(inv, src, dst, port))
}

/// [`reach`] for resolved workloads.
pub fn reach_workloads(
    inv: &Inventory,
    src: &Workload,
    dst: &Workload,
    port: Option<PortQuery>,
) -> Verdict {
    let egress = evaluate(inv, src, Direction::Egress, Peer::Pod(dst), port);
    let ingress = evaluate(inv, dst, Direction::Ingress, Peer::Pod(src), port);
    let engine = policy_engine(inv);
    let mut notes = Vec::new();
    for w in [src, dst] {
        if host_network(w) {
            notes.push(format!(
                "{} uses the host network: NetworkPolicy does not reliably apply to it",
                w.res
            ));
        }
    }
    if engine.enforced == Some(false) && (egress.isolated || ingress.isolated) {
        notes.push("no NetworkPolicy engine was found: the policies are not enforced and all traffic flows".into());
    }
    if port.is_none() && (egress.isolated || ingress.isolated) {
        notes.push("no --port given: allowed means allowed on at least one port".into());
    }
    Verdict {
        from: src.res.clone(),
        to: dst.res.clone(),
        port,
        allowed: egress.allowed && ingress.allowed,
        egress,
        ingress,
        engine,
        notes,
    }
}

fn host_network(w: &Workload) -> bool {
    w.spec.host_network == Some(true)
}

/// Who may reach a workload from other namespaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reach", content = "via")]
pub enum CrossNamespace {
    /// No ingress isolation: every pod of every namespace.
    Unisolated,
    /// Isolated, but these policies admit every namespace (`namespaceSelector: {}`, a rule
    /// without `from`, or `ipBlock` 0.0.0.0/0).
    AllNamespaces(Vec<PolicyRef>),
    /// Only some other namespaces.
    Some(Vec<PolicyRef>),
    /// Only its own namespace (or nothing).
    None,
}

/// The network posture of one workload.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadPosture {
    pub workload: ResourceRef,
    pub ingress_isolated_by: Vec<PolicyRef>,
    pub egress_isolated_by: Vec<PolicyRef>,
    pub from_other_namespaces: CrossNamespace,
    /// Egress to 169.254.169.254 on TCP 80 is allowed (or the pod uses the host network).
    pub reaches_imds: bool,
    /// Policies admitting that egress (empty when egress is not isolated).
    pub imds_allowed_by: Vec<PolicyRef>,
}

/// Whether a peer list admits any pod of a namespace other than `ns`: `Some(true)` every
/// namespace, `Some(false)` some, `None` none.
fn admits_other_namespaces(
    inv: &Inventory,
    peers: Option<&Vec<NetworkPolicyPeer>>,
    ns: &str,
) -> Option<bool> {
    let Some(peers) = peers.filter(|p| !p.is_empty()) else {
        return Some(true);
    };
    let mut some = false;
    for p in peers {
        if let Some(b) = &p.ip_block {
            if b.except.as_ref().is_none_or(Vec::is_empty)
                && cidr::Cidr::parse(&b.cidr).is_some_and(|c| c.is_world())
            {
                return Some(true);
            }
            continue;
        }
        let Some(nsel) = &p.namespace_selector else {
            continue;
        };
        if selector_is_empty(Some(nsel)) && selector_is_empty(p.pod_selector.as_ref()) {
            return Some(true);
        }
        if selector_is_empty(Some(nsel)) {
            some = true;
            continue;
        }
        some |= inv
            .namespace_names()
            .into_iter()
            .filter(|n| *n != ns)
            .any(|n| selector_matches(nsel, &namespace_labels(inv, n)));
    }
    some.then_some(false)
}

/// The posture of one workload.
pub fn posture(inv: &Inventory, w: &Workload) -> WorkloadPosture {
    let ns = w.namespace();
    let mut ingress_by = Vec::new();
    let mut egress_by = Vec::new();
    let mut all_ns = Vec::new();
    let mut some_ns = Vec::new();
    for p in inv.network_policies_in(ns).filter(|p| selects(p, w)) {
        let Some(spec) = &p.spec else { continue };
        let (ing, eg) = policy_types(spec);
        if eg {
            egress_by.push(PolicyRef::of(p));
        }
        if !ing {
            continue;
        }
        ingress_by.push(PolicyRef::of(p));
        let mut best: Option<bool> = None;
        for r in spec.ingress.iter().flatten() {
            match admits_other_namespaces(inv, r.from.as_ref(), ns) {
                Some(true) => best = Some(true),
                Some(false) if best.is_none() => best = Some(false),
                _ => {}
            }
        }
        match best {
            Some(true) => all_ns.push(PolicyRef::of(p)),
            Some(false) => some_ns.push(PolicyRef::of(p)),
            None => {}
        }
    }
    let from_other_namespaces = if ingress_by.is_empty() {
        CrossNamespace::Unisolated
    } else if !all_ns.is_empty() {
        CrossNamespace::AllNamespaces(all_ns)
    } else if !some_ns.is_empty() {
        CrossNamespace::Some(some_ns)
    } else {
        CrossNamespace::None
    };
    let http = Some(PortQuery {
        port: 80,
        protocol: Protocol::Tcp,
    });
    let imds = evaluate(inv, w, Direction::Egress, Peer::Ip(IMDS), http);
    WorkloadPosture {
        workload: w.res.clone(),
        ingress_isolated_by: ingress_by,
        egress_isolated_by: egress_by,
        from_other_namespaces,
        reaches_imds: host_network(w) || imds.allowed,
        imds_allowed_by: imds.allowed_by,
    }
}

/// The network posture of one namespace.
#[derive(Debug, Clone, Serialize)]
pub struct NamespacePosture {
    pub name: String,
    pub policies: Vec<PolicyRef>,
    /// Policies selecting every pod (`podSelector: {}`) for ingress: default deny, whatever
    /// their rules then allow.
    pub default_deny_ingress: Vec<PolicyRef>,
    pub default_deny_egress: Vec<PolicyRef>,
    pub workloads: Vec<WorkloadPosture>,
}

/// Every namespace that has workloads or policies, sorted by name.
pub fn namespaces(inv: &Inventory) -> Vec<NamespacePosture> {
    let mut names: std::collections::BTreeSet<&str> = inv.namespace_names();
    names.extend(inv.network_policies.iter().map(policy_namespace));
    let mut by_ns: std::collections::HashMap<&str, Vec<&Workload>> =
        std::collections::HashMap::new();
    for w in &inv.workloads {
        by_ns.entry(w.namespace()).or_default().push(w);
    }
    names
        .into_iter()
        .map(|ns| {
            let mut out = NamespacePosture {
                name: ns.to_string(),
                policies: Vec::new(),
                default_deny_ingress: Vec::new(),
                default_deny_egress: Vec::new(),
                workloads: by_ns
                    .get(ns)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|w| posture(inv, w))
                    .collect(),
            };
            for p in inv.network_policies_in(ns) {
                out.policies.push(PolicyRef::of(p));
                let Some(spec) = &p.spec else { continue };
                if !selector_is_empty(spec.pod_selector.as_ref()) {
                    continue;
                }
                let (ing, eg) = policy_types(spec);
                if ing {
                    out.default_deny_ingress.push(PolicyRef::of(p));
                }
                if eg {
                    out.default_deny_egress.push(PolicyRef::of(p));
                }
            }
            out
        })
        .collect()
}

/// Non-system namespaces that run workloads, for namespace-level rules.
pub fn user_namespaces(inv: &Inventory) -> Vec<NamespacePosture> {
    namespaces(inv)
        .into_iter()
        .filter(|n| !is_system_namespace(&n.name) && !n.workloads.is_empty())
        .collect()
}

#[cfg(test)]
mod tests;
