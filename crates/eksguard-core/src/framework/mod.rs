//! Compliance views of a scan: the CIS Amazon EKS Benchmark control by control, and the EKS
//! security best practices (the seed documents' domains) with a score per domain.
//!
//! A view is computed from a [`Report`] and the rule catalog; it adds no check of its own. A
//! control *fails* when a rule that implements it has a finding, *passes* when every such rule
//! ran and found nothing, is *not evaluated* when some such rule could not run (its input is
//! missing, or it was not selected), and is *manual* when no configuration can show it (the
//! reason is given).

pub mod cis_eks_1_8;
pub mod control;

pub use control::Control;

use std::fmt::Write;
use std::str::FromStr;

use serde::Serialize;

use crate::engine::Report;
use crate::rule::{Domain, Rule, Severity};
use crate::rules::RULES;

/// A compliance framework eksguard reports against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    CisEks18,
    EksBestPractices,
}

impl Framework {
    pub const ALL: [Framework; 2] = [Framework::CisEks18, Framework::EksBestPractices];

    pub fn key(self) -> &'static str {
        match self {
            Self::CisEks18 => "cis-eks-1.8",
            Self::EksBestPractices => "eks-best-practices",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::CisEks18 => "CIS Amazon Elastic Kubernetes Service (EKS) Benchmark v1.8.0",
            Self::EksBestPractices => "Amazon EKS security best practices (per domain)",
        }
    }
}

impl FromStr for Framework {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.key().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown framework `{s}` (expected cis-eks-1.8 or eks-best-practices)")
            })
    }
}

/// The outcome of one control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    Manual,
    NotEvaluated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Manual => "manual",
            Self::NotEvaluated => "not evaluated",
        }
    }
}

/// A finding, as a control lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub rule_id: &'static str,
    pub resource: String,
    pub message: String,
}

/// One control (or domain) of a view.
#[derive(Debug, Clone, Serialize)]
pub struct ControlResult {
    pub id: String,
    pub title: String,
    pub section: String,
    pub status: Status,
    /// The eksguard rules that implement it.
    pub rules: Vec<&'static str>,
    /// Why the status is manual or not evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For domains: the severity-weighted share of evaluated rules that passed, 0–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
    pub findings: Vec<Evidence>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ViewSummary {
    pub pass: usize,
    pub fail: usize,
    pub manual: usize,
    pub not_evaluated: usize,
    /// For the best-practices view: the weighted score over every evaluated rule, 0–100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<u32>,
}

/// A framework view of a scan.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    pub schema_version: &'static str,
    pub framework: &'static str,
    pub title: &'static str,
    pub summary: ViewSummary,
    pub controls: Vec<ControlResult>,
}

/// How one rule fared in the report.
enum Outcome {
    Failed,
    Passed,
    NotEvaluated(String),
}

fn outcome(report: &Report, rule: &Rule) -> Outcome {
    if report.findings.iter().any(|f| f.rule_id == rule.id) {
        Outcome::Failed
    } else if report.passed.iter().any(|r| r.id == rule.id) {
        Outcome::Passed
    } else if let Some(n) = report.not_evaluated.iter().find(|n| n.rule_id == rule.id) {
        Outcome::NotEvaluated(n.reason.clone())
    } else {
        Outcome::NotEvaluated("not selected in this run".into())
    }
}

fn evidence(report: &Report, rules: &[&'static Rule]) -> Vec<Evidence> {
    report
        .findings
        .iter()
        .filter(|f| rules.iter().any(|r| r.id == f.rule_id))
        .map(|f| Evidence {
            rule_id: f.rule_id,
            resource: f.resource.to_string(),
            message: f.message.clone(),
        })
        .collect()
}

/// Combine the outcomes of a control's rules.
fn status_of(report: &Report, rules: &[&'static Rule]) -> (Status, Option<String>) {
    let mut missing = Vec::new();
    let mut failed = false;
    for r in rules {
        match outcome(report, r) {
            Outcome::Failed => failed = true,
            Outcome::Passed => {}
            Outcome::NotEvaluated(why) => missing.push(format!("{}: {why}", r.id)),
        }
    }
    if failed {
        (Status::Fail, None)
    } else if missing.is_empty() {
        (Status::Pass, None)
    } else {
        (Status::NotEvaluated, Some(missing.join("; ")))
    }
}

fn weight(s: Severity) -> u32 {
    match s {
        Severity::Critical => 10,
        Severity::High => 6,
        Severity::Medium => 3,
        Severity::Low => 1,
        Severity::Info => 0,
    }
}

/// Severity-weighted share of evaluated rules that passed; `None` when nothing was evaluated.
fn score(report: &Report, rules: &[&'static Rule]) -> Option<u32> {
    let (mut passed, mut total) = (0u32, 0u32);
    for r in rules {
        match outcome(report, r) {
            Outcome::Failed => total += weight(r.severity),
            Outcome::Passed => {
                total += weight(r.severity);
                passed += weight(r.severity);
            }
            Outcome::NotEvaluated(_) => {}
        }
    }
    (total > 0).then(|| (passed * 100 + total / 2) / total)
}

/// The seed documents' security domains (in the order of the practitioners' note, plus image
/// security from the talk and the blog), the eksguard domains that implement each, and why a
/// domain cannot be scored from configuration when it cannot.
static SEED_DOMAINS: &[(&str, &str, &[Domain], Option<&str>)] = &[
    (
        "iam",
        "Identity and access management (IAM, aws-auth, access entries, IRSA, RBAC)",
        &[Domain::Iam, Domain::Rbac],
        None,
    ),
    ("pod-security", "Pod security", &[Domain::Pod], None),
    ("multi-tenancy", "Multi-tenancy", &[Domain::Ten], None),
    (
        "detective-controls",
        "Detective controls (control-plane logs, audit, GuardDuty)",
        &[Domain::Log],
        None,
    ),
    (
        "network-security",
        "Network security (network policies, security groups, encryption in transit)",
        &[Domain::Net, Domain::Edge],
        None,
    ),
    (
        "data-encryption",
        "Data encryption and secrets management",
        &[Domain::Sec],
        None,
    ),
    ("runtime-security", "Runtime security", &[Domain::Run], None),
    (
        "infrastructure-security",
        "Infrastructure security (API endpoint, worker nodes)",
        &[Domain::Eks, Domain::Node],
        None,
    ),
    (
        "regulatory-compliance",
        "Regulatory compliance",
        &[],
        Some("compliance is judged per framework: run `eksguard scan --framework cis-eks-1.8`"),
    ),
    (
        "incident-response",
        "Incident response and forensics",
        &[],
        Some(
            "a process (isolate, cordon, revoke, preserve evidence), not configuration; the detective controls above are its prerequisites",
        ),
    ),
    (
        "image-security",
        "Image security (ECR scanning, immutable tags, trusted registries)",
        &[Domain::Img],
        None,
    ),
];

/// Compute `framework`'s view of `report`.
pub fn view(framework: Framework, report: &Report) -> View {
    let mut controls = Vec::new();
    match framework {
        Framework::CisEks18 => {
            for c in cis_eks_1_8::CONTROLS {
                let rules: Vec<&'static Rule> = RULES
                    .iter()
                    .copied()
                    .filter(|r| r.references.cis_eks.contains(&c.id))
                    .collect();
                let (status, reason) = if rules.is_empty() {
                    (
                        Status::Manual,
                        Some(c.not_checkable.map_or_else(
                            || "no eksguard rule implements this control yet".to_string(),
                            str::to_string,
                        )),
                    )
                } else {
                    status_of(report, &rules)
                };
                controls.push(ControlResult {
                    id: c.id.to_string(),
                    title: c.title.to_string(),
                    section: c.section.to_string(),
                    status,
                    rules: rules.iter().map(|r| r.id).collect(),
                    reason,
                    score: None,
                    findings: evidence(report, &rules),
                });
            }
        }
        Framework::EksBestPractices => {
            for (key, title, domains, manual) in SEED_DOMAINS {
                if let Some(why) = manual {
                    controls.push(ControlResult {
                        id: (*key).to_string(),
                        title: (*title).to_string(),
                        section: String::new(),
                        status: Status::Manual,
                        rules: Vec::new(),
                        reason: Some((*why).to_string()),
                        score: None,
                        findings: Vec::new(),
                    });
                    continue;
                }
                let rules: Vec<&'static Rule> = RULES
                    .iter()
                    .copied()
                    .filter(|r| domains.contains(&r.domain))
                    .collect();
                let (status, _) = status_of(report, &rules);
                let missing = rules
                    .iter()
                    .filter(|r| matches!(outcome(report, r), Outcome::NotEvaluated(_)))
                    .count();
                let reason = (missing > 0).then(|| {
                    format!(
                        "{missing} of {} rules not evaluated (their input is missing or they were not selected)",
                        rules.len()
                    )
                });
                let sc = score(report, &rules);
                // A domain with some rules evaluated and none failing passes what it could
                // check; the reason says what it could not.
                let status = match (status, sc) {
                    (Status::NotEvaluated, Some(_)) => Status::Pass,
                    (other, _) => other,
                };
                controls.push(ControlResult {
                    id: (*key).to_string(),
                    title: (*title).to_string(),
                    section: domains
                        .iter()
                        .map(|d| d.prefix())
                        .collect::<Vec<_>>()
                        .join(", "),
                    status,
                    rules: rules.iter().map(|r| r.id).collect(),
                    reason,
                    score: sc,
                    findings: evidence(report, &rules),
                });
            }
        }
    }
    let mut summary = ViewSummary::default();
    for c in &controls {
        match c.status {
            Status::Pass => summary.pass += 1,
            Status::Fail => summary.fail += 1,
            Status::Manual => summary.manual += 1,
            Status::NotEvaluated => summary.not_evaluated += 1,
        }
    }
    if framework == Framework::EksBestPractices {
        let all: Vec<&'static Rule> = RULES.to_vec();
        summary.score = score(report, &all);
    }
    View {
        schema_version: crate::engine::SCHEMA_VERSION,
        framework: framework.key(),
        title: framework.title(),
        summary,
        controls,
    }
}

/// The view as JSON.
pub fn render_json(v: &View) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// The view as a table: one line per control, its rules, and what failed.
pub fn render_table(v: &View) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", v.title);
    let mut section = "";
    let width = v
        .controls
        .iter()
        .map(|c| c.id.len())
        .max()
        .unwrap_or(0)
        .max(6);
    for c in &v.controls {
        if c.section != section && v.framework != Framework::EksBestPractices.key() {
            section = &c.section;
            let _ = writeln!(out, "{section}");
        }
        let score = if v.framework == Framework::EksBestPractices.key() {
            format!(
                "{:>5}",
                c.score.map(|s| format!("{s}%")).unwrap_or_default()
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {:<width$} {:<14}{score} {}",
            c.id,
            c.status.as_str().to_uppercase(),
            c.title
        );
        if !c.rules.is_empty() && v.framework == Framework::CisEks18.key() {
            let _ = writeln!(out, "    {:width$} rules: {}", "", c.rules.join(", "));
        }
        for e in c.findings.iter().take(5) {
            let _ = writeln!(out, "    {:width$} {} {}", "", e.rule_id, e.message);
        }
        if c.findings.len() > 5 {
            let _ = writeln!(
                out,
                "    {:width$} ... and {} more (see `eksguard scan -f json`)",
                "",
                c.findings.len() - 5
            );
        }
        if let Some(r) = &c.reason {
            let _ = writeln!(
                out,
                "    {:width$} {}: {r}",
                "",
                match c.status {
                    Status::Manual => "manual",
                    _ => "not evaluated",
                }
            );
        }
    }
    let s = &v.summary;
    let score = s.score.map(|s| format!("; score {s}%")).unwrap_or_default();
    let _ = writeln!(
        out,
        "\nSummary: {} pass, {} fail, {} manual, {} not evaluated{score}.",
        s.pass, s.fail, s.manual, s.not_evaluated
    );
    out
}
