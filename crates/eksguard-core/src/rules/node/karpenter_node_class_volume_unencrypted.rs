use serde_json::Value;

use super::karpenter_node_classes;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Karpenter `EC2NodeClass` objects with a block device mapping whose EBS volume is
    /// not encrypted (`spec.blockDeviceMappings[].ebs.encrypted` false or unset). A class
    /// without `blockDeviceMappings` gets Karpenter's default root volume and is not flagged.
    ///
    /// ## Why is this bad?
    /// Node volumes hold images, logs, `emptyDir` data and the kubelet's copies of secrets and
    /// service-account tokens. The seeds ask for encryption at rest. An unset `encrypted` falls
    /// back to the account's EBS default, which is off unless someone turned it on.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   blockDeviceMappings:
    ///   - deviceName: /dev/xvda
    ///     ebs: {volumeSize: 100Gi, volumeType: gp3}
    /// ```
    /// Instead: `ebs: {volumeSize: 100Gi, volumeType: gp3, encrypted: true}`.
    pub static RULE = Rule {
        id: "NODE021",
        name: "karpenter-node-class-volume-unencrypted",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Karpenter node class maps an unencrypted EBS volume",
        remediation: "Set encrypted: true (optionally with a kmsKeyID) on every ebs block device mapping of the EC2NodeClass.",
        references: References {
            seed: &["001 Infrastructure - Storage", "003 Encrypt storage", "002 Data Encryption and Secret Management"],
            urls: &["https://karpenter.sh/docs/concepts/nodeclasses/#specblockdevicemappings", "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"],
            ..References::NONE
        },
        needs: &[Input::KarpenterNodeClasses],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for nc in karpenter_node_classes(cx.inv) {
        let Some(Value::Array(mappings)) = nc.value.pointer("/spec/blockDeviceMappings") else {
            continue;
        };
        for (i, m) in mappings.iter().enumerate() {
            let Some(ebs) = m.get("ebs") else { continue };
            if ebs.get("encrypted").and_then(Value::as_bool) != Some(true) {
                let device = m
                    .get("deviceName")
                    .and_then(Value::as_str)
                    .unwrap_or("(no device name)");
                cx.report(
                    nc,
                    format!(
                        "EC2NodeClass {} maps an unencrypted EBS volume at {device}",
                        nc.res.name
                    ),
                )
                .at(format!("spec.blockDeviceMappings[{i}].ebs"));
            }
        }
    }
}
