use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may `impersonate` users, groups, service accounts or UIDs, on the
    /// binding that grants it, naming subject, role and policy rule (Kubernetes' default and
    /// aggregated roles resolved). A role that no binding of the input uses is reported on itself.
    /// Kubernetes' and EKS's own grants, grants limited by `resourceNames`, and roles that grant
    /// everything (RBAC002, RBAC003) are not reported.
    ///
    /// ## Why is this bad?
    /// Impersonation lets a subject send requests as another identity: impersonating a user or
    /// group means acting as `system:masters` or any admin; impersonating a service account means
    /// holding all of its permissions (the default `edit` and `admin` roles grant this for the
    /// service accounts of their namespace). It is RBAC's widest escalation path.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["users", "groups", "serviceaccounts"]
    ///   verbs: ["impersonate"]
    /// ```
    /// Instead, remove the verb; an authenticating proxy that must impersonate gets `resourceNames`
    /// listing the identities it acts for.
    ///
    /// ## Differences from peers
    /// Checkov CKV2_K8S_3 and kubescape C-0065 report roles with the verb; KubeLinter `impersonate-
    /// without-resource-names` accepts `resourceNames`, as this rule does.
    pub static RULE = Rule {
        id: "RBAC008",
        name: "impersonate-permission",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Subject can impersonate users, groups or service accounts",
        remediation: "Remove the impersonate verb; if a proxy needs it, restrict it with resourceNames to the identities it acts for.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            cis_eks: &["4.1.8"],
            checkov: &["CKV2_K8S_3"],
            kubescape: &["C-0065", "C-0191"],
            kubelinter: &["impersonate-without-resource-names"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#impersonate-verb", "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(
        &["impersonate"],
        &[
            "users",
            "groups",
            "serviceaccounts",
            "uids.authentication.k8s.io",
        ],
    );
    report_permission(cx, &p, Opts::default(), phrase);
}
