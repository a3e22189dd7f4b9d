//! Kubernetes RBAC: roles and bindings.
//!
//! The permission rules (who can read secrets, exec into pods, create workloads, ...) ask the
//! RBAC analysis ([`crate::rbac`]) who holds a permission and report on the binding that grants
//! it, naming subject, role and policy rule. Grants of Kubernetes and EKS to their own
//! identities are not findings, and neither are roles that grant everything (`*` on `*`):
//! RBAC002 and RBAC003 report those once. A role of the input that no binding of the input uses
//! is reported on itself, since whoever it is later bound to will hold the permission.

pub mod admission_webhook_write_access;
pub mod aws_auth_write_access;
pub mod binding_to_all_authenticated;
pub mod binding_to_anonymous;
pub mod cluster_admin_binding;
pub mod csr_approval_access;
pub mod default_service_account_bound;
pub mod events_delete_access;
pub mod impersonate_permission;
pub mod namespace_write_access;
pub mod node_proxy_access;
pub mod persistent_volume_create_access;
pub mod pod_exec_access;
pub mod pod_portforward_access;
pub mod rbac_escalation_verbs;
pub mod risky_rule_aggregated_to_default_role;
pub mod secrets_read_access;
pub mod service_account_token_create;
pub mod wildcard_rbac_rule;
pub mod workload_create_access;

use std::collections::BTreeMap;

use crate::rbac::{
    Grant, Rbac, Target, is_cluster_scoped, is_default_cluster_role, is_full_wildcard,
    is_platform_object, rule_allows,
};
use crate::rule::Context;
use crate::rules::util::{RoleView, roles};

/// A permission a rule looks for: `verb` on `target` (anywhere, or in one namespace).
pub(crate) struct Perm {
    pub verb: &'static str,
    pub target: Target,
    pub namespace: Option<&'static str>,
}

/// Every verb on every target (`"pods/exec"`, `"deployments.apps"`, parsed like `kubectl`).
pub(crate) fn perms(verbs: &[&'static str], targets: &[&str]) -> Vec<Perm> {
    let mut out = Vec::new();
    for t in targets {
        let Ok(target) = t.parse::<Target>() else {
            continue;
        };
        for &verb in verbs {
            out.push(Perm {
                verb,
                target: target.clone(),
                namespace: None,
            });
        }
    }
    out
}

/// `pods/exec` (the API group is left out: the resource names are unambiguous here).
fn what(t: &Target) -> String {
    match t {
        Target::NonResource(p) => p.clone(),
        Target::Resource {
            resource,
            subresource,
            ..
        } => {
            if subresource.is_empty() {
                resource.clone()
            } else {
                format!("{resource}/{subresource}")
            }
        }
    }
}

/// `get/list secrets, create pods/exec and pods/attach`: verbs grouped by target, targets with
/// the same verbs joined.
pub(crate) fn phrase(held: &[&Perm]) -> String {
    let mut by_what: Vec<(String, Vec<&str>)> = Vec::new();
    for p in held {
        let w = what(&p.target);
        match by_what.iter_mut().find(|(x, _)| *x == w) {
            Some((_, verbs)) => {
                if !verbs.contains(&p.verb) {
                    verbs.push(p.verb);
                }
            }
            None => by_what.push((w, vec![p.verb])),
        }
    }
    let mut groups: Vec<(Vec<&str>, Vec<String>)> = Vec::new();
    for (w, verbs) in by_what {
        match groups.iter_mut().find(|(v, _)| *v == verbs) {
            Some((_, whats)) => whats.push(w),
            None => groups.push((verbs, vec![w])),
        }
    }
    groups
        .into_iter()
        .map(|(verbs, whats)| format!("{} {}", verbs.join("/"), join_and(&whats)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What a permission rule counts as holding.
#[derive(Clone, Copy, Default)]
pub(crate) struct Opts {
    /// Count grants limited by `resourceNames` to named objects.
    pub restricted: bool,
}

/// One subject of one binding holding some of the permissions.
pub(crate) struct Held<'p> {
    pub binding_index: usize,
    pub subject_index: usize,
    pub grants: Vec<(&'p Perm, Grant)>,
}

/// Who holds any of `perms`, grouped by binding and subject; Kubernetes' and EKS's own grants
/// and grants of everything (`*` on `*`) left out.
pub(crate) fn holders<'p>(rbac: &Rbac<'_>, perms: &'p [Perm], opts: Opts) -> Vec<Held<'p>> {
    let mut by: BTreeMap<(usize, usize), Vec<(&'p Perm, Grant)>> = BTreeMap::new();
    for p in perms {
        for g in rbac.who_can(p.verb, &p.target, p.namespace) {
            if g.platform || g.wildcard || (!opts.restricted && !g.resource_names.is_empty()) {
                continue;
            }
            by.entry((g.binding_index, g.subject_index))
                .or_default()
                .push((p, g));
        }
    }
    by.into_iter()
        .map(|((binding_index, subject_index), grants)| Held {
            binding_index,
            subject_index,
            grants,
        })
        .collect()
}

/// `rules[1], rules[3]` or `rules[0], rules[4] of ClusterRole system:aggregate-to-edit`.
fn rule_paths(grants: &[(&Perm, Grant)]) -> String {
    let mut by_source: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (_, g) in grants {
        let idx = by_source
            .entry(g.aggregated_from.as_ref().map(ToString::to_string))
            .or_default();
        if !idx.contains(&g.rule_index) {
            idx.push(g.rule_index);
        }
    }
    by_source
        .into_iter()
        .map(|(src, mut idx)| {
            idx.sort_unstable();
            let rules: Vec<String> = idx.iter().map(|i| format!("rules[{i}]")).collect();
            match src {
                Some(src) => format!("{} of {src}", rules.join(", ")),
                None => rules.join(", "),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Where the held permissions apply, for the message: nothing when a permission names its own
/// namespace (the aws-auth ConfigMap) or is cluster-scoped.
fn scope_words(held: &[&Perm], scope: &crate::rbac::GrantScope) -> String {
    let namespaced = held.iter().all(|p| {
        p.namespace.is_none()
            && matches!(&p.target, Target::Resource { resource, .. } if !is_cluster_scoped(resource))
    });
    match scope {
        _ if !namespaced => String::new(),
        crate::rbac::GrantScope::Cluster => " in every namespace".to_string(),
        crate::rbac::GrantScope::Namespace(ns) => format!(" in namespace {ns}"),
    }
}

/// Report each holder of `perms` on its binding, and each unbound role of the input that grants
/// them on the role. `describe` turns the held permissions into the words after "can".
pub(crate) fn report_permission(
    cx: &mut Context<'_>,
    perms: &[Perm],
    opts: Opts,
    describe: fn(&[&Perm]) -> String,
) {
    let rbac = Rbac::new(cx.inv);
    for h in holders(&rbac, perms, opts) {
        report_held(cx, &rbac, &h, describe);
    }
    report_unbound_roles(cx, &rbac, perms, opts, describe);
}

/// Report one holder on its binding, at the subject.
pub(crate) fn report_held(
    cx: &mut Context<'_>,
    rbac: &Rbac<'_>,
    h: &Held<'_>,
    describe: fn(&[&Perm]) -> String,
) {
    let (Some(b), Some((_, first))) = (rbac.bindings.get(h.binding_index), h.grants.first()) else {
        return;
    };
    let held: Vec<&Perm> = h.grants.iter().map(|(p, _)| *p).collect();
    let mut names: Vec<&str> = h
        .grants
        .iter()
        .flat_map(|(_, g)| g.resource_names.iter().map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    let only = if names.is_empty() {
        String::new()
    } else {
        format!(" (only {})", names.join(", "))
    };
    let scope = scope_words(&held, &first.scope);
    let msg = format!(
        "{} can {}{only}{scope}, through {} → {} ({})",
        first.subject,
        describe(&held),
        first.binding,
        first.role,
        rule_paths(&h.grants)
    );
    cx.report(b.target, msg)
        .at(format!("subjects[{}]", h.subject_index));
}

/// Roles of the input, not Kubernetes' or EKS's own, that no binding of the input uses.
pub(crate) fn unbound_roles<'a>(inv: &'a crate::Inventory, rbac: &Rbac<'_>) -> Vec<RoleView<'a>> {
    roles(inv)
        .into_iter()
        .filter(|r| {
            let name = r.meta.name.as_deref().unwrap_or_default();
            let ns = (!r.cluster_scoped).then(|| r.meta.namespace.as_deref().unwrap_or("default"));
            let default = r.cluster_scoped && is_default_cluster_role(name);
            !(is_platform_object(r.meta) || default || rbac.is_bound(ns, name))
        })
        .collect()
}

fn report_unbound_roles(
    cx: &mut Context<'_>,
    rbac: &Rbac<'_>,
    perms: &[Perm],
    opts: Opts,
    describe: fn(&[&Perm]) -> String,
) {
    let inv = cx.inv;
    for r in unbound_roles(inv, rbac) {
        let mut held: Vec<&Perm> = Vec::new();
        let mut indexes: Vec<usize> = Vec::new();
        for (i, rule) in r.rules.iter().enumerate() {
            if is_full_wildcard(rule) {
                continue;
            }
            for p in perms {
                let reachable = match &p.target {
                    Target::NonResource(_) => r.cluster_scoped,
                    Target::Resource { resource, .. } => {
                        r.cluster_scoped || !is_cluster_scoped(resource)
                    }
                };
                let in_ns = match (p.namespace, r.cluster_scoped) {
                    (Some(ns), false) => r.meta.namespace.as_deref().unwrap_or("default") == ns,
                    _ => true,
                };
                if !reachable || !in_ns {
                    continue;
                }
                let m = rule_allows(rule, p.verb, &p.target);
                let counts = match m {
                    Some(crate::rbac::Match::All) => true,
                    Some(crate::rbac::Match::Names(_)) => opts.restricted,
                    None => false,
                };
                if counts {
                    if !held.iter().any(|h| std::ptr::eq(*h, p)) {
                        held.push(p);
                    }
                    if !indexes.contains(&i) {
                        indexes.push(i);
                    }
                }
            }
        }
        let Some(&first) = indexes.first() else {
            continue;
        };
        let paths: Vec<String> = indexes.iter().map(|i| format!("rules[{i}]")).collect();
        let msg = format!(
            "{} lets whoever it is bound to {} ({}); no binding in the input uses it yet",
            r.describe(),
            describe(&held),
            paths.join(", ")
        );
        cx.report(r.target, msg).at(format!("rules[{first}]"));
    }
}
