use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags AWS accounts where Amazon Inspector does not scan ECR images (the `ecr` resource
    /// state of `inspector2 batch-get-account-status` is not `ENABLED`).
    ///
    /// ## Why is this bad?
    /// Inspector is what ECR's enhanced scanning runs on: without it, images are checked at
    /// best once at push time for OS packages, and never again as new CVEs appear.
    ///
    /// ## Example
    /// ```json
    /// {"accounts": [{"accountId": "111122223333", "resourceState": {"ec2": {"status": "ENABLED"}, "ecr": {"status": "DISABLED"}}}]}
    /// ```
    /// Instead: `aws inspector2 enable --resource-types ECR`.
    ///
    /// ## Differences from peers
    /// hardeneks `make_sure_inspector_is_enabled` fails only when both EC2 and ECR scanning are
    /// off; eksguard reports each (EC2 is NODE019).
    pub static RULE = Rule {
        id: "IMG011",
        name: "inspector-ecr-scanning-disabled",
        domain: Domain::Img,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Amazon Inspector does not scan container images",
        remediation: "Enable Amazon Inspector ECR scanning (aws inspector2 enable --resource-types ECR).",
        references: References {
            seed: &["003 Scan your container images", "000 Summary"],
            hardeneks: &["make_sure_inspector_is_enabled"],
            prowler: &["inspector2_is_enabled"],
            urls: &["https://docs.aws.amazon.com/inspector/latest/user/scanning-ecr.html"],
            ..References::NONE
        },
        needs: &[Input::Inspector],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for a in &cx.inv.inspector_accounts {
        let status = a.scanning("ecr");
        if status != "ENABLED" {
            cx.report(
                a,
                format!(
                    "Amazon Inspector ECR scanning is {status} in account {}: images are not rescanned for new vulnerabilities",
                    a.account_id
                ),
            )
            .at("resourceState.ecr");
        }
    }
}
