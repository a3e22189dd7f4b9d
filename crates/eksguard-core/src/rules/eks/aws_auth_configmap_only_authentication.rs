use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a cluster whose authentication mode is `CONFIG_MAP`: IAM principals are mapped to
    /// Kubernetes only through the `aws-auth` ConfigMap, and EKS access entries are unavailable.
    ///
    /// ## Why is this bad?
    /// `aws-auth` is an in-cluster ConfigMap: anyone who can edit it in kube-system can grant
    /// themselves cluster access, a typo can lock everyone out, and changes are not visible in
    /// CloudTrail as IAM-level events. Access entries are managed through the EKS API, audited
    /// by CloudTrail and support least-privilege access policies.
    ///
    /// ## Example
    /// ```json
    /// "accessConfig": {"authenticationMode": "CONFIG_MAP"}
    /// ```
    /// Instead:
    /// ```sh
    /// aws eks update-cluster-config --name prod --access-config authenticationMode=API_AND_CONFIG_MAP
    /// ```
    pub static RULE = Rule {
        id: "EKS004",
        name: "aws-auth-configmap-only-authentication",
        domain: Domain::Eks,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "Cluster authenticates IAM principals only through the aws-auth ConfigMap",
        remediation: "Switch the authentication mode to API_AND_CONFIG_MAP, migrate aws-auth entries to access entries, then move to API.",
        references: References {
            seed: &["001 Authorization"],
            cis_eks: &["4.1.7"],
            kubescape: &["C-0285"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html", "https://docs.aws.amazon.com/eks/latest/userguide/add-user-role.html"],
            ..References::NONE
        },
        needs: &[Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        // Clusters created before access entries existed report no accessConfig at all: they
        // use the ConfigMap.
        let mode = c
            .access_config
            .as_ref()
            .and_then(|a| a.authentication_mode.as_deref())
            .unwrap_or("CONFIG_MAP");
        if mode == "CONFIG_MAP" {
            cx.report(
                c,
                format!("cluster {} maps IAM principals only through the aws-auth ConfigMap (authenticationMode CONFIG_MAP)", c.name),
            )
            .at("accessConfig.authenticationMode");
        }
    }
}
