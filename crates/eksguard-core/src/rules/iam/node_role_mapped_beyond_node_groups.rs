use std::collections::BTreeSet;

use crate::declare_rule;
use crate::identity::{Identity, NODE_GROUPS, normalize_principal_arn};
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags node IAM roles mapped into the cluster with more than nodes need: Kubernetes
    /// groups other than `system:nodes`, `system:bootstrappers` (and `system:node-proxier` for
    /// Fargate), or any access policy.
    ///
    /// A role is a node role when a managed node group (`nodeRole`) or a Fargate profile
    /// (`podExecutionRoleArn`) uses it, when its access entry has a node type (`EC2_LINUX`,
    /// `EC2_WINDOWS`, `FARGATE_LINUX`, `HYBRID_LINUX`, `EC2`), or when its aws-auth mapping
    /// puts it in `system:nodes`.
    ///
    /// ## Why is this bad?
    /// Every pod that reaches the instance metadata service can use the node role's
    /// credentials, and anyone who compromises one node holds them. A node role mapped to
    /// `system:masters` or bound to an admin group turns any container escape (or any pod with
    /// IMDS access) into cluster admin, bypassing the Node authorizer's limits.
    ///
    /// ## Example
    /// ```yaml
    /// mapRoles: |
    ///   - rolearn: arn:aws:iam::111122223333:role/eks-node-role
    ///     username: system:node:{{EC2PrivateDNSName}}
    ///     groups: [system:bootstrappers, system:nodes, system:masters]
    /// ```
    /// Instead, map node roles to `system:bootstrappers` and `system:nodes` only, or use an
    /// `EC2_LINUX` access entry (EKS adds the groups itself).
    pub static RULE = Rule {
        id: "IAM010",
        name: "node-role-mapped-beyond-node-groups",
        domain: Domain::Iam,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Node IAM role is mapped to more than the node groups",
        remediation: "Map node roles only to system:bootstrappers and system:nodes (use an EC2_LINUX/FARGATE_LINUX access entry), and remove other groups and access policies.",
        references: References {
            seed: &["001 Authorization", "000 Securing Pod Access to AWS Services"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html", "https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html"],
            ..References::NONE
        },
        needs: &[Input::ClusterAccess],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    let mut node_roles: BTreeSet<String> = inv
        .nodegroups
        .iter()
        .filter_map(|n| n.node_role.as_deref())
        .chain(
            inv.fargate_profiles
                .iter()
                .filter_map(|f| f.pod_execution_role_arn.as_deref()),
        )
        .map(normalize_principal_arn)
        .collect();
    let id = Identity::resolve(inv);
    for p in &id.principals {
        if p.grants.iter().any(|g| {
            g.is_node_entry()
                || g.groups.iter().any(|x| x == "system:nodes")
                || g.username
                    .as_deref()
                    .is_some_and(|u| u.starts_with("system:node:"))
        }) {
            node_roles.insert(p.arn.clone());
        }
    }
    for p in id.principals.iter().filter(|p| node_roles.contains(&p.arn)) {
        for g in p.effective().filter(|g| !g.listed_only) {
            let extra: Vec<&str> = g
                .groups
                .iter()
                .map(String::as_str)
                .filter(|x| !NODE_GROUPS.contains(x))
                .collect();
            let policies: Vec<String> = g
                .policies
                .iter()
                .map(crate::identity::PolicyGrant::describe)
                .collect();
            if extra.is_empty() && policies.is_empty() {
                continue;
            }
            let mut what = Vec::new();
            if !extra.is_empty() {
                what.push(format!("groups [{}]", extra.join(", ")));
            }
            if !policies.is_empty() {
                what.push(format!("access policies {}", policies.join(", ")));
            }
            cx.report(
                g.target,
                format!(
                    "node role {} is mapped by {} to {} beyond the node groups",
                    p.arn,
                    g.describe_source(),
                    what.join(" and ")
                ),
            )
            .at(g.field.clone())
            .on(p.resource());
        }
    }
}
