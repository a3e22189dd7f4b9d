use super::effective_launch_templates;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags managed node groups with SSH remote access (`remoteAccess.ec2SshKey`) and node
    /// launch templates that install an SSH key pair (`KeyName`).
    ///
    /// ## Why is this bad?
    /// SSH keys are long-lived shared secrets, SSH sessions leave no audit trail of commands,
    /// and port 22 must be opened to someone. The seeds: instead of enabling SSH access, use
    /// SSM Session Manager, which authenticates with IAM and logs every command.
    ///
    /// ## Example
    /// ```json
    /// "remoteAccess": {"ec2SshKey": "ops-key", "sourceSecurityGroups": []}
    /// ```
    /// Instead, create the node group without remote access and attach
    /// `AmazonSSMManagedInstanceCore` to the node role.
    pub static RULE = Rule {
        id: "NODE003",
        name: "ssh-access-enabled",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Nodes accept SSH with a key pair",
        remediation: "Recreate the node group without remoteAccess / KeyName and reach nodes with SSM Session Manager.",
        references: References {
            seed: &["001 Infrastructure - Worker Nodes"],
            checkov: &["CKV_AWS_100"],
            urls: &["https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html", "https://aws.github.io/aws-eks-best-practices/hosts/"],
            ..References::NONE
        },
        needs: &[Input::NodeConfig],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for ng in &cx.inv.nodegroups {
        if let Some(key) = ng
            .remote_access
            .as_ref()
            .and_then(|r| r.ec2_ssh_key.as_deref())
        {
            let from = ng
                .remote_access
                .as_ref()
                .map_or(0, |r| r.source_security_groups.len());
            let from = if from == 0 {
                " from anywhere the subnets allow".to_string()
            } else {
                format!(" from {from} security group(s)")
            };
            cx.report(
                ng,
                format!(
                    "node group {} accepts SSH with key pair {key}{from}",
                    ng.nodegroup_name
                ),
            )
            .at("remoteAccess.ec2SshKey");
        }
    }
    for lt in effective_launch_templates(cx.inv) {
        if let Some(key) = lt.launch_template_data.key_name.as_deref() {
            cx.report(
                lt,
                format!(
                    "launch template {} version {} installs SSH key pair {key} on nodes",
                    lt.launch_template_name, lt.version_number
                ),
            )
            .at("LaunchTemplateData.KeyName");
        }
    }
}
