//! The rule record, findings, and the context a rule's check reports into.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::inventory::{Input, Inventory, Located, ResourceRef};

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

/// What input a rule reads, for people: the engine decides evaluation from `Rule::needs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One Kubernetes object at a time (usable at admission).
    Object,
    /// Several Kubernetes objects together (namespaces and their policies, RBAC graph).
    Cluster,
    /// AWS account state (with or without Kubernetes objects).
    Aws,
    /// Kubernetes audit events: runs in `eksguard detect`, never in `scan`.
    Audit,
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

/// One rule of the catalog. Everything the docs, `explain`, SARIF and the JSON catalog say
/// about a rule comes from this record.
#[derive(Debug)]
pub struct Rule {
    /// `POD001`: domain prefix + 3 digits, never reused.
    pub id: &'static str,
    /// `privileged-container`: kebab-case, names the bad pattern.
    pub name: &'static str,
    pub domain: Domain,
    pub severity: Severity,
    pub scope: Scope,
    /// One line, no trailing period.
    pub summary: &'static str,
    /// Markdown: `## What it does`, `## Why is this bad?`, `## Example`, `## How to fix`.
    pub docs: &'static str,
    /// What to do, in one or two sentences (also in every finding).
    pub remediation: &'static str,
    pub references: References,
    /// Inputs without which the rule is not evaluated.
    pub needs: &'static [Input],
    pub check: fn(&mut Context<'_>),
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Rule", 10)?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("name", self.name)?;
        st.serialize_field("domain", &self.domain)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("scope", &self.scope)?;
        st.serialize_field("summary", self.summary)?;
        st.serialize_field("remediation", self.remediation)?;
        st.serialize_field("needs", self.needs)?;
        st.serialize_field("references", &self.references)?;
        st.serialize_field("docs", self.docs)?;
        st.end()
    }
}

/// Declare a rule: its doc comment becomes `Rule::docs`.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub static RULE = Rule { id: "POD001", ..., check };
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* pub static $name:ident = Rule { $($field:ident : $value:expr),* $(,)? };) => {
        pub static $name: $crate::rule::Rule = $crate::rule::Rule {
            docs: concat!($($doc, "\n"),*),
            $($field: $value),*
        };
    };
}

/// The inventory check of a rule that a Rego policy defines: the policy engine
/// (`eksguard-policy`) evaluates it and reports its findings, so this finds nothing. A caller
/// that runs such a rule through [`crate::engine::check`] gets no findings from it.
pub fn evaluated_by_policy_engine(_: &mut Context<'_>) {}

/// The inventory check of an audit rule: audit rules judge events, not the inventory (their
/// detection function is registered in `rules::aud::DETECTORS`), so this finds nothing.
pub fn audit_events_only(_: &mut Context<'_>) {}

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
    pub baseline: Option<crate::engine::BaselineState>,
    /// Audit-log findings: occurrences, first/last seen, audit IDs, users, sources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Box<crate::detect::Evidence>>,
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

/// What a check sees and reports into.
pub struct Context<'a> {
    pub inv: &'a Inventory,
    rule: &'static Rule,
    findings: Vec<Finding>,
}

impl<'a> Context<'a> {
    pub fn new(inv: &'a Inventory, rule: &'static Rule) -> Self {
        Self {
            inv,
            rule,
            findings: Vec::new(),
        }
    }

    /// Report a finding on `target`. The rule id, severity, remediation and references are
    /// stamped from the rule; the returned handle adds a field path or a specific fix.
    pub fn report<'s>(
        &'s mut self,
        target: &'s dyn Located,
        message: impl Into<String>,
    ) -> FindingMut<'s> {
        let src = target.src();
        let location = (!src.path.is_empty()).then(|| Location {
            path: src.path.clone(),
            start_line: src.start_line,
            end_line: src.end_line,
            field: None,
        });
        self.findings.push(Finding {
            rule_id: self.rule.id,
            rule_name: self.rule.name,
            severity: self.rule.severity,
            domain: self.rule.domain,
            resource: target.res().clone(),
            message: message.into(),
            location,
            remediation: std::borrow::Cow::Borrowed(self.rule.remediation),
            references: &self.rule.references,
            fingerprint: String::new(),
            baseline: None,
            evidence: None,
        });
        let last = self.findings.len() - 1;
        FindingMut {
            finding: &mut self.findings[last],
            src,
        }
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// A finding being reported. Its builder methods may be ignored: the finding is recorded when
/// `report` is called.
pub struct FindingMut<'a> {
    finding: &'a mut Finding,
    src: &'a crate::inventory::Source,
}

#[allow(clippy::return_self_not_must_use)]
impl FindingMut<'_> {
    /// Point the finding at a field of the object (`spec.containers[0].securityContext`); the
    /// line is that of the field, or of its closest ancestor when the field is missing.
    pub fn at(self, field: impl Into<String>) -> Self {
        let field = field.into();
        if let Some(loc) = &mut self.finding.location {
            let (s, e) = self.src.lines_of(&field);
            loc.start_line = s;
            loc.end_line = e;
            loc.field = Some(field);
        }
        self
    }

    /// Replace the rule's generic remediation with one specific to this finding.
    pub fn fix(self, remediation: impl Into<String>) -> Self {
        self.finding.remediation = std::borrow::Cow::Owned(remediation.into());
        self
    }

    /// Re-point the finding at another resource (e.g. the IAM role an aws-auth entry maps),
    /// keeping the location.
    pub fn on(self, resource: ResourceRef) -> Self {
        self.finding.resource = resource;
        self
    }
}

/// The documentation of a rule as Markdown: what `eksguard explain` prints and what
/// `docs/rules/` holds.
pub fn explain(r: &Rule) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "# {} {}\n", r.id, r.name);
    let _ = writeln!(s, "{}.\n", r.summary);
    let scope = match r.scope {
        Scope::Object => "object",
        Scope::Cluster => "cluster",
        Scope::Aws => "aws",
        Scope::Audit => "audit",
    };
    let _ = writeln!(
        s,
        "Severity: **{}** · Domain: {} ({}) · Scope: {scope}",
        r.severity,
        r.domain.title(),
        r.domain.prefix()
    );
    if !r.needs.is_empty() {
        let needs: Vec<&str> = r.needs.iter().map(|n| n.how_to_provide()).collect();
        let _ = writeln!(s, "\nNeeds: {}.", needs.join("; "));
    }
    let _ = writeln!(s);
    // Doc comments carry one leading space per line.
    for line in r.docs.lines() {
        let _ = writeln!(s, "{}", line.strip_prefix(' ').unwrap_or(line));
    }
    let _ = writeln!(s, "\n## How to fix\n\n{}", r.remediation);
    let refs = &r.references;
    let groups: [(&str, &[&str]); 13] = [
        ("Seed documents", refs.seed),
        ("CIS Amazon EKS Benchmark", refs.cis_eks),
        ("Checkov", refs.checkov),
        ("kubescape", refs.kubescape),
        ("hardeneks", refs.hardeneks),
        ("Prowler", refs.prowler),
        ("GuardDuty", refs.guardduty),
        ("Falco", refs.falco),
        ("Polaris", refs.polaris),
        ("kube-score", refs.kube_score),
        ("KubeLinter", refs.kubelinter),
        ("kubesec", refs.kubesec),
        ("Further reading", refs.urls),
    ];
    if groups.iter().any(|(_, ids)| !ids.is_empty()) {
        let _ = writeln!(s, "\n## References\n");
        for (label, ids) in groups {
            if !ids.is_empty() {
                let _ = writeln!(s, "- {label}: {}", ids.join(", "));
            }
        }
    }
    s
}
