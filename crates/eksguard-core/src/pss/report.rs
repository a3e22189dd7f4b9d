//! `eksguard pss`: per-object results, per-namespace suggestions, and their renderings.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::namespace::NamespacePolicy;
use super::{Level, Version, Violation, evaluate};
use crate::inventory::{Inventory, Workload, is_system_namespace};

/// One object's result, in the JSON shape `eksguard pss --format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectResult {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub path: String,
    pub start_line: u32,
    pub level: Level,
    pub version: Version,
    pub allowed: bool,
    pub violations: Vec<Violation>,
}

/// Evaluate every workload of `inv` at `level` and `version`.
pub fn evaluate_all(inv: &Inventory, level: Level, version: Version) -> Vec<ObjectResult> {
    inv.workloads
        .iter()
        .map(|w| result(w, level, version))
        .collect()
}

fn result(w: &Workload, level: Level, version: Version) -> ObjectResult {
    let e = evaluate(&w.template, &w.spec, level, version);
    ObjectResult {
        kind: w.res.kind.clone(),
        namespace: w.namespace().to_string(),
        name: w.res.name.clone(),
        path: w.src.path.to_string(),
        start_line: w.src.start_line,
        level,
        version,
        allowed: e.allowed,
        violations: e.violations,
    }
}

pub fn render_json(results: &[ObjectResult]) -> String {
    let mut s = serde_json::to_string_pretty(&serde_json::json!({ "results": results }))
        .unwrap_or_default();
    s.push('\n');
    s
}

pub fn render_table(results: &[ObjectResult]) -> String {
    let mut out = String::new();
    for r in results {
        let verdict = if r.allowed { "ALLOWED" } else { "DENIED " };
        let _ = writeln!(
            out,
            "{verdict} {} {}/{}  {}:{}",
            r.kind, r.namespace, r.name, r.path, r.start_line
        );
        for v in &r.violations {
            let _ = writeln!(out, "  - {}: {}", v.check, v.message());
        }
    }
    let denied = results.iter().filter(|r| !r.allowed).count();
    if let Some(first) = results.first() {
        let _ = writeln!(
            out,
            "\n{} of {} object(s) would be denied at {}:{}.",
            denied,
            results.len(),
            first.level,
            first.version
        );
    } else {
        let _ = writeln!(out, "No objects with a pod spec in the input.");
    }
    out
}

/// A workload that blocks a namespace's next level, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Blocker {
    pub kind: String,
    pub name: String,
    pub violations: Vec<Violation>,
}

/// What `--suggest` says about one namespace.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub namespace: String,
    /// The current `enforce` label, if any (`baseline:v1.30`).
    pub current: Option<String>,
    pub workloads: usize,
    /// The strictest level every current workload passes.
    pub strictest: Level,
    pub version: Version,
    /// The level above `strictest`, if any, and the workloads that block it.
    pub next: Option<Level>,
    pub blockers: Vec<Blocker>,
    /// The command that applies `strictest`.
    pub kubectl: String,
}

/// For each namespace with workloads (system namespaces excepted), the strictest level all its
/// workloads pass at `version`.
pub fn suggest(inv: &Inventory, version: Version) -> Vec<Suggestion> {
    let mut by_ns: BTreeMap<&str, Vec<&Workload>> = BTreeMap::new();
    for w in &inv.workloads {
        if !is_system_namespace(w.namespace()) {
            by_ns.entry(w.namespace()).or_default().push(w);
        }
    }
    for ns in &inv.namespaces {
        if !is_system_namespace(&ns.res.name) {
            by_ns.entry(ns.res.name.as_str()).or_default();
        }
    }
    by_ns
        .into_iter()
        .map(|(ns, workloads)| {
            let passes = |level: Level| workloads.iter().all(|w| evaluate(&w.template, &w.spec, level, version).allowed);
            let strictest = [Level::Restricted, Level::Baseline]
                .into_iter()
                .find(|l| passes(*l))
                .unwrap_or(Level::Privileged);
            let next = strictest.stricter();
            let blockers = next.map_or_else(Vec::new, |level| {
                workloads
                    .iter()
                    .filter_map(|w| {
                        let e = evaluate(&w.template, &w.spec, level, version);
                        (!e.allowed).then(|| Blocker { kind: w.res.kind.clone(), name: w.res.name.clone(), violations: e.violations })
                    })
                    .collect()
            });
            let current = inv
                .namespaces
                .iter()
                .find(|n| n.res.name == ns)
                .and_then(|n| NamespacePolicy::from_meta(&n.metadata).enforce)
                .map(|e| format!("{}:{}", e.level, e.version));
            // Pin the version that was evaluated, so a cluster upgrade cannot tighten the policy
            // under running workloads.
            let pinned = Version::Minor(version.effective_minor());
            let kubectl = if strictest == Level::Privileged {
                // Nothing can be enforced yet without breaking a workload: surface violations
                // to users and the audit log first.
                format!(
                    "kubectl label --overwrite namespace {ns} pod-security.kubernetes.io/warn=baseline pod-security.kubernetes.io/warn-version={pinned} pod-security.kubernetes.io/audit=baseline pod-security.kubernetes.io/audit-version={pinned}"
                )
            } else {
                format!(
                    "kubectl label --overwrite namespace {ns} pod-security.kubernetes.io/enforce={strictest} pod-security.kubernetes.io/enforce-version={pinned}"
                )
            };
            Suggestion {
                namespace: ns.to_string(),
                current,
                workloads: workloads.len(),
                strictest,
                version,
                next,
                blockers,
                kubectl,
            }
        })
        .collect()
}

pub fn render_suggestions(s: &[Suggestion]) -> String {
    let mut out = String::new();
    for n in s {
        let current = n.current.as_deref().unwrap_or("none");
        let _ = writeln!(
            out,
            "namespace {}: {} workload(s); enforces {current}; strictest level they all pass: {}",
            n.namespace, n.workloads, n.strictest
        );
        if let Some(next) = n.next
            && !n.blockers.is_empty()
        {
            let _ = writeln!(out, "  blocking {next}:");
            for b in &n.blockers {
                let _ = writeln!(out, "  - {} {}", b.kind, b.name);
                for v in &b.violations {
                    let _ = writeln!(out, "      {}: {}", v.check, v.message());
                }
            }
        }
        let pinned = Version::Minor(n.version.effective_minor());
        if n.strictest == Level::Privileged {
            let _ = writeln!(
                out,
                "  no level can be enforced without rejecting a workload; fix the blockers, and meanwhile warn and audit:"
            );
            let _ = writeln!(out, "  apply: {}\n", n.kubectl);
        } else {
            let _ = writeln!(out, "  apply: {}", n.kubectl);
            let _ = writeln!(
                out,
                "  or in the Namespace manifest:\n    metadata:\n      labels:\n        pod-security.kubernetes.io/enforce: {}\n        pod-security.kubernetes.io/enforce-version: {pinned}\n",
                n.strictest
            );
        }
    }
    if s.is_empty() {
        let _ = writeln!(out, "No application namespaces in the input.");
    }
    out
}
