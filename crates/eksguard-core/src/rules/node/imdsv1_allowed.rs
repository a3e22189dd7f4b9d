use super::effective_launch_templates;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags node launch templates that do not require IMDSv2 (`MetadataOptions.HttpTokens`
    /// is `optional` or unset).
    ///
    /// ## Why is this bad?
    /// IMDSv1 answers plain GET requests: a server-side request forgery in any pod, or any
    /// pod on the host network, can read the node role's credentials. IMDSv2's session tokens
    /// stop those attacks. The seeds: use IMDSv2 and restrict access to the instance profile.
    ///
    /// ## Example
    /// ```json
    /// "MetadataOptions": {"HttpTokens": "optional", "HttpPutResponseHopLimit": 2}
    /// ```
    /// Instead:
    /// ```json
    /// "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"}
    /// ```
    pub static RULE = Rule {
        id: "NODE001",
        name: "imdsv1-allowed",
        domain: Domain::Node,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Nodes allow IMDSv1",
        remediation: "Set MetadataOptions.HttpTokens to required in the node launch template and roll the node group.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            checkov: &["CKV_AWS_79"],
            hardeneks: &["check_access_to_instance_profile"],
            prowler: &["ec2_launch_template_imdsv2_required", "ec2_instance_imdsv2_enabled"],
            urls: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html", "https://aws.github.io/aws-eks-best-practices/iam/#restrict-access-to-the-instance-profile-assigned-to-the-worker-node", "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html"],
            ..References::NONE
        },
        needs: &[Input::LaunchTemplates],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for lt in effective_launch_templates(cx.inv) {
        let md = lt.launch_template_data.metadata_options.as_ref();
        if md.and_then(|m| m.http_endpoint.as_deref()) == Some("disabled") {
            continue;
        }
        let tokens = md.and_then(|m| m.http_tokens.as_deref());
        if tokens != Some("required") {
            let why = tokens.map_or(
                "HttpTokens is not set (the AMI default applies)".to_string(),
                |t| format!("HttpTokens is {t}"),
            );
            cx.report(
                lt,
                format!(
                    "launch template {} version {} allows IMDSv1: {why}",
                    lt.launch_template_name, lt.version_number
                ),
            )
            .at("LaunchTemplateData.MetadataOptions.HttpTokens");
        }
    }
}
