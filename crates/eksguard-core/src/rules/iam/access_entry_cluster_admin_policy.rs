use crate::declare_rule;
use crate::identity::{CLUSTER_ADMIN_POLICY, Identity};
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EKS access entries associated with `AmazonEKSClusterAdminPolicy`, at cluster scope
    /// or limited to namespaces, except the documented break-glass principal (access entry or
    /// IAM role tagged `eksguard.io/break-glass: "true"`).
    ///
    /// ## Why is this bad?
    /// `AmazonEKSClusterAdminPolicy` is the access-entry equivalent of `system:masters`: it
    /// grants `cluster-admin`, every verb on every resource, including RBAC, webhooks and
    /// secrets. Scoped to namespaces it still grants full control of RBAC and secrets in them,
    /// where `AmazonEKSEditPolicy` or `AmazonEKSAdminPolicy` usually suffice.
    ///
    /// ## Example
    /// ```json
    /// {"principalArn": "arn:aws:iam::111122223333:role/developers",
    ///  "associatedAccessPolicies": [{"policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    ///    "accessScope": {"type": "cluster"}}]}
    /// ```
    /// Instead, associate `AmazonEKSEditPolicy` (or `AmazonEKSViewPolicy`) scoped to the
    /// team's namespaces.
    pub static RULE = Rule {
        id: "IAM009",
        name: "access-entry-cluster-admin-policy",
        domain: Domain::Iam,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Access entry is associated with AmazonEKSClusterAdminPolicy",
        remediation: "Disassociate AmazonEKSClusterAdminPolicy (aws eks disassociate-access-policy) and associate the narrowest access policy and scope the principal needs.",
        references: References {
            seed: &["001 Authorization", "001 Authentication"],
            cis_eks: &["4.1.1"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html", "https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html"],
            ..References::NONE
        },
        needs: &[Input::AccessPolicies],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let id = Identity::resolve(cx.inv);
    for p in &id.principals {
        if p.is_break_glass(cx.inv) {
            continue;
        }
        for g in &p.grants {
            for pg in g
                .policies
                .iter()
                .filter(|pg| pg.name() == CLUSTER_ADMIN_POLICY)
            {
                let scope = if pg.cluster_scope() {
                    "the whole cluster".to_string()
                } else {
                    format!(
                        "namespaces {}",
                        pg.policy.access_scope.namespaces.join(", ")
                    )
                };
                cx.report(
                    pg.target,
                    format!(
                        "access entry for {} is associated with {CLUSTER_ADMIN_POLICY} on {scope}",
                        p.arn
                    ),
                )
                .at(pg.field());
            }
        }
    }
}
