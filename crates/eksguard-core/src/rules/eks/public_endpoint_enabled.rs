use crate::declare_rule;
use crate::inventory::{Input, is_world_cidr};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EKS clusters whose public API endpoint is enabled although restricted to a list of
    /// CIDRs. (An endpoint open to any address is EKS001.)
    ///
    /// ## Why is this bad?
    /// A public endpoint, even behind an allow-list, is a target reachable from outside the VPC:
    /// the allowed ranges are often wide (a cloud provider's, an ISP's), and they tend to grow.
    /// CIS 5.4.2 and the seeds ask for a private endpoint and public access disabled, with
    /// administrators coming in through a VPN, Direct Connect or a bastion.
    ///
    /// ## Example
    /// ```json
    /// "resourcesVpcConfig": {"endpointPublicAccess": true, "endpointPrivateAccess": true, "publicAccessCidrs": ["203.0.113.0/24"]}
    /// ```
    /// Instead:
    /// ```sh
    /// aws eks update-cluster-config --name prod --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true
    /// ```
    ///
    /// ## Differences from peers
    /// Checkov CKV_AWS_39 and hardeneks `check_endpoint_public_access` fail on any public
    /// endpoint; eksguard splits that into EKS001 (open to the world, high) and this rule
    /// (restricted, low), so each cluster gets one finding.
    pub static RULE = Rule {
        id: "EKS008",
        name: "public-endpoint-enabled",
        domain: Domain::Eks,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "Cluster API endpoint is public (restricted to a CIDR allow-list)",
        remediation: "Disable the public endpoint (endpointPublicAccess=false, endpointPrivateAccess=true) and reach the API server from inside the VPC.",
        references: References {
            seed: &["001 Infrastructure - Cluster Endpoint(s) Access"],
            cis_eks: &["5.4.2"],
            checkov: &["CKV_AWS_39"],
            kubescape: &["C-0228"],
            hardeneks: &["check_endpoint_public_access"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#make-the-eks-cluster-endpoint-private"],
            ..References::NONE
        },
        needs: &[Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        let vpc = &c.resources_vpc_config;
        if !vpc.endpoint_public_access {
            continue;
        }
        let open = vpc.public_access_cidrs.is_empty()
            || vpc.public_access_cidrs.iter().any(|c| is_world_cidr(c));
        if open {
            continue;
        }
        cx.report(
            c,
            format!(
                "cluster {} serves its Kubernetes API on a public endpoint (allowed from {})",
                c.name,
                vpc.public_access_cidrs.join(", ")
            ),
        )
        .at("resourcesVpcConfig.endpointPublicAccess");
    }
}
