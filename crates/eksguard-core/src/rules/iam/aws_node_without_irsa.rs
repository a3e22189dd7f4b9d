use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::annotation;

declare_rule! {
    /// ## What it does
    /// Flags the `kube-system/aws-node` service account (the Amazon VPC CNI) when it has no
    /// IAM role of its own: no `eks.amazonaws.com/role-arn` annotation (IRSA), no EKS Pod
    /// Identity association for `kube-system/aws-node`, and no `serviceAccountRoleArn` or Pod
    /// Identity association on the `vpc-cni` add-on (when those inputs are given).
    ///
    /// ## Why is this bad?
    /// Without IRSA the CNI uses the node role, so `AmazonEKS_CNI_Policy` (which can modify
    /// every ENI in the VPC) must stay on the node role, where every pod that reaches IMDS can
    /// use it. The seeds: update the aws-node daemonset to use IRSA.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata: {name: aws-node, namespace: kube-system}
    /// ```
    /// Instead:
    /// ```yaml
    /// metadata:
    ///   name: aws-node
    ///   namespace: kube-system
    ///   annotations:
    ///     eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole
    /// ```
    ///
    /// ## Differences from peers
    /// hardeneks `check_aws_node_daemonset_service_account` reads the service account the
    /// `aws-node` DaemonSet names and accepts IRSA or a Pod Identity association, as this rule
    /// does; CIS 5.2.1 (kubescape C-0225) asks for dedicated service-account roles in general.
    pub static RULE = Rule {
        id: "IAM006",
        name: "aws-node-without-irsa",
        domain: Domain::Iam,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "VPC CNI (aws-node) uses the node role instead of its own IAM role",
        remediation: "Create a role with AmazonEKS_CNI_Policy trusted by kube-system:aws-node, set it on the vpc-cni add-on (--service-account-role-arn), then detach the policy from the node role.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            cis_eks: &["5.2.1"],
            kubescape: &["C-0225"],
            hardeneks: &["check_aws_node_daemonset_service_account"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#update-the-aws-node-daemonset-to-use-irsa"],
            ..References::NONE
        },
        needs: &[Input::ServiceAccounts],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    let pod_identity = inv
        .pod_identity_associations
        .iter()
        .any(|a| a.namespace == "kube-system" && a.service_account == "aws-node");
    let addon_role = inv.addons.iter().any(|a| {
        a.addon_name == "vpc-cni"
            && (a.service_account_role_arn.is_some() || !a.pod_identity_associations.is_empty())
    });
    if pod_identity || addon_role {
        return;
    }
    for sa in &inv.service_accounts {
        if sa.res.name != "aws-node" || sa.res.namespace.as_deref() != Some("kube-system") {
            continue;
        }
        if annotation(&sa.metadata, "eks.amazonaws.com/role-arn").is_none() {
            cx.report(
                sa,
                "the VPC CNI service account kube-system/aws-node has no IAM role (no IRSA annotation, Pod Identity association or vpc-cni add-on role): the CNI runs with the node role's permissions",
            )
            .at("metadata");
        }
    }
}
