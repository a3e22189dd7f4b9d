use serde_json::Value;

use super::{effective_launch_templates, karpenter_node_classes};
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::credential_kind;

declare_rule! {
    /// ## What it does
    /// Flags node user data that contains a credential (an AWS access key id, a private key, a
    /// GitHub or Slack token): the `UserData` of node launch templates (base64, decoded here)
    /// and the `spec.userData` of Karpenter `EC2NodeClass` objects. The value is never printed.
    ///
    /// ## Why is this bad?
    /// User data is not secret: anyone with `ec2:DescribeLaunchTemplateVersions` or
    /// `ec2:DescribeInstanceAttribute` reads it, it is served by the instance metadata service
    /// to every process on the node (and to pods, when the hop limit allows), and a node
    /// class's user data is readable by everyone who can read the cluster's custom resources.
    /// Nodes get AWS access from their instance role; other secrets belong in Secrets Manager
    /// or SSM Parameter Store.
    ///
    /// ## Example
    /// ```sh
    /// #!/bin/bash
    /// export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
    /// ```
    /// Instead, grant the node role what the script needs, or fetch the secret at boot with
    /// `aws secretsmanager get-secret-value`.
    ///
    /// ## Differences from peers
    /// Checkov CKV_AWS_46 checks the user data of `aws_instance` resources in Terraform; Prowler
    /// `ec2_launch_template_no_secrets` scans every launch template of the account. eksguard
    /// scans the templates nodes use and Karpenter node classes.
    pub static RULE = Rule {
        id: "NODE024",
        name: "node-user-data-credentials",
        domain: Domain::Node,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Node user data contains a credential",
        remediation: "Remove the credential from the user data, rotate it, and give the node what it needs through its IAM role or Secrets Manager.",
        references: References {
            seed: &["002 Data Encryption and Secret Management"],
            checkov: &["CKV_AWS_46"],
            prowler: &["ec2_launch_template_no_secrets"],
            urls: &["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-add-user-data.html", "https://karpenter.sh/docs/concepts/nodeclasses/#specuserdata"],
            ..References::NONE
        },
        needs: &[Input::NodeConfig],
        check: run,
    };
}

/// Decode standard base64 (whitespace ignored); `None` when the text is not base64.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

fn run(cx: &mut Context<'_>) {
    for lt in effective_launch_templates(cx.inv) {
        let Some(data) = lt.launch_template_data.user_data.as_deref() else {
            continue;
        };
        let Some(bytes) = base64_decode(data) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        if let Some(kind) = credential_kind(&text) {
            cx.report(
                lt,
                format!(
                    "launch template {} version {} has {kind} in its user data",
                    lt.launch_template_name, lt.version_number
                ),
            )
            .at("LaunchTemplateData.UserData");
        }
    }
    for nc in karpenter_node_classes(cx.inv) {
        let Some(text) = nc.value.pointer("/spec/userData").and_then(Value::as_str) else {
            continue;
        };
        if let Some(kind) = credential_kind(text) {
            cx.report(
                nc,
                format!("EC2NodeClass {} has {kind} in its user data", nc.res.name),
            )
            .at("spec.userData");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn decodes() {
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_decode("aGVs\nbG8h").as_deref(), Some(&b"hello!"[..]));
        assert_eq!(base64_decode("not base64!"), None);
    }
}
