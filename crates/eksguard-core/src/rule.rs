//! The rule record, findings, and the context a rule's check reports into.

use serde::{Serialize, Serializer};

pub use crate::finding::{Domain, Finding, Location, References, Severity};
use crate::inventory::{Input, Inventory, Located, ResourceRef};

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
pub(crate) fn audit_events_only(_: &mut Context<'_>) {}

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
