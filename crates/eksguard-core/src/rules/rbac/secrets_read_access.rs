use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{grants, is_platform_rbac, roles};

declare_rule! {
    /// ## What it does
    /// Flags Roles and ClusterRoles that may read secrets (`get`, `list` or `watch` on
    /// `secrets`), Kubernetes and EKS defaults excepted.
    ///
    /// ## Why is this bad?
    /// Secrets hold database passwords, API keys and service-account tokens: reading them is
    /// often a step to more access. `list` and `watch` return every secret's value, not just
    /// names. A ClusterRole bound cluster-wide reads the secrets of every team, which the seeds'
    /// namespace separation is meant to prevent.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["secrets"]
    ///   verbs: ["get", "list"]
    /// ```
    /// Instead, mount the one secret a workload needs, or use `resourceNames` to limit `get` to
    /// named secrets.
    pub static RULE = Rule {
        id: "RBAC004",
        name: "secrets-read-access",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Role can read secrets",
        remediation: "Remove get/list/watch on secrets, or limit get to named secrets with resourceNames in a namespaced Role.",
        references: References {
            seed: &["003 Use namespaces and secrets", "001 Authentication"],
            cis_eks: &["4.1.2"],
            checkov: &["CKV2_K8S_5"],
            kubescape: &["C-0015", "C-0186"],
            kubelinter: &["access-to-secrets", "cluster-wide-secrets-access"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#listing-secrets", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/", "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Roles],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for r in roles(cx.inv) {
        if is_platform_rbac(r.meta) {
            continue;
        }
        for (i, rule) in r.rules.iter().enumerate() {
            let named = rule.resource_names.as_ref().is_some_and(|n| !n.is_empty());
            let verbs: Vec<&str> = ["get", "list", "watch"]
                .into_iter()
                // `get` limited to named secrets is the recommended narrow grant.
                .filter(|v| grants(rule, v, "", "secrets") && !(named && *v == "get"))
                .collect();
            if verbs.is_empty() {
                continue;
            }
            let scope = if r.cluster_scoped {
                "in every namespace it is bound for"
            } else {
                "in its namespace"
            };
            cx.report(
                r.target,
                format!("{} can {} secrets {scope}", r.describe(), verbs.join("/")),
            )
            .at(format!("rules[{i}]"));
        }
    }
}
