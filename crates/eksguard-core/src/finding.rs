//! The finding record and its parts: severity, domain, references, location, the evidence of an
//! audit finding and its baseline state. A leaf: it knows the inventory's resource references and
//! the audit event's time format, never the rules, the engines or the reports, so every one of
//! them can use it.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

use crate::detect::event;
use crate::inventory::ResourceRef;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that `{:<9}` aligns columns.
        f.pad(self.as_str())
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Self::Info),
            "low" => Ok(Self::Low),
            "medium" => Ok(Self::Medium),
            "high" => Ok(Self::High),
            "critical" => Ok(Self::Critical),
            _ => Err(format!(
                "unknown severity `{s}` (expected critical, high, medium, low or info)"
            )),
        }
    }
}

/// The security domain of a rule; its id prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Domain {
    Eks,
    Iam,
    Rbac,
    Pod,
    Net,
    Node,
    Img,
    Sec,
    Log,
    Ten,
    Run,
    Edge,
    Aud,
    /// The user's own Rego policies (`--policy DIR`): their ids carry the user's prefixes, not
    /// this one.
    Policy,
}

impl Domain {
    pub const ALL: [Domain; 14] = [
        Domain::Eks,
        Domain::Iam,
        Domain::Rbac,
        Domain::Pod,
        Domain::Net,
        Domain::Node,
        Domain::Img,
        Domain::Sec,
        Domain::Log,
        Domain::Ten,
        Domain::Run,
        Domain::Edge,
        Domain::Aud,
        Domain::Policy,
    ];

    /// The rule-id prefix: `EKS`, `IAM`, ...
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Eks => "EKS",
            Self::Iam => "IAM",
            Self::Rbac => "RBAC",
            Self::Pod => "POD",
            Self::Net => "NET",
            Self::Node => "NODE",
            Self::Img => "IMG",
            Self::Sec => "SEC",
            Self::Log => "LOG",
            Self::Ten => "TEN",
            Self::Run => "RUN",
            Self::Edge => "EDGE",
            Self::Aud => "AUD",
            Self::Policy => "POLICY",
        }
    }

    /// Machine name used in reports: `eks`, `iam`, ...
    pub fn key(self) -> &'static str {
        match self {
            Self::Eks => "eks",
            Self::Iam => "iam",
            Self::Rbac => "rbac",
            Self::Pod => "pod",
            Self::Net => "net",
            Self::Node => "node",
            Self::Img => "img",
            Self::Sec => "sec",
            Self::Log => "log",
            Self::Ten => "ten",
            Self::Run => "run",
            Self::Edge => "edge",
            Self::Aud => "aud",
            Self::Policy => "policy",
        }
    }

    /// Human title.
    pub fn title(self) -> &'static str {
        match self {
            Self::Eks => "Control plane",
            Self::Iam => "IAM and cluster access",
            Self::Rbac => "Kubernetes RBAC",
            Self::Pod => "Pod security",
            Self::Net => "Network security",
            Self::Node => "Worker nodes",
            Self::Img => "Images and registry",
            Self::Sec => "Secrets and encryption",
            Self::Log => "Logging and detection",
            Self::Ten => "Multi-tenancy",
            Self::Run => "Runtime security",
            Self::Edge => "Ingress and load balancers",
            Self::Aud => "Audit-log detections",
            Self::Policy => "Custom policies",
        }
    }

    pub fn from_prefix(p: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|d| d.prefix().eq_ignore_ascii_case(p))
    }
}

impl Serialize for Domain {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// Equivalent checks in other tools and where the practice is stated.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct References {
    /// Seed document and section: `"001 Encryption - Data at Rest"`.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub seed: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub cis_eks: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub checkov: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub kubescape: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub hardeneks: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub prowler: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub guardduty: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub falco: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub polaris: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub kube_score: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub kubelinter: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub kubesec: &'static [&'static str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub urls: &'static [&'static str],
}

impl References {
    pub const NONE: References = References {
        seed: &[],
        cis_eks: &[],
        checkov: &[],
        kubescape: &[],
        hardeneks: &[],
        prowler: &[],
        guardduty: &[],
        falco: &[],
        polaris: &[],
        kube_score: &[],
        kubelinter: &[],
        kubesec: &[],
        urls: &[],
    };

    /// Every peer id, labelled by tool (`("checkov", "CKV_K8S_16")`).
    pub fn peer_ids(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        for (tool, ids) in [
            ("cis_eks", self.cis_eks),
            ("checkov", self.checkov),
            ("kubescape", self.kubescape),
            ("hardeneks", self.hardeneks),
            ("prowler", self.prowler),
            ("guardduty", self.guardduty),
            ("falco", self.falco),
            ("polaris", self.polaris),
            ("kube_score", self.kube_score),
            ("kubelinter", self.kubelinter),
            ("kubesec", self.kubesec),
        ] {
            out.extend(ids.iter().map(|id| (tool, *id)));
        }
        out
    }
}

/// Where in a file a finding is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// Shared with the object's source: a quarter of a million findings of one file hold one
    /// copy of its path.
    pub path: std::sync::Arc<str>,
    pub start_line: u32,
    pub end_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// One deviation found by a rule.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule_id: &'static str,
    pub rule_name: &'static str,
    pub severity: Severity,
    pub domain: Domain,
    pub resource: ResourceRef,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The rule's remediation (borrowed) or one specific to this finding.
    pub remediation: std::borrow::Cow<'static, str>,
    /// The rule's references (shared, not copied into each finding).
    pub references: &'static References,
    /// A stable identity (rule, resource, message; not lines), for baselines and SARIF.
    pub fingerprint: String,
    /// Set when the run has a baseline: whether this finding is new.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineState>,
    /// Audit-log findings: occurrences, first/last seen, audit IDs, users, sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Box<Evidence>>,
}

impl Finding {
    /// Sort key: severity first (worst first), then rule, file, line, resource, message, and the
    /// rest of the location, so that two findings with equal keys are duplicates.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            std::cmp::Reverse(self.severity),
            self.rule_id,
            self.location.as_ref().map(|l| (&*l.path, l.start_line)),
            &self.resource,
            &self.message,
            self.location
                .as_ref()
                .map(|l| (l.end_line, l.field.as_deref())),
        )
    }
}

/// Whether a finding was already in the baseline report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineState {
    /// Not in the baseline: this finding fails the run.
    New,
    /// In the baseline: reported, but does not fail the run.
    Unchanged,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's serialize_with signature
fn ser_time<S: serde::Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&event::format_time(*t))
}

fn de_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let s = String::deserialize(d)?;
    event::parse_time(&s).ok_or_else(|| serde::de::Error::custom("bad timestamp"))
}

/// What an analyst needs to judge a finding: how often, when, who, from where, what.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub count: u64,
    #[serde(serialize_with = "ser_time", deserialize_with = "de_time")]
    pub first_seen: i64,
    #[serde(serialize_with = "ser_time", deserialize_with = "de_time")]
    pub last_seen: i64,
    /// The first audit IDs (at most `max_evidence`).
    pub audit_ids: Vec<String>,
    pub users: BTreeSet<String>,
    pub groups: BTreeSet<String>,
    pub source_ips: BTreeSet<String>,
    pub user_agents: BTreeSet<String>,
    pub verbs: BTreeSet<String>,
    pub object_refs: BTreeSet<String>,
    pub response_codes: BTreeSet<u16>,
}
