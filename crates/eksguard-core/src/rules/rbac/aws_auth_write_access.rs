use crate::declare_rule;
use crate::inventory::Input;
use crate::rbac::Target;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, Perm, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may update, patch or delete the `kube-system/aws-auth` ConfigMap:
    /// those verbs on `configmaps` through a ClusterRoleBinding or a RoleBinding in kube-system,
    /// unrestricted or with `resourceNames` including `aws-auth`. The finding is on the binding,
    /// naming subject, role and policy rule. A role of the input that grants it and that no binding
    /// uses is reported on itself. Kubernetes' and EKS's own grants, kube-system service accounts
    /// and roles that grant everything (RBAC002, RBAC003) are not reported.
    ///
    /// ## Why is this bad?
    /// On EKS, aws-auth maps IAM roles and users to Kubernetes users and groups. Whoever can edit
    /// it can map an IAM role they control to `system:masters` and become cluster admin from
    /// outside the cluster, or delete the node role's mapping and take every node down.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["configmaps"]
    ///   verbs: ["get", "update", "patch"]
    /// # bound with a RoleBinding in kube-system
    /// ```
    /// Instead, manage cluster access with EKS access entries (authentication mode `API`), and keep
    /// write access to kube-system ConfigMaps to administrators.
    pub static RULE = Rule {
        id: "RBAC017",
        name: "aws-auth-write-access",
        domain: Domain::Rbac,
        severity: Severity::Critical,
        scope: Scope::Cluster,
        summary: "Subject can modify the aws-auth ConfigMap",
        remediation: "Remove update, patch and delete on configmaps in kube-system (or on aws-auth) from every role but the cluster administrators; prefer EKS access entries, which Kubernetes RBAC cannot change.",
        references: References {
            seed: &["001 Authorization", "000 Integration of Kubernetes RBAC & AWS IAM"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn describe(held: &[&Perm]) -> String {
    let mut verbs: Vec<&str> = held.iter().map(|p| p.verb).collect();
    verbs.dedup();
    format!("{} the kube-system/aws-auth ConfigMap", verbs.join("/"))
}

fn run(cx: &mut Context<'_>) {
    let target = Target::resource("", "configmaps", "").named("aws-auth");
    let p: Vec<Perm> = ["update", "patch", "delete"]
        .into_iter()
        .map(|verb| Perm {
            verb,
            target: target.clone(),
            namespace: Some("kube-system"),
        })
        .collect();
    report_permission(cx, &p, Opts::default(), describe);
}
