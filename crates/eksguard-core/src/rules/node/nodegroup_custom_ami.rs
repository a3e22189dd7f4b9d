use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags managed node groups that run a custom AMI (`amiType: CUSTOM`) instead of an
    /// EKS-optimized one (Amazon Linux 2023, Bottlerocket, Windows).
    ///
    /// ## Why is this bad?
    /// EKS-optimized AMIs and Bottlerocket come hardened for Kubernetes (kubelet settings of CIS
    /// section 3, SELinux on Bottlerocket, a read-only root file system) and are updated by
    /// AWS with each node group release; EKS can roll them with `update-nodegroup-version`. A
    /// custom AMI is yours to harden and patch, and EKS cannot tell you it is out of date. This
    /// is informational: a custom AMI built from an EKS-optimized one with a patch pipeline is
    /// fine; suppress the finding with that reason.
    ///
    /// ## Example
    /// ```json
    /// {"nodegroup": {"nodegroupName": "ng-1", "amiType": "CUSTOM", "launchTemplate": {"name": "my-ami-lt"}}}
    /// ```
    /// Instead: `"amiType": "BOTTLEROCKET_x86_64"` or `"AL2023_x86_64_STANDARD"`.
    pub static RULE = Rule {
        id: "NODE016",
        name: "nodegroup-custom-ami",
        domain: Domain::Node,
        severity: Severity::Info,
        scope: Scope::Aws,
        summary: "Node group runs a custom AMI instead of an EKS-optimized OS",
        remediation: "Use an EKS-optimized AMI type (Bottlerocket or Amazon Linux 2023), or document how the custom AMI is hardened and patched.",
        references: References {
            seed: &["001 Infrastructure - Worker Nodes"],
            urls: &["https://docs.aws.amazon.com/eks/latest/best-practices/protecting-the-infrastructure.html", "https://docs.aws.amazon.com/eks/latest/userguide/eks-optimized-amis.html", "https://aws.github.io/aws-eks-best-practices/hosts/"],
            ..References::NONE
        },
        needs: &[Input::Nodegroups],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for ng in &cx.inv.nodegroups {
        if ng.ami_type.as_deref() == Some("CUSTOM") {
            cx.report(
                ng,
                format!(
                    "node group {} runs a custom AMI (amiType CUSTOM): its hardening and patching are not managed by EKS",
                    ng.nodegroup_name
                ),
            )
            .at("amiType");
        }
    }
}
