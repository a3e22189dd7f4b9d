//! select -> run -> sort -> report. Pure: the same inventory and rules give the same report.

use serde::Serialize;

use crate::inventory::{Input, Inventory, LoadError, Skipped};
use crate::rule::{Context, Domain, Finding, Rule, Severity};

/// Version of the JSON report schema. Bump the major on incompatible change.
pub const SCHEMA_VERSION: &str = "1.0";

/// Which rules run: `--select` and `--ignore` take rule ids, id prefixes (`POD`, `RBAC00`)
/// and rule names.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

fn matches(rule: &Rule, token: &str) -> bool {
    let t = token.trim();
    !t.is_empty()
        && (rule.name.eq_ignore_ascii_case(t)
            || rule
                .id
                .get(..t.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(t)))
}

impl Selection {
    /// The rules of `catalog` this selection keeps, or the tokens that match no rule.
    pub fn apply(&self, catalog: &[&'static Rule]) -> Result<Vec<&'static Rule>, Vec<String>> {
        let unknown: Vec<String> = self
            .select
            .iter()
            .chain(&self.ignore)
            .filter(|t| !catalog.iter().any(|r| matches(r, t)))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        Ok(catalog
            .iter()
            .copied()
            .filter(|r| self.select.is_empty() || self.select.iter().any(|t| matches(r, t)))
            .filter(|r| !self.ignore.iter().any(|t| matches(r, t)))
            .collect())
    }
}

/// A rule that did not run, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotEvaluated {
    pub rule_id: &'static str,
    pub rule_name: &'static str,
    pub domain: Domain,
    pub severity: Severity,
    pub reason: String,
}

/// A finding that a suppression hid, with the suppression's reason.
#[derive(Debug, Clone, Serialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub finding: Finding,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

/// A count per severity, worst first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl SeverityCounts {
    pub fn add(&mut self, s: Severity) {
        *self.get_mut(s) += 1;
    }

    fn get_mut(&mut self, s: Severity) -> &mut usize {
        match s {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        }
    }

    pub fn get(&self, s: Severity) -> usize {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub findings: usize,
    /// Findings per severity.
    pub by_severity: SeverityCounts,
    pub rules_selected: usize,
    pub rules_failed: usize,
    pub rules_passed: usize,
    pub rules_not_evaluated: usize,
    pub documents: usize,
    pub objects: usize,
    pub skipped_inputs: usize,
    pub errors: usize,
}

/// The result of a scan: everything every output format prints.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: &'static str,
    pub tool: Tool,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    pub not_evaluated: Vec<NotEvaluated>,
    pub skipped_inputs: Vec<Skipped>,
    pub errors: Vec<LoadError>,
    /// Rules that ran and found nothing (not serialized: the summary counts them).
    #[serde(skip)]
    pub passed: Vec<&'static Rule>,
    /// Every rule that was selected, for formats that describe rules (SARIF).
    #[serde(skip)]
    pub rules: Vec<&'static Rule>,
}

impl Report {
    /// Whether any finding is at or above `threshold`.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}

/// Why a rule cannot be evaluated on `inv`, if it cannot.
pub fn missing_inputs(rule: &Rule, inv: &Inventory) -> Option<String> {
    let missing: Vec<Input> = rule
        .needs
        .iter()
        .copied()
        .filter(|i| !inv.has(*i))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let what: Vec<&str> = missing.iter().map(|i| i.how_to_provide()).collect();
    Some(format!(
        "needs {}, which the input does not have",
        what.join(" and ")
    ))
}

/// Run `rules` on `inv`.
pub fn run(inv: &Inventory, rules: &[&'static Rule], version: &'static str) -> Report {
    let mut findings = Vec::new();
    let mut not_evaluated = Vec::new();
    let mut passed = Vec::new();
    let mut failed = 0;
    for &rule in rules {
        if let Some(reason) = missing_inputs(rule, inv) {
            not_evaluated.push(NotEvaluated {
                rule_id: rule.id,
                rule_name: rule.name,
                domain: rule.domain,
                severity: rule.severity,
                reason,
            });
            continue;
        }
        let mut cx = Context::new(inv, rule);
        (rule.check)(&mut cx);
        let mut found = cx.into_findings();
        if found.is_empty() {
            passed.push(rule);
        } else {
            failed += 1;
            findings.append(&mut found);
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| {
        a.rule_id == b.rule_id
            && a.resource == b.resource
            && a.message == b.message
            && a.location == b.location
    });

    let mut skipped = inv.skipped.clone();
    skipped.sort();
    let mut errors = inv.errors.clone();
    errors.sort();

    let mut by_severity = SeverityCounts::default();
    for f in &findings {
        by_severity.add(f.severity);
    }
    let summary = Summary {
        findings: findings.len(),
        by_severity,
        rules_selected: rules.len(),
        rules_failed: failed,
        rules_passed: passed.len(),
        rules_not_evaluated: not_evaluated.len(),
        documents: inv.documents,
        objects: inv.object_count(),
        skipped_inputs: skipped.len(),
        errors: errors.len(),
    };
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "eksguard",
            version,
        },
        summary,
        findings,
        suppressed: Vec::new(),
        not_evaluated,
        skipped_inputs: skipped,
        errors,
        passed,
        rules: rules.to_vec(),
    }
}
