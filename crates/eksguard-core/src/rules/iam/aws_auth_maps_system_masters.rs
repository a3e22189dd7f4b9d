use super::aws_auth_entries;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags entries of the `kube-system/aws-auth` ConfigMap that map an IAM role or user to
    /// the `system:masters` group.
    ///
    /// ## Why is this bad?
    /// `system:masters` bypasses RBAC entirely: no Role, binding or admission webhook can limit
    /// it, and it cannot be revoked by editing RBAC. Every principal that can assume the role
    /// owns the cluster. The seeds ask for IAM roles mapped to RBAC groups with least privilege.
    ///
    /// ## Example
    /// ```yaml
    /// mapRoles: |
    ///   - rolearn: arn:aws:iam::111122223333:role/platform-admin
    ///     username: admin
    ///     groups: [system:masters]
    /// ```
    /// Instead, map the role to a group of your own and bind that group to the ClusterRole it
    /// needs (or use an access entry with a scoped access policy).
    pub static RULE = Rule {
        id: "IAM001",
        name: "aws-auth-maps-system-masters",
        domain: Domain::Iam,
        severity: Severity::Critical,
        scope: Scope::Cluster,
        summary: "aws-auth maps an IAM principal to system:masters",
        remediation: "Map the principal to a dedicated group (e.g. platform:admins) bound to the least ClusterRole it needs, or use an EKS access entry with a scoped access policy.",
        references: References {
            seed: &["001 Authorization", "000 IAM & Kubernetes RBAC Integration"],
            urls: &["https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html", "https://docs.aws.amazon.com/eks/latest/userguide/add-user-role.html", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/"],
            ..References::NONE
        },
        needs: &[Input::AwsAuth],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let Some((cm, entries)) = aws_auth_entries(cx.inv) else {
        return;
    };
    for e in entries
        .iter()
        .filter(|e| e.groups.iter().any(|g| g == "system:masters"))
    {
        cx.report(
            cm,
            format!(
                "aws-auth maps {} to system:masters, which bypasses RBAC",
                e.arn
            ),
        )
        .at(e.field)
        .on(e.resource());
    }
}
