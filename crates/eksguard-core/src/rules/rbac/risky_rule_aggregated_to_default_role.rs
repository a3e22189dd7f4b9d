use crate::declare_rule;
use crate::inventory::Input;
use crate::rbac::{Match, default_role_allows, is_platform_object, rule_allows};
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Perm, perms, phrase};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRoles (Kubernetes' and EKS's own excepted) labelled
    /// `rbac.authorization.k8s.io/aggregate-to-view`, `aggregate-to-edit` or `aggregate-to-admin:
    /// "true"` that add to that default role a permission it does not have by default and that this
    /// catalog treats as risky: reading secrets, exec/attach/port-forward, creating pods or
    /// workloads, bind/escalate/impersonate, `nodes/proxy`, service-account tokens, admission
    /// webhooks, PersistentVolumes, Namespace writes.
    ///
    /// ## Why is this bad?
    /// Kubernetes merges such a ClusterRole into the default role at once: everyone bound to `view`
    /// anywhere (often every developer, sometimes every authenticated identity) silently gains the
    /// permission, and nobody reviewing bindings sees it. An operator chart adding `get secrets` to
    /// `view` turns read-only access into credential access.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   labels:
    ///     rbac.authorization.k8s.io/aggregate-to-view: "true"
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["secrets"]
    ///   verbs: ["get", "list"]
    /// ```
    /// Instead, aggregate only the read access to the operator's own custom resources, and bind
    /// anything more separately.
    ///
    /// ## Differences from peers
    /// KubeLinter `aggregate-to-admin-escalation` flags create/delete/patch on secrets and RBAC
    /// resources in any aggregated role; this rule compares with what the target default role
    /// already grants, so adding `create secrets` to `edit` (which has it) is not reported, and
    /// adding `get secrets` to `view` is.
    pub static RULE = Rule {
        id: "RBAC020",
        name: "risky-rule-aggregated-to-default-role",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "ClusterRole adds risky permissions to the view, edit or admin role",
        remediation: "Remove the aggregate-to-* label, or the risky rules, and bind the permissions separately to those who need them.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            kubelinter: &["aggregate-to-admin-escalation"],
            urls: &["https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Roles],
        check: run,
    };
}

/// The risky permissions: what the other RBAC rules of the catalog look for.
fn risky() -> Vec<Perm> {
    let mut p = perms(&["get", "list", "watch"], &["secrets"]);
    p.extend(perms(
        &["create", "get"],
        &[
            "pods/exec",
            "pods/attach",
            "pods/portforward",
            "nodes/proxy",
        ],
    ));
    p.extend(perms(
        &["create"],
        &[
            "pods",
            "deployments.apps",
            "daemonsets.apps",
            "statefulsets.apps",
            "replicasets.apps",
            "jobs.batch",
            "cronjobs.batch",
            "replicationcontrollers",
            "serviceaccounts/token",
            "persistentvolumes",
        ],
    ));
    p.extend(perms(&["bind", "escalate"], &["roles", "clusterroles"]));
    p.extend(perms(
        &["impersonate"],
        &["users", "groups", "serviceaccounts"],
    ));
    p.extend(perms(
        &["create", "update", "patch", "delete"],
        &[
            "mutatingwebhookconfigurations",
            "validatingwebhookconfigurations",
        ],
    ));
    p.extend(perms(&["update", "patch"], &["namespaces"]));
    p
}

const TARGETS: [(&str, &str); 3] = [
    ("rbac.authorization.k8s.io/aggregate-to-view", "view"),
    ("rbac.authorization.k8s.io/aggregate-to-edit", "edit"),
    ("rbac.authorization.k8s.io/aggregate-to-admin", "admin"),
];

fn run(cx: &mut Context<'_>) {
    let risky = risky();
    for r in &cx.inv.cluster_roles {
        if is_platform_object(&r.metadata) {
            continue;
        }
        let labels = r.metadata.labels.clone().unwrap_or_default();
        for (label, role) in TARGETS {
            if labels.get(label).is_none_or(|v| v != "true") {
                continue;
            }
            let mut added: Vec<&Perm> = Vec::new();
            let mut first: Option<usize> = None;
            for (i, rule) in r.rules.as_deref().unwrap_or_default().iter().enumerate() {
                for p in &risky {
                    if matches!(rule_allows(rule, p.verb, &p.target), Some(Match::All))
                        && !default_role_allows(role, p.verb, &p.target)
                        && !added.iter().any(|a| std::ptr::eq(*a, p))
                    {
                        added.push(p);
                        first.get_or_insert(i);
                    }
                }
            }
            let Some(i) = first else {
                continue;
            };
            let msg = format!(
                "{} adds {} to the default ClusterRole {role} (label {label}), and so to everyone bound to {role}",
                r.res,
                phrase(&added)
            );
            cx.report(r, msg).at(format!("rules[{i}]"));
        }
    }
}
