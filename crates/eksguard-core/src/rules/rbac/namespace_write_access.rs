use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may update or patch Namespace objects, on the binding that grants
    /// it, naming subject, role and policy rule (Kubernetes' default and aggregated roles
    /// resolved). A role that no binding of the input uses is reported on itself. Kubernetes' and
    /// EKS's own grants, grants limited by `resourceNames`, and roles that grant everything
    /// (RBAC002, RBAC003) are not reported. (a RoleBinding grants this on its own namespace.)
    ///
    /// ## Why is this bad?
    /// The Pod Security Admission level of a namespace is a label on it: whoever can patch the
    /// Namespace can relabel it `pod-security.kubernetes.io/enforce: privileged` and then run
    /// privileged pods. Labels also select namespaces in NetworkPolicies and webhooks, so changing
    /// them can open traffic or escape a policy.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["namespaces"]
    ///   verbs: ["patch"]
    /// ```
    /// Instead, let administrators manage Namespace objects (from Git), and give tenants roles
    /// inside them.
    pub static RULE = Rule {
        id: "RBAC019",
        name: "namespace-write-access",
        domain: Domain::Rbac,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "Subject can change Namespace objects",
        remediation: "Limit update and patch on namespaces to cluster administrators; tenants need neither.",
        references: References {
            seed: &["003 Use namespaces and secrets", "002 Least Privilege Model"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#namespace-modification", "https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(&["update", "patch"], &["namespaces"]);
    report_permission(cx, &p, Opts::default(), phrase);
}
