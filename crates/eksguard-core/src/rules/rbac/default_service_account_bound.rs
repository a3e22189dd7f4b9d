use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{bindings, describe_subject, is_platform_rbac};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings and ClusterRoleBindings whose subjects include a service account
    /// named `default`.
    ///
    /// ## Why is this bad?
    /// Every pod that does not name a service account runs as `default`: a permission granted
    /// to it is granted to every such pod in the namespace, present and future. GuardDuty
    /// reports admin access given this way as `Policy:Kubernetes/AdminAccessToDefaultServiceAccount`.
    /// The seeds: use dedicated service accounts for each application.
    ///
    /// ## Example
    /// ```yaml
    /// subjects: [{kind: ServiceAccount, name: default, namespace: analytics}]
    /// ```
    /// Instead, create a service account for the application, bind the role to it, and set
    /// `serviceAccountName` in its pod spec.
    pub static RULE = Rule {
        id: "RBAC007",
        name: "default-service-account-bound",
        domain: Domain::Rbac,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Role bound to a namespace's default service account",
        remediation: "Bind the role to a dedicated service account and run the workload as that account.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA", "000 GuardDuty Kubernetes finding types"],
            cis_eks: &["4.1.5"],
            checkov: &["CKV_K8S_42"],
            kubescape: &["C-0189"],
            guardduty: &["Policy:Kubernetes/AdminAccessToDefaultServiceAccount"],
            urls: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#use-dedicated-service-accounts-for-each-application", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::RoleBindings],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for b in bindings(cx.inv) {
        if is_platform_rbac(b.meta) {
            continue;
        }
        for (i, s) in b.subjects.iter().enumerate() {
            if s.kind == "ServiceAccount" && s.name == "default" {
                cx.report(
                    b.target,
                    format!(
                        "{} grants {} {} to {}",
                        b.target.res(),
                        b.role_ref.kind,
                        b.role_ref.name,
                        describe_subject(s, b.meta.namespace.as_deref())
                    ),
                )
                .at(format!("subjects[{i}]"));
            }
        }
    }
}
