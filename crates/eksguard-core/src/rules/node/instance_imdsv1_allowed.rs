use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags running EKS nodes (EC2 instances tagged as nodes of an EKS cluster, a managed node
    /// group or a Karpenter node pool) whose live metadata options do not require IMDSv2
    /// (`MetadataOptions.HttpTokens` is `optional`).
    ///
    /// ## Why is this bad?
    /// The launch template says how new nodes start; the instance says how running ones are.
    /// Nodes launched before a template fix, by another template, or changed with
    /// `modify-instance-metadata-options` still answer IMDSv1's plain GET requests, so a
    /// server-side request forgery in any pod can read the node role's credentials.
    ///
    /// ## Example
    /// ```json
    /// {"InstanceId": "i-0abc", "MetadataOptions": {"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    ///  "Tags": [{"Key": "aws:eks:cluster-name", "Value": "prod"}]}
    /// ```
    /// Instead:
    /// ```sh
    /// aws ec2 modify-instance-metadata-options --instance-id i-0abc --http-tokens required --http-put-response-hop-limit 1
    /// ```
    ///
    /// ## Differences from peers
    /// Prowler `ec2_instance_imdsv2_enabled` checks every instance of the account; eksguard only
    /// nodes, so other instances are out of its scope. hardeneks `check_access_to_instance_profile`
    /// also fails on the hop limit, which is NODE013 here.
    pub static RULE = Rule {
        id: "NODE012",
        name: "instance-imdsv1-allowed",
        domain: Domain::Node,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Running node allows IMDSv1",
        remediation: "Require IMDSv2 on the instance (aws ec2 modify-instance-metadata-options --http-tokens required) and fix the launch template so replacements start that way.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            hardeneks: &["check_access_to_instance_profile"],
            prowler: &["ec2_instance_imdsv2_enabled"],
            urls: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html", "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#restrict-access-to-the-instance-profile-assigned-to-the-worker-node"],
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
        let tokens = md.http_tokens.as_deref().unwrap_or("optional");
        if tokens != "required" {
            cx.report(
                i,
                format!(
                    "node {} allows IMDSv1 (HttpTokens is {tokens}): any pod that can make it send a GET request can read the node role's credentials",
                    i.describe()
                ),
            )
            .at("MetadataOptions.HttpTokens")
            .fix(format!(
                "Run `aws ec2 modify-instance-metadata-options --instance-id {} --http-tokens required`, and require IMDSv2 in the launch template of its node group.",
                i.instance_id
            ));
        }
    }
}
