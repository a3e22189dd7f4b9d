use super::NODE_POLICIES;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags the IAM role of a managed node group when it has policies beyond the ones nodes
    /// need (`AmazonEKSWorkerNodePolicy`, `AmazonEKS_CNI_Policy`,
    /// `AmazonEC2ContainerRegistryReadOnly`/`PullOnly`, `AmazonSSMManagedInstanceCore`), or any
    /// inline policy.
    ///
    /// ## Why is this bad?
    /// Every pod on the node can obtain the node role's credentials from the instance metadata
    /// service unless IMDS is blocked. The seed talk shows exactly this anti-pattern: S3,
    /// DynamoDB and MSK access granted to the node role and so to every pod. Give workloads
    /// their own roles (IRSA or Pod Identity) instead.
    ///
    /// ## Example
    /// ```json
    /// "AttachedManagedPolicies": [{"PolicyName": "AmazonEKSWorkerNodePolicy"}, {"PolicyName": "AmazonDynamoDBFullAccess"}]
    /// ```
    /// Instead, attach `AmazonDynamoDBFullAccess` (better: a scoped policy) to the IRSA role of
    /// the workload that needs it.
    pub static RULE = Rule {
        id: "IAM005",
        name: "node-role-excess-permissions",
        domain: Domain::Iam,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Node IAM role has permissions beyond what nodes need",
        remediation: "Detach the extra policies from the node role and grant them to the workloads that need them through IRSA or EKS Pod Identity.",
        references: References {
            seed: &["000 Securing Pod Access to AWS Services", "001 Authorization - IAM Roles for Service Accounts - IRSA"],
            cis_eks: &["5.1.3"],
            kubescape: &["C-0223"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html", "https://aws.github.io/aws-eks-best-practices/iam/#restrict-access-to-the-instance-profile-assigned-to-the-worker-node"],
            ..References::NONE
        },
        needs: &[Input::Nodegroups, Input::Iam],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let mut seen = std::collections::BTreeSet::new();
    for ng in &cx.inv.nodegroups {
        let Some(arn) = ng.node_role.as_deref() else {
            continue;
        };
        let Some(role) = cx.inv.iam_role(arn) else {
            continue;
        };
        if !seen.insert(role.arn.clone()) {
            continue;
        }
        for (i, p) in role.attached_managed_policies.iter().enumerate() {
            if !NODE_POLICIES.contains(&p.policy_name.as_str()) {
                cx.report(
                    role,
                    format!(
                        "node role {} (node group {}) has {} attached: every pod on these nodes can use it",
                        role.role_name, ng.nodegroup_name, p.policy_name
                    ),
                )
                .at(format!("AttachedManagedPolicies[{i}]"));
            }
        }
        for (i, p) in role.role_policy_list.iter().enumerate() {
            cx.report(
                role,
                format!(
                    "node role {} (node group {}) has inline policy {}: every pod on these nodes can use it",
                    role.role_name, ng.nodegroup_name, p.policy_name
                ),
            )
            .at(format!("RolePolicyList[{i}]"));
        }
    }
}
