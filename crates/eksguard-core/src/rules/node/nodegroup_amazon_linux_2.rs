use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags managed node groups that run the EKS-optimized Amazon Linux 2 AMI (`amiType`
    /// `AL2_x86_64`, `AL2_x86_64_GPU` or `AL2_ARM_64`).
    ///
    /// ## Why is this bad?
    /// AWS ended support for the EKS-optimized AL2 AMIs on 26 November 2025 and publishes none
    /// for Kubernetes 1.33 and later: such nodes no longer get security patches and cannot
    /// follow the cluster's upgrades. Move to Amazon Linux 2023 or Bottlerocket.
    ///
    /// ## Example
    /// ```json
    /// {"nodegroup": {"nodegroupName": "ng-1", "amiType": "AL2_x86_64", "version": "1.31"}}
    /// ```
    /// Instead: a new node group with `"amiType": "AL2023_x86_64_STANDARD"` or
    /// `"BOTTLEROCKET_x86_64"`, then drain the old one.
    pub static RULE = Rule {
        id: "NODE017",
        name: "nodegroup-amazon-linux-2",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Node group runs the end-of-support Amazon Linux 2 EKS AMI",
        remediation: "Replace the node group with one on Amazon Linux 2023 or Bottlerocket (amiType AL2023_* or BOTTLEROCKET_*), then drain and delete the AL2 group.",
        references: References {
            seed: &["001 Infrastructure - Worker Nodes"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/eks-ami-deprecation-faqs.html", "https://docs.aws.amazon.com/eks/latest/userguide/al2023.html", "https://aws.github.io/aws-eks-best-practices/hosts/"],
            ..References::NONE
        },
        needs: &[Input::Nodegroups],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for ng in &cx.inv.nodegroups {
        let Some(ami) = ng.ami_type.as_deref() else {
            continue;
        };
        if ami.starts_with("AL2_") {
            cx.report(
                ng,
                format!(
                    "node group {} runs the Amazon Linux 2 EKS AMI ({ami}), which no longer receives updates",
                    ng.nodegroup_name
                ),
            )
            .at("amiType");
        }
    }
}
