//! The human report: findings grouped by domain, then by rule (worst first), each rule with
//! its fix once; then what was not evaluated, skipped, or broken; then a summary.

use std::fmt::Write;

use crate::engine::{BaselineState, Report};
use crate::rule::{Domain, Finding, Severity};
use crate::suppress::SuppressedBy;

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        let label = format!("{:<8}", s.as_str().to_ascii_uppercase());
        let code = match s {
            Severity::Critical => "1;37;41",
            Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.paint(code, &label)
    }

    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }

    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
}

fn location(f: &Finding) -> String {
    match &f.location {
        Some(l) => {
            let field = l
                .field
                .as_deref()
                .map(|x| format!("  ({x})"))
                .unwrap_or_default();
            if l.start_line > 0 {
                format!("{}:{}{field}", l.path, l.start_line)
            } else {
                format!("{}{field}", l.path)
            }
        }
        None => String::new(),
    }
}

pub fn render(report: &Report, color: bool) -> String {
    let st = Style { color };
    let mut out = String::new();

    for domain in Domain::ALL {
        let in_domain: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.domain == domain)
            .collect();
        if in_domain.is_empty() {
            continue;
        }
        let title = format!("{} ({})", domain.title(), domain.prefix());
        let _ = writeln!(out, "{}", st.bold(&title));
        let _ = writeln!(out, "{}", st.dim(&"=".repeat(title.len())));
        // Findings are sorted by severity then rule: group consecutive runs of one rule.
        let mut i = 0;
        while i < in_domain.len() {
            let rule_id = in_domain[i].rule_id;
            let group: Vec<&Finding> = in_domain[i..]
                .iter()
                .take_while(|f| f.rule_id == rule_id)
                .copied()
                .collect();
            i += group.len();
            let first = group[0];
            let summary = report
                .rules
                .iter()
                .find(|r| r.id == rule_id)
                .map_or("", |r| r.summary);
            let _ = writeln!(
                out,
                "{} {} {}  {}",
                st.severity(first.severity),
                st.bold(rule_id),
                first.rule_name,
                st.dim(&format!("{summary} ({})", group.len()))
            );
            let generic = report
                .rules
                .iter()
                .find(|r| r.id == rule_id)
                .map(|r| r.remediation);
            for f in &group {
                let known = if f.baseline == Some(BaselineState::Unchanged) {
                    st.dim(" [in baseline]")
                } else {
                    String::new()
                };
                let _ = writeln!(out, "  - {}{known}", f.message);
                let loc = location(f);
                if !loc.is_empty() {
                    let _ = writeln!(out, "    {}", st.dim(&loc));
                }
                if Some(f.remediation.as_ref()) != generic {
                    let _ = writeln!(out, "    fix: {}", f.remediation);
                }
            }
            if let Some(fix) = generic {
                let _ = writeln!(out, "  {} {fix}", st.bold("fix:"));
            }
            let _ = writeln!(out);
        }
    }

    if !report.not_evaluated.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            st.paint(
                "1;35",
                &format!(
                    "Not evaluated ({} rules): their input is missing, so they have NOT passed",
                    report.not_evaluated.len()
                )
            )
        );
        for n in &report.not_evaluated {
            let _ = writeln!(
                out,
                "  {} {:<40} {}",
                n.rule_id,
                n.rule_name,
                st.dim(&n.reason)
            );
        }
        let _ = writeln!(out);
    }
    if !report.suppressed.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            st.bold(&format!(
                "Suppressed ({}): hidden on purpose, with a reason",
                report.suppressed.len()
            ))
        );
        for s in &report.suppressed {
            let by = match &s.suppressed_by {
                SuppressedBy::Annotation { path, line, .. } => {
                    format!("annotation at {path}:{line}")
                }
                SuppressedBy::Exception { path, line } => format!("exception at {path}:{line}"),
            };
            let _ = writeln!(
                out,
                "  {} {}: {}",
                s.finding.rule_id,
                s.finding.resource,
                st.dim(&format!("{} ({by})", s.reason))
            );
        }
        let _ = writeln!(out);
    }
    if !report.expired_exceptions.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            st.paint(
                "1;33",
                &format!(
                    "Expired exceptions ({}): they no longer hide findings; renew or remove them",
                    report.expired_exceptions.len()
                )
            )
        );
        for e in &report.expired_exceptions {
            let _ = writeln!(
                out,
                "  {}:{} [{}] expired {}: {}",
                e.path,
                e.line,
                e.rules.join(", "),
                e.expires,
                e.reason
            );
        }
        let _ = writeln!(out);
    }
    if !report.skipped_inputs.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            st.bold(&format!("Skipped inputs ({})", report.skipped_inputs.len()))
        );
        for s in &report.skipped_inputs {
            let at = s.start_line.map(|l| format!(":{l}")).unwrap_or_default();
            let _ = writeln!(out, "  {}{at}: {}", s.path, s.reason);
        }
        let _ = writeln!(out);
    }
    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            st.paint(
                "1;31",
                &format!(
                    "Errors ({}): these inputs were not (fully) scanned",
                    report.errors.len()
                )
            )
        );
        for e in &report.errors {
            let _ = writeln!(out, "  {e}");
        }
        let _ = writeln!(out);
    }

    let s = &report.summary;
    let counts: Vec<String> = Severity::ALL
        .iter()
        .filter(|sev| s.by_severity.get(**sev) > 0)
        .map(|sev| format!("{} {}", s.by_severity.get(*sev), sev.as_str()))
        .collect();
    let counts = if counts.is_empty() {
        String::new()
    } else {
        format!(" ({})", counts.join(", "))
    };
    let passed: Vec<&str> = report.passed.iter().map(|r| r.id).collect();
    let _ = writeln!(
        out,
        "{} {} finding(s){counts} from {} rule(s); {} rule(s) passed; {} not evaluated.",
        st.bold("Summary:"),
        s.findings,
        s.rules_failed,
        s.rules_passed,
        s.rules_not_evaluated,
    );
    if !passed.is_empty() {
        let _ = writeln!(out, "Passed: {}", passed.join(", "));
    }
    if s.suppressed > 0 {
        let _ = writeln!(
            out,
            "Suppressed: {} finding(s), listed above.",
            s.suppressed
        );
    }
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "Baseline {}: {} new, {} unchanged, {} fixed; only new findings fail the run.",
            b.path, b.new, b.unchanged, b.fixed
        );
    }
    let _ = writeln!(
        out,
        "Scanned {} document(s), {} object(s); {} skipped, {} error(s).",
        s.documents, s.objects, s.skipped_inputs, s.errors
    );
    out
}
