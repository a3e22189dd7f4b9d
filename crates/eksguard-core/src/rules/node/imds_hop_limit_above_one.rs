use super::effective_launch_templates;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags node launch templates whose IMDS response hop limit
    /// (`MetadataOptions.HttpPutResponseHopLimit`) is above 1.
    ///
    /// ## Why is this bad?
    /// With a hop limit of 2, IMDSv2 tokens reach containers, so every pod can take the node
    /// role's credentials. With 1, only the node itself (and host-network pods) can. The seeds
    /// allow a limit of 2 when an application really needs the instance metadata; prefer IRSA
    /// or Pod Identity for its AWS access and keep the limit at 1, or suppress this finding
    /// with that reason.
    ///
    /// ## Example
    /// ```json
    /// "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}
    /// ```
    /// Instead: `"HttpPutResponseHopLimit": 1`.
    pub static RULE = Rule {
        id: "NODE002",
        name: "imds-hop-limit-above-one",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Pods can reach the instance metadata service (hop limit above 1)",
        remediation: "Set MetadataOptions.HttpPutResponseHopLimit to 1 and give pods AWS access through IRSA or EKS Pod Identity.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            checkov: &["CKV_AWS_341"],
            hardeneks: &["check_access_to_instance_profile"],
            urls: &["https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#restrict-access-to-the-instance-profile-assigned-to-the-worker-node", "https://aws.github.io/aws-eks-best-practices/iam/#restrict-access-to-the-instance-profile-assigned-to-the-worker-node", "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html"],
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
        if let Some(limit) = md
            .and_then(|m| m.http_put_response_hop_limit)
            .filter(|l| *l > 1)
        {
            cx.report(
                lt,
                format!(
                    "launch template {} version {} sets IMDS hop limit {limit}: pods can reach the node role's credentials",
                    lt.launch_template_name, lt.version_number
                ),
            )
            .at("LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit");
        }
    }
}
