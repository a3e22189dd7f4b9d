use super::{VersionSupport, minor_version, version_support};
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EKS clusters whose Kubernetes version (`cluster.version`) is no longer supported by
    /// Amazon EKS at all: its extended support has ended, or it is older than every version of
    /// the calendar compiled into this release.
    ///
    /// ## Why is this bad?
    /// An unsupported control plane gets no security patches, and AWS upgrades it automatically
    /// at a time of its choosing, which can break workloads. Kubernetes vulnerabilities found
    /// since then stay open.
    ///
    /// ## Example
    /// ```json
    /// {"cluster": {"name": "prod", "version": "1.29"}}
    /// ```
    /// Instead, upgrade one minor version at a time:
    /// `aws eks update-cluster-version --name prod --kubernetes-version 1.30`.
    ///
    /// ## Differences from peers
    /// Prowler and Checkov compare with one configured oldest version; eksguard carries the EKS
    /// version calendar (standard and extended support dates) and reports versions in extended
    /// support separately (EKS007).
    pub static RULE = Rule {
        id: "EKS006",
        name: "cluster-version-unsupported",
        domain: Domain::Eks,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Cluster runs a Kubernetes version Amazon EKS no longer supports",
        remediation: "Upgrade the control plane one minor version at a time (aws eks update-cluster-version), then the node groups and add-ons.",
        references: References {
            checkov: &["CKV_AWS_339"],
            prowler: &["eks_cluster_uses_a_supported_version", "eks_cluster_ensure_version_is_supported"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html", "https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html"],
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
        if let VersionSupport::Ended(since) = version_support(minor) {
            let since = since.map_or_else(
                || "before the oldest version eksguard knows".to_string(),
                |d| format!("on {d}"),
            );
            cx.report(
                c,
                format!(
                    "cluster {} runs Kubernetes {version}, whose Amazon EKS support ended {since}",
                    c.name
                ),
            )
            .at("version");
        }
    }
}
