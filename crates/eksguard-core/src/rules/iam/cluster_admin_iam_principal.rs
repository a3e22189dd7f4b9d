use crate::declare_rule;
use crate::identity::{AdminPath, BREAK_GLASS_TAG, Identity};
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Resolves every IAM principal that can authenticate to the cluster (aws-auth `mapRoles`
    /// and `mapUsers`, EKS access entries and their access policies) to its Kubernetes groups,
    /// and reports each one that is effectively cluster administrator, with how:
    /// `system:masters`, `AmazonEKSClusterAdminPolicy` at cluster scope, or a
    /// ClusterRoleBinding of one of its groups (or its username) to `cluster-admin` or to a
    /// ClusterRole that allows every verb on every resource.
    ///
    /// The cluster's `authenticationMode` is honoured (aws-auth counts for nothing under `API`,
    /// access entries for nothing under `CONFIG_MAP`), and an access entry takes precedence over
    /// an aws-auth mapping of the same principal, as EKS does. Role ARNs are compared without
    /// their path, as the authenticator compares them.
    ///
    /// **Break-glass allowance.** One documented emergency administrator is normal. A principal
    /// whose access entry, or whose IAM role (in `get-account-authorization-details`), carries
    /// the tag `eksguard.io/break-glass: "true"` is not reported. Tag exactly the role your
    /// break-glass procedure names, and audit its use (CloudTrail `AssumeRole`).
    ///
    /// ## Why is this bad?
    /// Every cluster administrator is a principal whose compromise is a full cluster
    /// compromise. The seeds ask for least-privileged access and regular audits of who can
    /// reach the cluster; cluster-admin reached through a group binding is invisible in both
    /// aws-auth and the EKS console. The cluster creator's implicit admin is EKS005.
    ///
    /// ## Example
    /// ```yaml
    /// mapRoles: |
    ///   - rolearn: arn:aws:iam::111122223333:role/ci-deployer
    ///     groups: [deployers]
    /// ---
    /// kind: ClusterRoleBinding
    /// roleRef: {kind: ClusterRole, name: cluster-admin}
    /// subjects: [{kind: Group, name: deployers}]
    /// ```
    /// Instead, bind `deployers` to a ClusterRole (or namespaced Roles) with the permissions
    /// the pipeline uses.
    ///
    /// ## Differences from peers
    /// CIS 4.1.1 (kube-bench, kubescape C-0035) reports ClusterRoleBindings to `cluster-admin`,
    /// not the IAM principals behind them, and exempts `system:masters`; no peer resolves
    /// aws-auth or access entries to groups.
    pub static RULE = Rule {
        id: "IAM008",
        name: "cluster-admin-iam-principal",
        domain: Domain::Iam,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "IAM principal is effectively cluster administrator",
        remediation: "Grant the principal only what it needs (a scoped access policy or a group bound to a least-privilege ClusterRole); keep a single tagged break-glass administrator.",
        references: References {
            seed: &["001 Authentication", "001 Authorization", "000 IAM & Kubernetes RBAC Integration"],
            cis_eks: &["4.1.1"],
            kubescape: &["C-0035"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html", "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html"],
            ..References::NONE
        },
        needs: &[Input::ClusterAccess],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let id = Identity::resolve(cx.inv);
    for (p, paths) in id.cluster_admins() {
        if p.is_break_glass(cx.inv) {
            continue;
        }
        let Some(grant) = p.effective().next() else {
            continue;
        };
        let how: Vec<String> = paths.iter().map(AdminPath::describe).collect();
        let field = if grant.field.is_empty() {
            String::new()
        } else {
            grant.field.clone()
        };
        cx.report(
            grant.target,
            format!(
                "IAM principal {} is cluster administrator through {}",
                p.arn,
                how.join("; ")
            ),
        )
        .at(field)
        .on(p.resource())
        .fix(format!(
            "Reduce {}'s access to what it uses; if it is the break-glass administrator, tag its access entry or role {BREAK_GLASS_TAG}=true.",
            p.name()
        ));
    }
}
