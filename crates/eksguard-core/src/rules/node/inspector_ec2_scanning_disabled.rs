use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags AWS accounts where Amazon Inspector does not scan EC2 instances (the `ec2`
    /// resource state of `inspector2 batch-get-account-status` is not `ENABLED`).
    ///
    /// ## Why is this bad?
    /// Nodes run an operating system, a container runtime and a kubelet that all receive CVEs.
    /// Inspector finds vulnerable packages on the nodes continuously; without it, nobody is
    /// told that the node fleet needs patching. The seeds name Amazon Inspector for
    /// infrastructure security.
    ///
    /// ## Example
    /// ```json
    /// {"accounts": [{"accountId": "111122223333", "resourceState": {"ec2": {"status": "DISABLED"}, "ecr": {"status": "ENABLED"}}}]}
    /// ```
    /// Instead: `aws inspector2 enable --resource-types EC2`.
    ///
    /// ## Differences from peers
    /// hardeneks `make_sure_inspector_is_enabled` fails only when both EC2 and ECR scanning are
    /// off; eksguard reports each (ECR is IMG011).
    pub static RULE = Rule {
        id: "NODE019",
        name: "inspector-ec2-scanning-disabled",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Amazon Inspector does not scan the nodes for vulnerabilities",
        remediation: "Enable Amazon Inspector EC2 scanning (aws inspector2 enable --resource-types EC2) in every account and region that runs nodes.",
        references: References {
            seed: &["002 Infrastructure Security"],
            hardeneks: &["make_sure_inspector_is_enabled"],
            prowler: &["inspector2_is_enabled"],
            urls: &["https://docs.aws.amazon.com/inspector/latest/user/scanning-ec2.html", "https://docs.aws.amazon.com/eks/latest/best-practices/protecting-the-infrastructure.html"],
            ..References::NONE
        },
        needs: &[Input::Inspector],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for a in &cx.inv.inspector_accounts {
        let status = a.scanning("ec2");
        if status != "ENABLED" {
            cx.report(
                a,
                format!(
                    "Amazon Inspector EC2 scanning is {status} in account {}: node vulnerabilities are not found",
                    a.account_id
                ),
            )
            .at("resourceState.ec2");
        }
    }
}
