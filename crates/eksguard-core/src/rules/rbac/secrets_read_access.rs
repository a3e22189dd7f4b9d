use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may read secrets (`get`, `list` or `watch` on `secrets`), on
    /// the RoleBinding or ClusterRoleBinding that grants it, naming subject, role and policy
    /// rule. Roles are resolved as the API server does: Kubernetes' default roles (a binding
    /// to `edit` or `admin` grants secrets) and aggregated ClusterRoles included. A role that
    /// no binding of the input uses is reported on itself. Kubernetes' and EKS's own grants,
    /// `get` limited by `resourceNames` to named secrets, and roles that grant everything
    /// (RBAC002, RBAC003) are not reported.
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
    ///
    /// ## Differences from peers
    /// kube-bench 4.1.2 audits namespaced Roles only and Checkov CKV2_K8S_5 only bindings of
    /// service accounts; KubeLinter `access-to-secrets` also counts create and delete. This
    /// rule counts exactly the verbs that return secret values, for every subject, and knows
    /// the default roles.
    pub static RULE = Rule {
        id: "RBAC004",
        name: "secrets-read-access",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Subject can read secrets",
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
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(&["get", "list", "watch"], &["secrets"]);
    report_permission(cx, &p, Opts::default(), phrase);
}
