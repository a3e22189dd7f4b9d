use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{is_platform_rbac, roles};

declare_rule! {
    /// ## What it does
    /// Flags Roles and ClusterRoles that grant the `bind`, `escalate` or `impersonate` verbs,
    /// explicitly or through `*` (Kubernetes and EKS defaults excepted).
    ///
    /// ## Why is this bad?
    /// These verbs exist to bypass RBAC's own guard rails: `escalate` lets a subject write a
    /// role with permissions it does not have, `bind` lets it bind roles it does not hold, and
    /// `impersonate` lets it act as any user, group or service account, `system:masters`
    /// included.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["users", "groups", "serviceaccounts"]
    ///   verbs: ["impersonate"]
    /// ```
    /// Instead, remove the verbs; if a controller truly needs `bind`, restrict it with
    /// `resourceNames` to the roles it manages.
    pub static RULE = Rule {
        id: "RBAC006",
        name: "rbac-escalation-verbs",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Role grants bind, escalate or impersonate",
        remediation: "Remove bind, escalate and impersonate; restrict any that must stay with resourceNames.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            cis_eks: &["4.1.8"],
            checkov: &["CKV_K8S_157", "CKV_K8S_158", "CKV2_K8S_3"],
            kubescape: &["C-0191", "C-0065"],
            kubelinter: &["bind-verb-in-role", "escalate-verb-in-role", "impersonate-without-resource-names"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/", "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping"],
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
            let verbs: Vec<&str> = rule
                .verbs
                .iter()
                .map(|v| {
                    if v == "*" {
                        "* (which includes bind, escalate and impersonate)"
                    } else {
                        v.as_str()
                    }
                })
                .filter(|v| matches!(*v, "bind" | "escalate" | "impersonate") || v.starts_with('*'))
                .collect();
            if verbs.is_empty() {
                continue;
            }
            let named = rule.resource_names.as_ref().is_some_and(|n| !n.is_empty());
            let suffix = if named {
                " (limited by resourceNames)"
            } else {
                ""
            };
            cx.report(
                r.target,
                format!("{} grants {}{suffix}", r.describe(), verbs.join(", ")),
            )
            .at(format!("rules[{i}]"));
        }
    }
}
