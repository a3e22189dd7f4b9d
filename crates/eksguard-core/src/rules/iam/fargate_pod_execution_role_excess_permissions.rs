use crate::declare_rule;
use crate::inventory::Input;
use crate::inventory::iam::{document, statements};
use crate::rule::{Context, Domain, References, Scope, Severity};

/// AWS-managed policies a Fargate pod execution role needs.
const FARGATE_POLICIES: &[&str] = &[
    "AmazonEKSFargatePodExecutionRolePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEC2ContainerRegistryPullOnly",
];

/// Whether every action a policy document allows is a CloudWatch Logs action (Fargate log
/// routing needs `logs:*` on the pod execution role) or an ECR pull action.
fn only_logging_or_pull(doc: &serde_json::Value) -> bool {
    statements(doc).iter().filter(|s| s.allow).all(|s| {
        !s.not_action
            && s.actions.iter().all(|a| {
                let a = a.to_ascii_lowercase();
                a.starts_with("logs:")
                    || matches!(
                        a.as_str(),
                        "ecr:getauthorizationtoken"
                            | "ecr:batchgetimage"
                            | "ecr:getdownloadurlforlayer"
                            | "ecr:batchchecklayeravailability"
                    )
            })
    })
}

declare_rule! {
    /// ## What it does
    /// Flags the pod execution role of a Fargate profile when it has policies beyond
    /// `AmazonEKSFargatePodExecutionRolePolicy` and ECR read access. Inline or customer-managed
    /// policies that only allow CloudWatch Logs actions (Fargate log routing) are accepted.
    ///
    /// ## Why is this bad?
    /// The pod execution role is used by the Fargate infrastructure to pull images and ship
    /// logs; it is also mapped into the cluster (`system:nodes`). Extra permissions on it are
    /// not the workload's and invite using it as a shared role, the Fargate version of the
    /// over-privileged node role. Give workloads their own roles through IRSA or Pod Identity.
    ///
    /// ## Example
    /// ```json
    /// "AttachedManagedPolicies": [{"PolicyName": "AmazonEKSFargatePodExecutionRolePolicy"}, {"PolicyName": "AmazonS3FullAccess"}]
    /// ```
    /// Instead, attach the S3 permissions to the workload's IRSA or Pod Identity role.
    pub static RULE = Rule {
        id: "IAM018",
        name: "fargate-pod-execution-role-excess-permissions",
        domain: Domain::Iam,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Fargate pod execution role has permissions beyond image pulls and logging",
        remediation: "Detach the extra policies from the pod execution role and grant them to the workloads that need them through IRSA or EKS Pod Identity.",
        references: References {
            seed: &["000 Securing Pod Access to AWS Services", "000 Best Practices with IAM Roles for EKS"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/pod-execution-role.html", "https://docs.aws.amazon.com/eks/latest/userguide/fargate-logging.html"],
            ..References::NONE
        },
        needs: &[Input::FargateProfiles, Input::Iam],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let mut seen = std::collections::BTreeSet::new();
    for fp in &cx.inv.fargate_profiles {
        let Some(role) = fp
            .pod_execution_role_arn
            .as_deref()
            .and_then(|a| cx.inv.iam_role(a))
        else {
            continue;
        };
        if !seen.insert(role.arn.clone()) {
            continue;
        }
        for (i, p) in role.attached_managed_policies.iter().enumerate() {
            if FARGATE_POLICIES.contains(&p.policy_name.as_str()) {
                continue;
            }
            let logging = cx
                .inv
                .iam_policy(&p.policy_arn)
                .and_then(|m| m.default_document())
                .is_some_and(|d| only_logging_or_pull(&document(d)));
            if logging {
                continue;
            }
            cx.report(
                role,
                format!(
                    "pod execution role {} (Fargate profile {}) has {} attached",
                    role.role_name, fp.fargate_profile_name, p.policy_name
                ),
            )
            .at(format!("AttachedManagedPolicies[{i}]"));
        }
        for (i, p) in role.role_policy_list.iter().enumerate() {
            if only_logging_or_pull(&document(&p.policy_document)) {
                continue;
            }
            cx.report(
                role,
                format!(
                    "pod execution role {} (Fargate profile {}) has inline policy {} with permissions beyond logging",
                    role.role_name, fp.fargate_profile_name, p.policy_name
                ),
            )
            .at(format!("RolePolicyList[{i}]"));
        }
    }
}
