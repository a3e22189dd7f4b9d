use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags the CloudWatch log group of an EKS cluster's control-plane logs
    /// (`/aws/eks/NAME/cluster`) when it is not encrypted with a KMS key (no `kmsKeyId`).
    ///
    /// ## Why is this bad?
    /// Control-plane and audit logs name every user, service account, secret and request of the
    /// cluster. With a customer-managed key, reading them needs `kms:Decrypt` as well as
    /// `logs:GetLogEvents`, key use is logged in CloudTrail, and access can be cut by disabling
    /// the key. Without one, anyone with CloudWatch Logs read access can read them.
    ///
    /// ## Example
    /// ```json
    /// {"logGroups": [{"logGroupName": "/aws/eks/prod/cluster", "retentionInDays": 365}]}
    /// ```
    /// Instead:
    /// `aws logs associate-kms-key --log-group-name /aws/eks/prod/cluster --kms-key-id arn:aws:kms:...`.
    pub static RULE = Rule {
        id: "LOG006",
        name: "control-plane-log-group-not-kms-encrypted",
        domain: Domain::Log,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "Control-plane log group is not encrypted with a KMS key",
        remediation: "Associate a customer-managed KMS key with /aws/eks/CLUSTER/cluster (aws logs associate-kms-key) whose key policy allows CloudWatch Logs.",
        references: References {
            seed: &["001 Logging & Monitoring", "002 Data Encryption and Secret Management"],
            checkov: &["CKV_AWS_158"],
            prowler: &["cloudwatch_log_group_kms_encryption_enabled"],
            urls: &["https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html", "https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html"],
            ..References::NONE
        },
        needs: &[Input::LogGroups],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for g in &cx.inv.log_groups {
        let Some(cluster) = g.eks_cluster() else {
            continue;
        };
        if g.kms_key_id.as_deref().is_none_or(str::is_empty) {
            cx.report(
                g,
                format!(
                    "control-plane logs of cluster {cluster} ({}) are not encrypted with a KMS key",
                    g.log_group_name
                ),
            )
            .at("logGroupName");
        }
    }
}
