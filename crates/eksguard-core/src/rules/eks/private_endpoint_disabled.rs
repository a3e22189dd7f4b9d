use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags an EKS cluster whose private API endpoint is disabled.
    ///
    /// ## Why is this bad?
    /// Without the private endpoint, nodes and in-VPC clients reach the API server through the
    /// public endpoint: traffic leaves the VPC, and the public endpoint cannot be turned off.
    /// The seeds recommend a private-only endpoint.
    ///
    /// ## Example
    /// ```json
    /// "resourcesVpcConfig": {"endpointPrivateAccess": false, "endpointPublicAccess": true}
    /// ```
    /// Instead:
    /// ```sh
    /// aws eks update-cluster-config --name prod --resources-vpc-config endpointPrivateAccess=true
    /// ```
    pub static RULE = Rule {
        id: "EKS002",
        name: "private-endpoint-disabled",
        domain: Domain::Eks,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Cluster private API endpoint is disabled",
        remediation: "Enable the private endpoint (endpointPrivateAccess=true), then restrict or disable the public one.",
        references: References {
            seed: &["001 Infrastructure - Cluster Endpoint(s) Access"],
            cis_eks: &["5.4.2"],
            kubescape: &["C-0228"],
            prowler: &["eks_cluster_private_nodes_enabled", "eks_endpoints_not_publicly_accessible"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"],
            ..References::NONE
        },
        needs: &[Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        if !c.resources_vpc_config.endpoint_private_access {
            cx.report(
                c,
                format!("cluster {} has no private API endpoint: in-VPC traffic to the API server goes through the public endpoint", c.name),
            )
            .at("resourcesVpcConfig.endpointPrivateAccess");
        }
    }
}
