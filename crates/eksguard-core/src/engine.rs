//! select -> run -> severity overrides -> suppress -> baseline -> sort -> report. Pure: the same
//! inventory, rules, configuration and date give the same report.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::config::{Config, Date};
use crate::inventory::{Input, Inventory, LoadError, Skipped};
use crate::rule::{Context, Domain, Finding, Rule, Severity};
use crate::suppress::{ExpiredException, SuppressedBy, Suppressions};

/// Version of the JSON report schema. Bump the major on incompatible change.
pub const SCHEMA_VERSION: &str = "1.0";

pub use crate::select::Selection;

/// A rule that did not run, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotEvaluated {
    pub rule_id: &'static str,
    pub rule_name: &'static str,
    pub domain: Domain,
    pub severity: Severity,
    pub reason: String,
}

/// A finding that a suppression hid, with who hid it and why.
#[derive(Debug, Clone, Serialize)]
pub struct Suppressed {
    #[serde(flatten)]
    pub finding: Finding,
    pub reason: String,
    pub suppressed_by: SuppressedBy,
}

pub use crate::finding::BaselineState;

/// The fingerprints of a previous JSON report (`--baseline REPORT.json`).
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    pub path: String,
    fingerprints: BTreeSet<String>,
}

impl Baseline {
    /// Read the findings of an eksguard JSON report. A finding's identity is its rule, its
    /// resource and its message; file lines are not part of it, so moving YAML around does not
    /// make old findings new.
    pub fn parse(path: &str, text: &str) -> Result<Self, LoadError> {
        let err = |message: String| LoadError {
            path: path.to_string(),
            line: None,
            message,
        };
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| LoadError {
            path: path.to_string(),
            line: u32::try_from(e.line()).ok(),
            message: format!("not a JSON report: {e}"),
        })?;
        let findings = v
            .get("findings")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| err("not an eksguard JSON report: no `findings` list (write one with `eksguard scan -f json -o FILE`)".into()))?;
        let mut fingerprints = BTreeSet::new();
        for (i, f) in findings.iter().enumerate() {
            let fp = if let Some(fp) = f.get("fingerprint").and_then(serde_json::Value::as_str) {
                fp.to_string()
            } else {
                let s = |v: Option<&serde_json::Value>| {
                    v.and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string()
                };
                let res = f.get("resource");
                let (Some(rule), Some(message)) = (
                    f.get("rule_id").and_then(serde_json::Value::as_str),
                    f.get("message").and_then(serde_json::Value::as_str),
                ) else {
                    return Err(err(format!(
                        "findings[{i}] has no fingerprint, rule_id or message"
                    )));
                };
                fingerprint_of(
                    rule,
                    &s(res.and_then(|r| r.get("kind"))),
                    &s(res.and_then(|r| r.get("namespace"))),
                    &s(res.and_then(|r| r.get("name"))),
                    &s(res.and_then(|r| r.get("arn"))),
                    message,
                )
            };
            fingerprints.insert(fp);
        }
        Ok(Self {
            path: path.to_string(),
            fingerprints,
        })
    }
}

/// How the run compares with its baseline.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineSummary {
    pub path: String,
    /// Findings not in the baseline (these decide the exit code).
    pub new: usize,
    /// Findings already in the baseline.
    pub unchanged: usize,
    /// Baseline findings no longer found.
    pub fixed: usize,
}

/// A stable identity for a finding: FNV-1a over rule, resource and message, as 16 hex digits.
pub(crate) fn fingerprint_of(
    rule: &str,
    kind: &str,
    namespace: &str,
    name: &str,
    arn: &str,
    message: &str,
) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [rule, kind, namespace, name, arn, message] {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn fingerprint(f: &Finding) -> String {
    let r = &f.resource;
    fingerprint_of(
        f.rule_id,
        &r.kind,
        r.namespace.as_deref().unwrap_or_default(),
        &r.name,
        r.arn.as_deref().unwrap_or_default(),
        &f.message,
    )
}

/// What shapes a run beyond the rules: `eksguard.toml`, today's date (for expiring
/// exceptions), and a baseline report.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    pub config: &'a Config,
    pub today: Option<Date>,
    pub baseline: Option<&'a Baseline>,
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
    /// Findings hidden by an annotation or an exception (listed in `suppressed`).
    pub suppressed: usize,
}

/// The result of a scan: everything every output format prints.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: &'static str,
    pub tool: Tool,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// `eksguard.toml` exceptions past their expiry date: they hide nothing any more.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expired_exceptions: Vec<ExpiredException>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
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
    /// Whether any finding at or above `threshold` fails the run: with a baseline, only new
    /// findings do.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity >= threshold && f.baseline != Some(BaselineState::Unchanged))
    }
}

/// Why a rule cannot be evaluated on `inv`, if it cannot.
fn missing_inputs(rule: &Rule, inv: &Inventory) -> Option<String> {
    let missing: Vec<Input> = rule
        .needs
        .iter()
        .copied()
        .filter(|i| !inv.has(*i))
        .collect();
    if missing.is_empty() {
        return None;
    }
    // A source that tried and failed says why; that is the more useful reason.
    let failed: Vec<&str> = missing
        .iter()
        .filter_map(|i| inv.unavailable.get(i).map(String::as_str))
        .collect();
    if !failed.is_empty() {
        let mut failed = failed;
        failed.dedup();
        return Some(failed.join("; "));
    }
    let what: Vec<&str> = missing.iter().map(|i| i.how_to_provide()).collect();
    Some(format!(
        "needs {}, which the input does not have",
        what.join(" and ")
    ))
}

/// Run `rules` on `inv` with no configuration.
pub fn run(inv: &Inventory, rules: &[&'static Rule], version: &'static str) -> Report {
    let config = Config::empty();
    run_with(
        inv,
        rules,
        version,
        Options {
            config: &config,
            today: None,
            baseline: None,
        },
    )
}

/// Run `rules` on `inv`, then apply the configuration's severity overrides and suppressions
/// and compare with the baseline.
pub fn run_with(
    inv: &Inventory,
    rules: &[&'static Rule],
    version: &'static str,
    opts: Options<'_>,
) -> Report {
    let rules = scan_rules(rules);
    let outcomes: Vec<Outcome> = rules.iter().map(|r| check(inv, r)).collect();
    finish(inv, &rules, outcomes, version, opts)
}

/// The rules a scan runs: audit rules judge events, not an inventory (`eksguard detect` runs
/// them), so a scan never selects them.
pub fn scan_rules(rules: &[&'static Rule]) -> Vec<&'static Rule> {
    rules
        .iter()
        .copied()
        .filter(|r| r.scope != crate::rule::Scope::Audit)
        .collect()
}

/// What one rule made of the inventory: its raw findings, or why it could not run.
pub type Outcome = Result<Vec<Finding>, NotEvaluated>;

/// Run one rule. Rules are pure and independent, so a caller may run them in parallel (the
/// CLI does) and hand the outcomes, in rule order, to [`finish`].
pub fn check(inv: &Inventory, rule: &'static Rule) -> Outcome {
    if let Some(reason) = missing_inputs(rule, inv) {
        return Err(NotEvaluated {
            rule_id: rule.id,
            rule_name: rule.name,
            domain: rule.domain,
            severity: rule.severity,
            reason,
        });
    }
    let mut cx = Context::new(inv, rule);
    (rule.check)(&mut cx);
    Ok(cx.into_findings())
}

/// Turn the outcomes of `rules` (same order) into the report: severity overrides,
/// suppressions, baseline, sorting, summary.
pub fn finish(
    inv: &Inventory,
    rules: &[&'static Rule],
    outcomes: Vec<Outcome>,
    version: &'static str,
    opts: Options<'_>,
) -> Report {
    let suppressions = Suppressions::new(inv, opts.config, opts.today);
    let mut suppressed = Vec::new();
    // Sized once: a quarter of a million findings, grown by doubling, would hold the old and the
    // new buffer at once.
    let raw_count = outcomes
        .iter()
        .map(|o| o.as_ref().map_or(0, Vec::len))
        .sum();
    let mut findings = Vec::with_capacity(raw_count);
    let mut not_evaluated = Vec::new();
    let mut passed = Vec::new();
    let mut failed = 0;
    for (&rule, outcome) in rules.iter().zip(outcomes) {
        let raw = match outcome {
            Ok(raw) => raw,
            Err(n) => {
                not_evaluated.push(n);
                continue;
            }
        };
        let mut kept = 0;
        for mut f in raw {
            if let Some(&s) = opts.config.severity.get(rule.id) {
                f.severity = s;
            }
            f.fingerprint = fingerprint(&f);
            if let Some((by, reason)) = suppressions.find(&f) {
                suppressed.push(Suppressed {
                    finding: f,
                    reason,
                    suppressed_by: by,
                });
            } else {
                kept += 1;
                findings.push(f);
            }
        }
        if kept == 0 {
            passed.push(rule);
        } else {
            failed += 1;
        }
    }
    let baseline = opts.baseline.map(|b| {
        let mut summary = BaselineSummary {
            path: b.path.clone(),
            new: 0,
            unchanged: 0,
            fixed: 0,
        };
        let mut seen = BTreeSet::new();
        for f in &mut findings {
            if b.fingerprints.contains(&f.fingerprint) {
                f.baseline = Some(BaselineState::Unchanged);
                summary.unchanged += 1;
                seen.insert(f.fingerprint.clone());
            } else {
                f.baseline = Some(BaselineState::New);
                summary.new += 1;
            }
        }
        summary.fixed = b.fingerprints.difference(&seen).count();
        summary
    });
    // Unstable sorts allocate nothing (a stable one takes a buffer of half the findings). The
    // order stays the same from run to run: the input order is, and the sort is deterministic;
    // findings whose keys tie are equal in everything `dedup_by` compares.
    suppressed.sort_unstable_by(|a, b| a.finding.sort_key().cmp(&b.finding.sort_key()));
    findings.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| {
        a.rule_id == b.rule_id
            && a.resource == b.resource
            && a.message == b.message
            && a.location == b.location
    });

    let mut skipped = inv.skipped.clone();
    skipped.sort();
    let mut errors = inv.errors.clone();
    errors.extend(suppressions.errors);
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
        suppressed: suppressed.len(),
    };
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "eksguard",
            version,
        },
        summary,
        findings,
        suppressed,
        expired_exceptions: suppressions.expired,
        baseline,
        not_evaluated,
        skipped_inputs: skipped,
        errors,
        passed,
        rules: rules.to_vec(),
    }
}
