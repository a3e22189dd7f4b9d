//! SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

use serde_json::{Value, json};

use crate::engine::{BaselineState, Report};
use crate::rule::{Rule, Severity};
use crate::suppress::SuppressedBy;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0-10) for a severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn rule_descriptor(r: &Rule) -> Value {
    let mut help = String::from(r.docs);
    help.push_str("\n## How to fix\n");
    help.push_str(r.remediation);
    help.push('\n');
    let mut d = json!({
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": r.summary},
        "help": {"text": r.remediation, "markdown": help},
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {
            "tags": ["security", r.domain.key()],
            "security-severity": security_severity(r.severity),
            "precision": "high",
        },
    });
    if let Some(url) = r.references.urls.first() {
        d["helpUri"] = json!(url);
    }
    d
}

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = report.rules.iter().map(|r| rule_descriptor(r)).collect();
    let index = |id: &str| report.rules.iter().position(|r| r.id == id);
    let suppressed = report.suppressed.iter().map(|s| (&s.finding, Some(s)));
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| (f, None))
        .chain(suppressed)
        .map(
            |(f, sup): (&crate::rule::Finding, Option<&crate::engine::Suppressed>)| {
                let mut locations = Vec::new();
                if let Some(loc) = &f.location {
                    let mut region = json!({"startLine": loc.start_line.max(1)});
                    if loc.end_line >= loc.start_line && loc.end_line > 0 {
                        region["endLine"] = json!(loc.end_line);
                    }
                    locations.push(json!({
                        "physicalLocation": {
                            "artifactLocation": {"uri": loc.path.replace('\\', "/")},
                            "region": region,
                        },
                        "logicalLocations": [{
                            "name": f.resource.name,
                            "kind": f.resource.kind,
                            "fullyQualifiedName": f.resource.to_string(),
                        }],
                    }));
                }
                let mut r = json!({
                    "ruleId": f.rule_id,
                    "level": level(f.severity),
                    "message": {"text": format!("{}\nFix: {}", f.message, f.remediation)},
                    "locations": locations,
                    "partialFingerprints": {"eksguard/v1": f.fingerprint},
                });
                if let Some(state) = f.baseline {
                    r["baselineState"] = json!(match state {
                        BaselineState::New => "new",
                        BaselineState::Unchanged => "unchanged",
                    });
                }
                if let Some(s) = sup {
                    let kind = match s.suppressed_by {
                        SuppressedBy::Annotation { .. } => "inSource",
                        SuppressedBy::Exception { .. } => "external",
                    };
                    r["suppressions"] = json!([{
                        "kind": kind,
                        "status": "accepted",
                        "justification": s.reason,
                    }]);
                }
                if let Some(i) = index(f.rule_id) {
                    r["ruleIndex"] = json!(i);
                }
                r
            },
        )
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": e.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": e.path},
                    "region": {"startLine": e.line.unwrap_or(1).max(1)},
                }}],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "eksguard",
                "version": report.tool.version,
                "informationUri": "https://github.com/eksguard/eksguard",
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
