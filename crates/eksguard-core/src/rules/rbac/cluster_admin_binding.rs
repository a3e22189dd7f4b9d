use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{bindings, describe_subject, is_platform_rbac};

declare_rule! {
    /// ## What it does
    /// Flags bindings of the `cluster-admin` ClusterRole other than the Kubernetes default
    /// (`cluster-admin` bound to `system:masters`) and EKS's own `eks:*` bindings.
    ///
    /// ## Why is this bad?
    /// `cluster-admin` can do anything to any object in any namespace, including reading every
    /// secret and granting itself more. Each extra binding is a standing full-cluster
    /// credential; the seeds ask for least privilege in RoleBindings and ClusterRoleBindings.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// metadata: {name: ci-deployer}
    /// roleRef: {kind: ClusterRole, name: cluster-admin}
    /// subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
    /// ```
    /// Instead, bind a ClusterRole with the verbs and resources the subject uses, in the
    /// namespaces it works in (RoleBinding).
    pub static RULE = Rule {
        id: "RBAC002",
        name: "cluster-admin-binding",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "cluster-admin bound beyond the system defaults",
        remediation: "Replace the binding with a Role/ClusterRole limited to what the subject needs, bound in the namespaces it needs.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            cis_eks: &["4.1.1"],
            kubescape: &["C-0035", "C-0185"],
            polaris: &["clusterrolebindingClusterAdmin", "rolebindingClusterAdminClusterRole"],
            kubelinter: &["cluster-admin-role-binding"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#employ-least-privileged-access-when-creating-rolebindings-and-clusterrolebindings"],
            ..References::NONE
        },
        needs: &[Input::RoleBindings],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for b in bindings(cx.inv) {
        if b.role_ref.kind != "ClusterRole" || b.role_ref.name != "cluster-admin" {
            continue;
        }
        let name = b.meta.name.as_deref().unwrap_or_default();
        if name.starts_with("eks:") || (is_platform_rbac(b.meta) && name == "cluster-admin") {
            continue;
        }
        for (i, s) in b.subjects.iter().enumerate() {
            if name == "cluster-admin" && s.kind == "Group" && s.name == "system:masters" {
                continue;
            }
            let scope = if b.cluster_scoped {
                "in every namespace".to_string()
            } else {
                format!(
                    "in namespace {}",
                    b.meta.namespace.as_deref().unwrap_or("default")
                )
            };
            cx.report(
                b.target,
                format!(
                    "{} grants cluster-admin {scope} to {}",
                    b.target.res(),
                    describe_subject(s, b.meta.namespace.as_deref())
                ),
            )
            .at(format!("subjects[{i}]"));
        }
    }
}
