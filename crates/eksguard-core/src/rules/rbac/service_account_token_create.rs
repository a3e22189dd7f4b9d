use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may create tokens for service accounts (`create` on
    /// `serviceaccounts/token`), on the binding that grants it, naming subject, role and policy
    /// rule (Kubernetes' default and aggregated roles resolved). A role that no binding of the
    /// input uses is reported on itself. Kubernetes' and EKS's own grants, grants limited by
    /// `resourceNames`, and roles that grant everything (RBAC002, RBAC003) are not reported.
    ///
    /// ## Why is this bad?
    /// A subject that can request tokens holds every permission of every service account it may
    /// reach, in Kubernetes and, through IRSA, in AWS: the token is what the IAM role trusts.
    /// Tokens can be minted with long lifetimes and outlive the access review that should have
    /// removed them. The default `edit` and `admin` roles grant this for their namespace.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["serviceaccounts/token"]
    ///   verbs: ["create"]
    /// ```
    /// Instead, let pods receive projected tokens from the kubelet; grant token creation to no
    /// human.
    pub static RULE = Rule {
        id: "RBAC012",
        name: "service-account-token-create",
        domain: Domain::Rbac,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "Subject can create service-account tokens",
        remediation: "Remove create on serviceaccounts/token; workloads get their tokens from the kubelet.",
        references: References {
            seed: &["001 Authentication", "001 Authorization - IAM Roles for Service Accounts - IRSA"],
            cis_eks: &["4.1.12"],
            kubescape: &["C-0282"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#token-request", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(&["create"], &["serviceaccounts/token"]);
    report_permission(cx, &p, Opts::default(), phrase);
}
