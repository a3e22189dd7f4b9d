use crate::declare_rule;
use crate::inventory::{Input, Located};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags customer-managed symmetric KMS keys whose automatic rotation is off
    /// (`get-key-rotation-status` reports `KeyRotationEnabled: false`). AWS-managed keys
    /// rotate on their own; asymmetric and HMAC keys cannot rotate and are not reported.
    ///
    /// ## Why is this bad?
    /// The key that envelope-encrypts cluster secrets (or volumes) protects them for as long
    /// as it lives; rotation limits how much data one key version protects and is required by
    /// most compliance frameworks.
    ///
    /// ## Example
    /// ```json
    /// {"KeyRotationEnabled": false, "KeyId": "arn:aws:kms:eu-west-1:111122223333:key/..."}
    /// ```
    /// Instead: `aws kms enable-key-rotation --key-id <key>`.
    pub static RULE = Rule {
        id: "SEC006",
        name: "kms-key-rotation-disabled",
        domain: Domain::Sec,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "KMS key rotation is disabled",
        remediation: "Enable automatic rotation: aws kms enable-key-rotation --key-id <key-id>.",
        references: References {
            seed: &["001 Encryption - Data at Rest"],
            checkov: &["CKV_AWS_7"],
            prowler: &["kms_cmk_rotation_enabled"],
            urls: &["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
            ..References::NONE
        },
        needs: &[Input::KmsKeyRotation],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    for status in inv.key_rotations.iter().filter(|s| !s.key_rotation_enabled) {
        let id = status.key_id.as_deref().unwrap_or_default();
        let key = inv.kms_keys.iter().find(|k| !id.is_empty() && k.is(id));
        if let Some(k) = key {
            let customer = k.key_manager.as_deref() != Some("AWS");
            let symmetric = k
                .key_spec
                .as_deref()
                .is_none_or(|s| s == "SYMMETRIC_DEFAULT");
            if !customer || !symmetric {
                continue;
            }
        }
        let target: &dyn Located = match key {
            Some(k) => k,
            None => status,
        };
        let name = key.map_or_else(
            || {
                if id.is_empty() {
                    "(key id not in output)".to_string()
                } else {
                    id.to_string()
                }
            },
            |k| k.key_id.clone(),
        );
        cx.report(
            target,
            format!("KMS key {name} does not rotate automatically"),
        );
    }
}
