//! The audit findings of `eksguard detect`, as they stream: a table block or a JSON line per
//! finding, each with its evidence (count, first and last seen, users, sources, agents, verbs,
//! objects, response codes, audit IDs). Like every format, it sees only findings.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::detect::event::format_time;
use crate::finding::Finding;

/// One block per finding that carries evidence (audit findings do), appended to `out`.
pub fn table(findings: &[Finding], out: &mut String) {
    let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
    for f in findings {
        let Some(e) = f.evidence.as_deref() else {
            continue;
        };
        let _ = writeln!(
            out,
            "{:<8} {} {}  ×{}  {} .. {}",
            f.severity.as_str().to_uppercase(),
            f.rule_id,
            f.rule_name,
            e.count,
            format_time(e.first_seen),
            format_time(e.last_seen)
        );
        let _ = writeln!(out, "  {}", f.message);
        let _ = writeln!(
            out,
            "  users: {} · sources: {} · agents: {}",
            join(&e.users),
            join(&e.source_ips),
            join(&e.user_agents)
        );
        let codes: Vec<String> = e.response_codes.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "  verbs: {} · objects: {} · codes: {}",
            join(&e.verbs),
            join(&e.object_refs),
            codes.join(", ")
        );
        let _ = writeln!(out, "  audit IDs: {}\n", e.audit_ids.join(", "));
    }
}

/// One JSON object a line per finding (`--format jsonl`), appended to `out`.
pub fn jsonl(findings: &[Finding], out: &mut String) {
    for f in findings {
        // A finding is plain data (strings, numbers, sets): serializing it cannot fail.
        if let Ok(line) = serde_json::to_string(f) {
            out.push_str(&line);
            out.push('\n');
        }
    }
}
