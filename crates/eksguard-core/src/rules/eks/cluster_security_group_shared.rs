use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EKS clusters that share a control-plane security group (the cluster security group
    /// or an additional one of `resourcesVpcConfig.securityGroupIds`) with another cluster of
    /// the input.
    ///
    /// ## Why is this bad?
    /// The cluster security group lets the control plane and the nodes talk freely. Shared
    /// between clusters, it lets the nodes of one cluster reach the control plane and kubelets
    /// of the other: a compromise crosses cluster boundaries, and nobody can tell which rule
    /// serves which cluster. The seeds: use a dedicated security group for each cluster
    /// control plane.
    ///
    /// ## Example
    /// ```json
    /// {"cluster": {"name": "prod", "resourcesVpcConfig": {"securityGroupIds": ["sg-0shared"]}}}
    /// {"cluster": {"name": "staging", "resourcesVpcConfig": {"securityGroupIds": ["sg-0shared"]}}}
    /// ```
    /// Instead, give each cluster its own security groups.
    pub static RULE = Rule {
        id: "EKS010",
        name: "cluster-security-group-shared",
        domain: Domain::Eks,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Cluster shares a control-plane security group with another cluster",
        remediation: "Create a dedicated security group per cluster and replace the shared one in each cluster's configuration.",
        references: References {
            seed: &["001 Networking & Isolation - Security Groups"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html"],
            ..References::NONE
        },
        needs: &[Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let groups = |c: &crate::inventory::EksCluster| -> Vec<String> {
        let vpc = &c.resources_vpc_config;
        vpc.cluster_security_group_id
            .iter()
            .chain(&vpc.security_group_ids)
            .filter(|g| !g.is_empty())
            .cloned()
            .collect()
    };
    for c in &cx.inv.clusters {
        let mine = groups(c);
        for (i, sg) in mine.iter().enumerate() {
            let others: Vec<&str> = cx
                .inv
                .clusters
                .iter()
                .filter(|o| o.name != c.name && groups(o).contains(sg))
                .map(|o| o.name.as_str())
                .collect();
            if others.is_empty() {
                continue;
            }
            let at = if i == 0
                && c.resources_vpc_config.cluster_security_group_id.as_ref() == Some(sg)
            {
                "resourcesVpcConfig.clusterSecurityGroupId".to_string()
            } else {
                "resourcesVpcConfig.securityGroupIds".to_string()
            };
            cx.report(
                c,
                format!(
                    "cluster {} shares security group {sg} with cluster(s) {}",
                    c.name,
                    others.join(", ")
                ),
            )
            .at(at);
        }
    }
}
