//! deploy/eksguard-reader.yaml grants exactly what the live source reads, and eksguard's own
//! scan of it finds nothing above low.

use std::collections::BTreeSet;

use eksguard_core::engine::run;
use eksguard_core::inventory::{LoadOptions, load_text};
use eksguard_core::rule::Severity;
use eksguard_core::rules::RULES;
use eksguard_sources::kube::{KINDS, NODES, SECRETS};

fn role_file() -> (String, String) {
    let path = format!(
        "{}/../../deploy/eksguard-reader.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    (path, text)
}

/// (group, resource, verb) triples a ClusterRole grants.
fn grants(inv: &eksguard_core::Inventory, role: &str) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    let cr = inv.cluster_roles.iter().find(|r| r.res.name == role);
    let rules = cr.and_then(|r| r.rules.clone()).unwrap_or_default();
    for r in rules {
        for g in r.api_groups.clone().unwrap_or_default() {
            for res in r.resources.clone().unwrap_or_default() {
                for v in &r.verbs {
                    out.insert((g.clone(), res.clone(), v.clone()));
                }
            }
        }
    }
    out
}

fn triple(g: &str, r: &str, v: &str) -> (String, String, String) {
    (g.to_string(), r.to_string(), v.to_string())
}

#[test]
fn reader_role_covers_exactly_the_kinds_the_source_lists() {
    let (path, text) = role_file();
    let inv = load_text(&path, &text, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.cluster_roles.len(), 2);
    assert_eq!(inv.cluster_role_bindings.len(), 2);

    let mut wanted = BTreeSet::new();
    for k in KINDS {
        wanted.insert(triple(k.group, k.plural, "list"));
        wanted.insert(triple(k.group, k.plural, "get"));
    }
    wanted.insert(triple(SECRETS.group, SECRETS.plural, "list"));
    assert_eq!(grants(&inv, "eksguard-reader"), wanted);

    let kubelet = BTreeSet::from([
        triple(NODES.group, NODES.plural, "list"),
        triple("", "nodes/proxy", "get"),
    ]);
    assert_eq!(grants(&inv, "eksguard-reader-kubelet"), kubelet);

    let bound: Vec<(String, String)> = inv
        .cluster_role_bindings
        .iter()
        .map(|b| {
            let subject = b
                .subjects
                .iter()
                .flatten()
                .map(|s| format!("{}:{}", s.kind, s.name))
                .collect::<Vec<_>>()
                .join(",");
            (b.role_ref.name.clone(), subject)
        })
        .collect();
    assert!(bound.contains(&("eksguard-reader".into(), "Group:eksguard:readers".into())));
}

#[test]
fn eksguard_finds_nothing_above_low_in_its_own_role() {
    let (path, text) = role_file();
    let inv = load_text(&path, &text, &LoadOptions::default());
    let report = run(&inv, RULES, "test");
    let serious: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.severity > Severity::Low)
        .map(|f| format!("{} {}: {}", f.rule_id, f.resource, f.message))
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
    // The two real grants (Secrets list, nodes/proxy) are accepted visibly, not hidden.
    let mut accepted: Vec<String> = report
        .suppressed
        .iter()
        .map(|s| format!("{} {}", s.finding.rule_id, s.finding.resource))
        .collect();
    accepted.sort();
    assert_eq!(
        accepted,
        [
            "RBAC004 ClusterRoleBinding eksguard-reader",
            "RBAC011 ClusterRoleBinding eksguard-reader-kubelet"
        ]
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}
