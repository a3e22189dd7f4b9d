use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a region where no CloudTrail trail records API calls: `aws cloudtrail
    /// describe-trails` (which includes multi-region trails of other home regions) lists none.
    ///
    /// ## Why is this bad?
    /// Control-plane audit logs say what was asked of the Kubernetes API; CloudTrail says what
    /// was asked of AWS: who created the cluster, changed its endpoint or logging, updated
    /// aws-auth access entries, assumed the node role or an IRSA role. Without a trail, only the
    /// 90-day event history remains, with no management-event archive to investigate from. The
    /// seeds: audit EKS API calls with CloudTrail.
    ///
    /// ## Example
    /// ```json
    /// {"trailList": []}
    /// ```
    /// Instead:
    /// ```sh
    /// aws cloudtrail create-trail --name org-trail --s3-bucket-name audit-logs-111122223333 --is-multi-region-trail
    /// aws cloudtrail start-logging --name org-trail
    /// ```
    ///
    /// ## Differences from peers
    /// Prowler `cloudtrail_multi_region_enabled` also requires the trail to be logging, from
    /// `get-trail-status`, whose output does not name its trail; eksguard cannot tell a stopped
    /// trail from a running one.
    pub static RULE = Rule {
        id: "LOG007",
        name: "cloudtrail-missing",
        domain: Domain::Log,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "No CloudTrail trail records the region's API calls",
        remediation: "Create a multi-region (ideally organization) trail that records management events, and start logging.",
        references: References {
            seed: &["000 Audit EKS API calls with CloudTrail", "002 Detective Controls"],
            checkov: &["CKV_AWS_67"],
            prowler: &["cloudtrail_multi_region_enabled"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/logging-using-cloudtrail.html", "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail.html"],
            ..References::NONE
        },
        needs: &[Input::CloudTrail],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for t in &cx.inv.cloudtrail_trails {
        if t.trail_list.is_empty() {
            cx.report(
                t,
                "no CloudTrail trail records this region's API calls (describe-trails lists none)",
            )
            .at("trailList");
        }
    }
}
