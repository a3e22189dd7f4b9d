use super::trusts_service;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

/// The service principal of EKS Pod Identity.
const POD_IDENTITY_SERVICE: &str = "pods.eks.amazonaws.com";

declare_rule! {
    /// ## What it does
    /// Flags EKS Pod Identity associations whose IAM role (in the IAM input) does not trust
    /// `pods.eks.amazonaws.com` for both `sts:AssumeRole` and `sts:TagSession`.
    ///
    /// ## Why is this bad?
    /// The EKS Pod Identity Agent cannot assume the role, so the pod gets no Pod Identity
    /// credentials, and the AWS SDK falls back to the next provider in its chain: usually the
    /// node role through IMDS. The workload silently runs with the node's permissions (which
    /// the seed talk warns against), and the association gives a false sense of isolation.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    /// ```
    /// Instead:
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": ["sts:AssumeRole", "sts:TagSession"]}
    /// ```
    pub static RULE = Rule {
        id: "IAM017",
        name: "pod-identity-role-trust-missing-service",
        domain: Domain::Iam,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Pod Identity association's role does not trust pods.eks.amazonaws.com",
        remediation: "Add a trust statement allowing Service pods.eks.amazonaws.com the actions sts:AssumeRole and sts:TagSession (and block IMDS for pods so no fallback exists).",
        references: References {
            seed: &["000 Securing Pod Access to AWS Services", "001 Authorization - IAM Roles for Service Accounts - IRSA"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html", "https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html"],
            ..References::NONE
        },
        needs: &[Input::PodIdentity, Input::Iam],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for a in &cx.inv.pod_identity_associations {
        let Some(role) = a.role_arn.as_deref().and_then(|r| cx.inv.iam_role(r)) else {
            continue;
        };
        let missing: Vec<&str> = ["sts:AssumeRole", "sts:TagSession"]
            .into_iter()
            .filter(|act| !trusts_service(role, POD_IDENTITY_SERVICE, act))
            .collect();
        if missing.is_empty() {
            continue;
        }
        cx.report(
            a,
            format!(
                "Pod Identity association for {}/{} uses role {}, whose trust policy does not allow {POD_IDENTITY_SERVICE} {}: the pod falls back to other credentials",
                a.namespace,
                a.service_account,
                role.role_name,
                missing.join(" and ")
            ),
        )
        .at("roleArn");
    }
}
