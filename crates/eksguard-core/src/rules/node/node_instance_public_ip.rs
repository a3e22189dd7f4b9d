use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags running EKS nodes that have a public IP address (`PublicIpAddress`).
    ///
    /// ## Why is this bad?
    /// A node with a public address is directly reachable from the internet wherever its
    /// security groups allow: kubelet, node ports and host-network pods are one rule away from
    /// exposure. Nodes belong in private subnets, reaching the internet through a NAT gateway,
    /// with public load balancers in front of them.
    ///
    /// ## Example
    /// ```json
    /// {"InstanceId": "i-0abc", "PublicIpAddress": "198.51.100.7", "Tags": [{"Key": "eks:nodegroup-name", "Value": "ng-1"}]}
    /// ```
    /// Instead, launch the node group in private subnets (`MapPublicIpOnLaunch: false`).
    pub static RULE = Rule {
        id: "NODE014",
        name: "node-instance-public-ip",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Running node has a public IP address",
        remediation: "Move the node group to private subnets (no public IP on launch) behind a NAT gateway, and expose workloads through load balancers.",
        references: References {
            seed: &["001 VPC"],
            cis_eks: &["5.4.3"],
            checkov: &["CKV_AWS_88"],
            kubescape: &["C-0229"],
            hardeneks: &["deploy_workers_onto_private_subnets"],
            prowler: &["ec2_instance_public_ip"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html", "https://docs.aws.amazon.com/eks/latest/best-practices/subnets.html"],
            ..References::NONE
        },
        needs: &[Input::Ec2Instances],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for i in &cx.inv.instances {
        if !i.is_eks_node() || i.is_terminated() {
            continue;
        }
        if let Some(ip) = i.public_ip_address.as_deref().filter(|ip| !ip.is_empty()) {
            cx.report(
                i,
                format!(
                    "node {} has public IP address {ip}{}",
                    i.describe(),
                    i.subnet_id
                        .as_deref()
                        .map(|s| format!(" (subnet {s})"))
                        .unwrap_or_default()
                ),
            )
            .at("PublicIpAddress");
        }
    }
}
