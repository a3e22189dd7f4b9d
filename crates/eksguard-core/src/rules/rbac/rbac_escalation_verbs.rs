use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that holds the `bind` or `escalate` verb on Roles or ClusterRoles
    /// (explicitly or through `*` verbs), on the binding that grants it, naming subject, role
    /// and policy rule. A role that no binding of the input uses is reported on itself.
    /// Kubernetes' and EKS's own grants, verbs limited by `resourceNames` to named roles, and
    /// roles that grant everything (RBAC002, RBAC003) are not reported. `impersonate` is
    /// RBAC008.
    ///
    /// ## Why is this bad?
    /// These verbs switch off RBAC's own guard rail against privilege escalation: `escalate`
    /// lets a subject write a role with permissions it does not have, and `bind` lets it bind
    /// a role it does not hold, `cluster-admin` included, to itself.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: ["rbac.authorization.k8s.io"]
    ///   resources: ["clusterroles"]
    ///   verbs: ["bind", "escalate"]
    /// ```
    /// Instead, remove the verbs; if a controller truly needs `bind`, restrict it with
    /// `resourceNames` to the roles it hands out.
    ///
    /// ## Differences from peers
    /// Checkov CKV_K8S_157 and CKV_K8S_158 and KubeLinter flag the verbs in any role; this rule
    /// reports who holds them through which binding, and accepts `resourceNames`.
    pub static RULE = Rule {
        id: "RBAC006",
        name: "rbac-escalation-verbs",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Subject can bind or escalate roles",
        remediation: "Remove bind and escalate; restrict any that must stay with resourceNames to the roles concerned.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            cis_eks: &["4.1.8"],
            checkov: &["CKV_K8S_157", "CKV_K8S_158"],
            kubescape: &["C-0191"],
            kubelinter: &["bind-verb-in-role", "escalate-verb-in-role"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/", "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(&["bind", "escalate"], &["roles", "clusterroles"]);
    report_permission(cx, &p, Opts::default(), phrase);
}
