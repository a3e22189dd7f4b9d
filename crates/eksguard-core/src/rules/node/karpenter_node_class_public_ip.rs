use serde_json::Value;

use super::karpenter_node_classes;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Karpenter `EC2NodeClass` objects that give nodes public IP addresses
    /// (`spec.associatePublicIPAddress: true`).
    ///
    /// ## Why is this bad?
    /// Every node launched from the class is addressable from the internet wherever its
    /// security groups allow. CIS 5.4.3 and the seeds ask for private nodes behind NAT.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   associatePublicIPAddress: true
    /// ```
    /// Instead: `associatePublicIPAddress: false` and subnet selector terms that select private
    /// subnets only.
    pub static RULE = Rule {
        id: "NODE022",
        name: "karpenter-node-class-public-ip",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Karpenter node class gives nodes public IP addresses",
        remediation: "Set spec.associatePublicIPAddress to false and select private subnets only.",
        references: References {
            seed: &["001 VPC"],
            cis_eks: &["5.4.3"],
            kubescape: &["C-0229"],
            urls: &["https://karpenter.sh/docs/concepts/nodeclasses/#specassociatepublicipaddress", "https://docs.aws.amazon.com/eks/latest/best-practices/subnets.html"],
            ..References::NONE
        },
        needs: &[Input::KarpenterNodeClasses],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for nc in karpenter_node_classes(cx.inv) {
        if nc
            .value
            .pointer("/spec/associatePublicIPAddress")
            .and_then(Value::as_bool)
            == Some(true)
        {
            cx.report(
                nc,
                format!(
                    "EC2NodeClass {} gives every node a public IP address (associatePublicIPAddress is true)",
                    nc.res.name
                ),
            )
            .at("spec.associatePublicIPAddress");
        }
    }
}
