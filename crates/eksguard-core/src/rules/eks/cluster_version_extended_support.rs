use super::{VersionSupport, minor_version, version_support};
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EKS clusters whose Kubernetes version is past standard support and in Amazon EKS
    /// extended support.
    ///
    /// ## Why is this bad?
    /// Extended support still receives security patches, but only for a year, at extra cost,
    /// and the version has left the upstream Kubernetes support window: fixes arrive later and
    /// the upgrade path grows with every month. Plan the upgrade before support ends (EKS006).
    ///
    /// ## Example
    /// ```json
    /// {"cluster": {"name": "prod", "version": "1.32"}}
    /// ```
    /// Instead: `aws eks update-cluster-version --name prod --kubernetes-version 1.33`.
    pub static RULE = Rule {
        id: "EKS007",
        name: "cluster-version-extended-support",
        domain: Domain::Eks,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "Cluster runs a Kubernetes version in extended support",
        remediation: "Upgrade the cluster to a version in standard support before extended support ends.",
        references: References {
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html", "https://docs.aws.amazon.com/eks/latest/userguide/extended-support-control.html"],
            ..References::NONE
        },
        needs: &[Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        let Some(version) = c.version.as_deref() else {
            continue;
        };
        let Some(minor) = minor_version(version) else {
            continue;
        };
        if let VersionSupport::Extended(std, ext) = version_support(minor) {
            cx.report(
                c,
                format!(
                    "cluster {} runs Kubernetes {version}: standard support ended on {std}, extended support ends on {ext}",
                    c.name
                ),
            )
            .at("version");
        }
    }
}
