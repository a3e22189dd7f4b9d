use super::effective_launch_templates;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EBS volumes of node launch templates (`BlockDeviceMappings[].Ebs`) that are not
    /// encrypted.
    ///
    /// ## Why is this bad?
    /// Node volumes hold container images, logs, `emptyDir` data and the kubelet's copies of
    /// secrets and tokens. The seeds ask for encryption at rest everywhere. (Volumes the
    /// template does not map take the AMI and account defaults, which this rule cannot see.)
    ///
    /// ## Example
    /// ```json
    /// "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 80}}]
    /// ```
    /// Instead: `"Ebs": {"VolumeSize": 80, "Encrypted": true}` (or enable EBS encryption by
    /// default for the account and region).
    pub static RULE = Rule {
        id: "NODE004",
        name: "node-volume-unencrypted",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Node EBS volume is not encrypted",
        remediation: "Set Ebs.Encrypted: true (optionally with a KmsKeyId) for every block device mapping, or enable EBS encryption by default.",
        references: References {
            seed: &["001 Infrastructure - Storage", "003 Encrypt storage", "002 Data Encryption and Secret Management"],
            prowler: &["ec2_ebs_volume_encryption", "ec2_ebs_default_encryption"],
            urls: &["https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html", "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html", "https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html"],
            ..References::NONE
        },
        needs: &[Input::LaunchTemplates],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for lt in effective_launch_templates(cx.inv) {
        for (i, m) in lt
            .launch_template_data
            .block_device_mappings
            .iter()
            .enumerate()
        {
            let Some(ebs) = &m.ebs else { continue };
            if ebs.encrypted != Some(true) {
                cx.report(
                    lt,
                    format!(
                        "launch template {} version {} maps an unencrypted EBS volume at {}",
                        lt.launch_template_name,
                        lt.version_number,
                        m.device_name.as_deref().unwrap_or("(no device name)")
                    ),
                )
                .at(format!("LaunchTemplateData.BlockDeviceMappings[{i}].Ebs"));
            }
        }
    }
}
