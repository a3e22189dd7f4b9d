use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

/// The shortest retention that keeps a year of audit history.
const MIN_DAYS: u64 = 365;

declare_rule! {
    /// ## What it does
    /// Flags the CloudWatch log group of an EKS cluster's control-plane logs
    /// (`/aws/eks/NAME/cluster`) when it keeps logs for less than 365 days. A group without
    /// retention keeps logs forever and is not flagged.
    ///
    /// ## Why is this bad?
    /// Intrusions are often found months after they began. When the audit log of that time has
    /// expired, nobody can tell what the intruder read, created or changed. EKS creates the
    /// group with no retention; teams cutting costs then set a few days.
    ///
    /// ## Example
    /// ```json
    /// {"logGroups": [{"logGroupName": "/aws/eks/prod/cluster", "retentionInDays": 7}]}
    /// ```
    /// Instead:
    /// `aws logs put-retention-policy --log-group-name /aws/eks/prod/cluster --retention-in-days 365`
    /// (or export the logs to S3 for long-term storage and suppress this finding with that reason).
    pub static RULE = Rule {
        id: "LOG005",
        name: "control-plane-log-retention-short",
        domain: Domain::Log,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "Control-plane logs are kept less than a year",
        remediation: "Set the retention of /aws/eks/CLUSTER/cluster to at least 365 days, or archive the logs elsewhere.",
        references: References {
            seed: &["001 Logging & Monitoring", "002 Detective Controls"],
            cis_eks: &["2.1.2"],
            checkov: &["CKV_AWS_338"],
            prowler: &["cloudwatch_log_group_retention_policy_specific_days_enabled"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html", "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention"],
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
        if let Some(days) = g.retention_in_days.filter(|d| *d < MIN_DAYS) {
            cx.report(
                g,
                format!(
                    "control-plane logs of cluster {cluster} ({}) are deleted after {days} days",
                    g.log_group_name
                ),
            )
            .at("retentionInDays");
        }
    }
}
