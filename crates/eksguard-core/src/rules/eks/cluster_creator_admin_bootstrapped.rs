use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a cluster created with `bootstrapClusterCreatorAdminPermissions: true`: the IAM
    /// principal that created the cluster is a permanent, invisible cluster administrator.
    ///
    /// ## Why is this bad?
    /// The seeds point out that the creator is silently granted `system:masters`. That identity
    /// is often a CI role or a person's role; it never appears in RBAC, cannot be removed from
    /// `aws-auth`, and keeps full access long after it is needed.
    ///
    /// ## Example
    /// ```json
    /// "accessConfig": {"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": true}
    /// ```
    /// Instead, create clusters with the flag off and grant admins through access entries.
    pub static RULE = Rule {
        id: "EKS005",
        name: "cluster-creator-admin-bootstrapped",
        domain: Domain::Eks,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "Cluster creator holds implicit cluster-admin",
        remediation: "With authentication mode API or API_AND_CONFIG_MAP, delete the creator's access entry (aws eks delete-access-entry) and grant named admin roles through access entries.",
        references: References {
            seed: &["001 Authorization"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html", "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html"],
            ..References::NONE
        },
        needs: &[Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        let bootstrapped = c
            .access_config
            .as_ref()
            .and_then(|a| a.bootstrap_cluster_creator_admin_permissions)
            .unwrap_or(false);
        if bootstrapped {
            cx.report(
                c,
                format!("the IAM principal that created cluster {} is a cluster administrator that RBAC does not show", c.name),
            )
            .at("accessConfig.bootstrapClusterCreatorAdminPermissions");
        }
    }
}
