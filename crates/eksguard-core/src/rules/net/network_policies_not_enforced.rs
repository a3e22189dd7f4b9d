use crate::declare_rule;
use crate::inventory::{Input, Located};
use crate::netpol;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags clusters that have NetworkPolicies but nothing that enforces them. On EKS the VPC
    /// CNI enforces NetworkPolicies only when its network policy agent is on: the `aws-node`
    /// DaemonSet's `aws-eks-nodeagent` container runs with `--enable-network-policy=true`
    /// (add-on setting `enableNetworkPolicy`), or, on EKS Auto Mode, the `kube-system/amazon-vpc-cni`
    /// ConfigMap sets `enable-network-policy-controller: "true"`. Calico (`calico-node`,
    /// `tigera-operator`) or Cilium (`cilium`) also count. Needs a whole-cluster input
    /// (kube-system workloads).
    ///
    /// ## Why is this bad?
    /// The policies look like protection in every review, but every pod still talks to every
    /// pod: the isolation they describe does not exist. The seeds: "Network policies are
    /// implemented by the CNI plugin ... EKS clusters need a policy engine".
    ///
    /// ## Example
    /// `aws-node` with `--enable-network-policy=false` and NetworkPolicies in `shop`. Instead:
    /// `aws eks update-addon --cluster-name prod --addon-name vpc-cni --configuration-values '{"enableNetworkPolicy": "true"}'`.
    pub static RULE = Rule {
        id: "NET008",
        name: "network-policies-not-enforced",
        domain: Domain::Net,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "NetworkPolicies exist but no policy engine enforces them",
        remediation: "Enable the VPC CNI network policy agent (vpc-cni add-on configuration enableNetworkPolicy: \"true\"), or install Calico or Cilium in policy mode.",
        references: References {
            seed: &["000 What is a Network Policy?", "002 Network Security", "003 Restrict inbound and outbound traffic"],
            cis_eks: &["4.3.1", "5.4.4"],
            prowler: &["eks_cluster_vpc_cni_network_policy_enforced"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html", "https://docs.aws.amazon.com/eks/latest/userguide/auto-net-pol.html", "https://aws.github.io/aws-eks-best-practices/security/docs/network/#network-policy"],
            ..References::NONE
        },
        needs: &[Input::ClusterWorkloads, Input::NetworkPolicies],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    let Some(first) = inv.network_policies.iter().min_by_key(|p| &p.res) else {
        return;
    };
    let status = netpol::policy_engine(inv);
    if status.enforced != Some(false) {
        return;
    }
    let aws_node = inv
        .workloads
        .iter()
        .find(|w| w.res.kind == "DaemonSet" && w.res.name == "aws-node");
    let target: &dyn Located = match aws_node {
        Some(w) => w,
        None => first,
    };
    let n = inv.network_policies.len();
    cx.report(
        target,
        format!(
            "{n} NetworkPolicy(ies) (e.g. {}) are not enforced: {}",
            first.res, status.evidence
        ),
    );
}
