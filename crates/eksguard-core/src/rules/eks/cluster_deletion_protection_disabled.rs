use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EKS clusters whose deletion protection is off (`deletionProtection: false`).
    /// Output of older CLI versions, without the field, is not judged.
    ///
    /// ## Why is this bad?
    /// A single `DeleteCluster` call, from a mistaken script or from stolen administrator
    /// credentials, destroys the control plane and everything in etcd. Deletion protection
    /// makes destruction a two-step act that an attacker's first call cannot do.
    ///
    /// ## Example
    /// ```json
    /// {"cluster": {"name": "prod", "deletionProtection": false}}
    /// ```
    /// Instead: `aws eks update-cluster-config --name prod --deletion-protection`.
    pub static RULE = Rule {
        id: "EKS009",
        name: "cluster-deletion-protection-disabled",
        domain: Domain::Eks,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "Cluster can be deleted in one call (deletion protection off)",
        remediation: "Enable deletion protection (aws eks update-cluster-config --deletion-protection) and limit who may disable it.",
        references: References {
            prowler: &["eks_cluster_deletion_protection_enabled"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/deletion-protection.html"],
            ..References::NONE
        },
        needs: &[Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        if c.deletion_protection == Some(false) {
            cx.report(
                c,
                format!("cluster {} has deletion protection disabled", c.name),
            )
            .at("deletionProtection");
        }
    }
}
