use std::collections::BTreeSet;

use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags security groups attached to worker nodes (named in a node launch template, or
    /// tagged `kubernetes.io/cluster/NAME`) that allow inbound traffic from `0.0.0.0/0` or
    /// `::/0`. The cluster security group is checked by EKS003.
    ///
    /// ## Why is this bad?
    /// Nodes run the kubelet API, NodePorts and every pod's ports. Open to the internet, they
    /// invite SSH brute force, kubelet exploits and direct access to services meant to be
    /// internal. The seeds reach nodes through SSM Session Manager, never SSH from anywhere.
    ///
    /// ## Example
    /// ```json
    /// {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    /// ```
    /// Instead, remove the rule and use SSM Session Manager; expose applications through load
    /// balancers.
    pub static RULE = Rule {
        id: "NET002",
        name: "node-security-group-open-to-world",
        domain: Domain::Net,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Node security group allows inbound traffic from the internet",
        remediation: "Remove 0.0.0.0/0 and ::/0 ingress rules from node security groups; reach nodes with SSM Session Manager and expose apps through load balancers.",
        references: References {
            seed: &["001 Infrastructure - Worker Nodes", "001 Networking & Isolation - Security Groups"],
            checkov: &["CKV_AWS_24"],
            prowler: &["ec2_securitygroup_allow_ingress_from_internet_to_any_port", "ec2_securitygroup_allow_ingress_from_internet_to_all_ports", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html", "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_SecurityGroups.html"],
            ..References::NONE
        },
        needs: &[Input::SecurityGroups, Input::LaunchTemplates],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    let cluster_sgs: BTreeSet<&str> = inv
        .clusters
        .iter()
        .filter_map(|c| c.resources_vpc_config.cluster_security_group_id.as_deref())
        .collect();
    let mut node_sgs: BTreeSet<&str> = inv
        .launch_templates
        .iter()
        .flat_map(|lt| {
            lt.launch_template_data
                .security_group_ids
                .iter()
                .map(String::as_str)
        })
        .collect();
    for sg in &inv.security_groups {
        if sg
            .tags
            .iter()
            .any(|t| t.key.starts_with("kubernetes.io/cluster/"))
        {
            node_sgs.insert(&sg.group_id);
        }
    }
    for sg in &inv.security_groups {
        if !node_sgs.contains(sg.group_id.as_str()) || cluster_sgs.contains(sg.group_id.as_str()) {
            continue;
        }
        for (i, p) in sg.ip_permissions.iter().enumerate() {
            let world: Vec<&str> = p.world_cidrs().collect();
            if world.is_empty() {
                continue;
            }
            let ssh = if p.covers_tcp(22) {
                " (SSH included)"
            } else {
                ""
            };
            cx.report(
                sg,
                format!(
                    "node security group {} ({}) allows {} from {}{ssh}",
                    sg.group_id,
                    sg.group_name,
                    p.describe_ports(),
                    world.join(" and ")
                ),
            )
            .at(format!("IpPermissions[{i}]"));
        }
    }
}
