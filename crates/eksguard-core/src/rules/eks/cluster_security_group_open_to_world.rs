use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags the cluster security group (and the additional security groups of the control
    /// plane) when it allows inbound traffic from `0.0.0.0/0` or `::/0`.
    ///
    /// ## Why is this bad?
    /// The cluster security group is attached to the control plane's network interfaces and to
    /// managed nodes. It is designed to let the control plane and nodes talk to each other;
    /// opening it to the internet exposes kubelets, node ports and the control plane ENIs.
    ///
    /// ## Example
    /// ```json
    /// {"GroupId": "sg-0123", "IpPermissions": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}
    /// ```
    /// Instead, allow only the cluster security group itself and the sources that need access.
    pub static RULE = Rule {
        id: "EKS003",
        name: "cluster-security-group-open-to-world",
        domain: Domain::Eks,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Cluster security group allows inbound traffic from the internet",
        remediation: "Remove the 0.0.0.0/0 and ::/0 ingress rules from the cluster security group; allow only the security groups and CIDRs that must reach it.",
        references: References {
            seed: &["001 Networking & Isolation - Security Groups"],
            prowler: &["ec2_securitygroup_allow_ingress_from_internet_to_any_port", "ec2_securitygroup_allow_ingress_from_internet_to_all_ports"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html"],
            ..References::NONE
        },
        needs: &[Input::EksCluster, Input::SecurityGroups],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        let vpc = &c.resources_vpc_config;
        let ids: Vec<&str> = vpc
            .cluster_security_group_id
            .iter()
            .chain(&vpc.security_group_ids)
            .map(String::as_str)
            .collect();
        for sg in cx
            .inv
            .security_groups
            .iter()
            .filter(|sg| ids.contains(&sg.group_id.as_str()))
        {
            for (i, p) in sg.ip_permissions.iter().enumerate() {
                let world: Vec<&str> = p.world_cidrs().collect();
                if !world.is_empty() {
                    cx.report(
                        sg,
                        format!(
                            "security group {} of cluster {} allows {} from {}",
                            sg.group_id,
                            c.name,
                            p.describe_ports(),
                            world.join(" and ")
                        ),
                    )
                    .at(format!("IpPermissions[{i}]"));
                }
            }
        }
    }
}
