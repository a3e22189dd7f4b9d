use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags running EKS nodes whose live IMDS response hop limit
    /// (`MetadataOptions.HttpPutResponseHopLimit`) is above 1.
    ///
    /// ## Why is this bad?
    /// With a hop limit of 2, IMDSv2 session tokens reach containers, so every pod that does not
    /// use the host network can take the node role's credentials. The seeds allow 2 for an
    /// application that really needs the instance metadata; prefer IRSA or Pod Identity for its
    /// AWS access, or suppress the finding with that reason.
    ///
    /// ## Example
    /// ```json
    /// {"InstanceId": "i-0abc", "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2}}
    /// ```
    /// Instead: `aws ec2 modify-instance-metadata-options --instance-id i-0abc --http-put-response-hop-limit 1`.
    pub static RULE = Rule {
        id: "NODE013",
        name: "instance-imds-hop-limit-above-one",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Pods can reach the instance metadata service of a running node (hop limit above 1)",
        remediation: "Set the instance's IMDS hop limit to 1 (and the launch template's), and give pods AWS access through IRSA or EKS Pod Identity.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            hardeneks: &["check_access_to_instance_profile"],
            urls: &["https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#restrict-access-to-the-instance-profile-assigned-to-the-worker-node", "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html"],
            ..References::NONE
        },
        needs: &[Input::Ec2Instances],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for i in &cx.inv.instances {
        if !i.is_eks_node() || i.is_terminated() {
            continue;
        }
        let Some(md) = &i.metadata_options else {
            continue;
        };
        if md.http_endpoint.as_deref() == Some("disabled") {
            continue;
        }
        if let Some(limit) = md.http_put_response_hop_limit.filter(|l| *l > 1) {
            cx.report(
                i,
                format!(
                    "node {} has IMDS hop limit {limit}: pods can reach the node role's credentials",
                    i.describe()
                ),
            )
            .at("MetadataOptions.HttpPutResponseHopLimit");
        }
    }
}
