use crate::declare_rule;
use crate::inventory::{Input, is_world_cidr};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags an EKS cluster whose Kubernetes API endpoint is public and accepts connections
    /// from any address (`publicAccessCidrs` contains `0.0.0.0/0` or `::/0`).
    ///
    /// ## Why is this bad?
    /// Anyone on the internet can reach the API server: every authentication weakness, leaked
    /// kubeconfig or API server vulnerability is exploitable from anywhere. The seeds ask for
    /// the endpoint to be private, or at least limited to known networks.
    ///
    /// ## Example
    /// ```json
    /// "resourcesVpcConfig": {"endpointPublicAccess": true, "publicAccessCidrs": ["0.0.0.0/0"]}
    /// ```
    /// Instead, disable public access, or list only your office and CI egress ranges:
    /// ```sh
    /// aws eks update-cluster-config --name prod \
    ///   --resources-vpc-config endpointPublicAccess=true,publicAccessCidrs=203.0.113.0/24,endpointPrivateAccess=true
    /// ```
    pub static RULE = Rule {
        id: "EKS001",
        name: "public-endpoint-open-to-world",
        domain: Domain::Eks,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Cluster API endpoint is public and open to 0.0.0.0/0",
        remediation: "Turn the public endpoint off (endpointPublicAccess=false, endpointPrivateAccess=true) or restrict publicAccessCidrs to the networks that need it.",
        references: References {
            seed: &["001 Infrastructure - Cluster Endpoint(s) Access"],
            cis_eks: &["5.4.1"],
            checkov: &["CKV_AWS_38", "CKV_AWS_39"],
            kubescape: &["C-0227"],
            hardeneks: &["check_endpoint_public_access"],
            prowler: &["eks_cluster_not_publicly_accessible", "eks_control_plane_endpoint_access_restricted", "eks_endpoints_not_publicly_accessible"],
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
        // The API's default when no CIDRs are given is 0.0.0.0/0.
        let open = vpc.public_access_cidrs.is_empty()
            || vpc.public_access_cidrs.iter().any(|c| is_world_cidr(c));
        if open {
            cx.report(
                c,
                format!(
                    "cluster {} serves its Kubernetes API on a public endpoint reachable from any address",
                    c.name
                ),
            )
            .at("resourcesVpcConfig.publicAccessCidrs");
        }
    }
}
