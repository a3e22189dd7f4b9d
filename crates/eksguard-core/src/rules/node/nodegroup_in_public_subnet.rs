use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags managed node groups that launch nodes with public IP addresses: a subnet of the
    /// node group assigns public addresses on launch (`MapPublicIpOnLaunch: true`) and the
    /// node group's launch template does not turn that off, or the launch template asks for a
    /// public address (`NetworkInterfaces[].AssociatePublicIpAddress: true`).
    ///
    /// ## Why is this bad?
    /// Every node of the group gets an address on the internet. CIS 5.4.3 and the seeds ask
    /// for private nodes: public subnets are for load balancers, nodes live in private subnets.
    ///
    /// ## Example
    /// ```json
    /// {"nodegroup": {"nodegroupName": "ng-1", "subnets": ["subnet-0pub"]}}
    /// {"Subnets": [{"SubnetId": "subnet-0pub", "MapPublicIpOnLaunch": true}]}
    /// ```
    /// Instead, give the node group private subnets only.
    pub static RULE = Rule {
        id: "NODE015",
        name: "nodegroup-in-public-subnet",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Node group launches nodes with public IP addresses",
        remediation: "Recreate the node group with private subnets only (MapPublicIpOnLaunch false), or set AssociatePublicIpAddress: false in its launch template.",
        references: References {
            seed: &["001 VPC"],
            cis_eks: &["5.4.3"],
            checkov: &["CKV_AWS_88"],
            kubescape: &["C-0229"],
            hardeneks: &["deploy_workers_onto_private_subnets"],
            prowler: &["ec2_launch_template_no_public_ip"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html", "https://docs.aws.amazon.com/eks/latest/best-practices/subnets.html"],
            ..References::NONE
        },
        needs: &[Input::Nodegroups, Input::Subnets],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let templates = super::effective_launch_templates(cx.inv);
    for ng in &cx.inv.nodegroups {
        let lt = ng.launch_template.as_ref().and_then(|r| {
            templates.iter().find(|t| {
                r.id.as_deref() == Some(t.launch_template_id.as_str())
                    || r.name.as_deref() == Some(t.launch_template_name.as_str())
            })
        });
        let associate = lt.and_then(|t| {
            t.launch_template_data
                .network_interfaces
                .iter()
                .find_map(|n| n.associate_public_ip_address)
        });
        if associate == Some(true) {
            cx.report(
                ng,
                format!(
                    "node group {} uses a launch template that gives every node a public IP address (AssociatePublicIpAddress is true)",
                    ng.nodegroup_name
                ),
            )
            .at("launchTemplate");
            continue;
        }
        if associate == Some(false) {
            continue;
        }
        let public: Vec<&str> = ng
            .subnets
            .iter()
            .filter(|id| {
                cx.inv
                    .subnets
                    .iter()
                    .any(|s| &s.subnet_id == *id && s.map_public_ip_on_launch)
            })
            .map(String::as_str)
            .collect();
        if !public.is_empty() {
            cx.report(
                ng,
                format!(
                    "node group {} launches nodes in subnet(s) that assign public IP addresses: {}",
                    ng.nodegroup_name,
                    public.join(", ")
                ),
            )
            .at("subnets");
        }
    }
}
