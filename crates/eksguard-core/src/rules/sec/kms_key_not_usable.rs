use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags the KMS key that envelope-encrypts a cluster's secrets when it is not in the
    /// `Enabled` state (disabled, pending deletion, pending import, unavailable).
    ///
    /// ## Why is this bad?
    /// The API server cannot decrypt secrets with a disabled key: pods fail to start, and a key
    /// pending deletion makes every secret permanently unreadable once deleted. EKS marks such
    /// clusters degraded.
    ///
    /// ## Example
    /// ```json
    /// "KeyMetadata": {"KeyId": "1234abcd-...", "KeyState": "PendingDeletion"}
    /// ```
    /// Instead: `aws kms cancel-key-deletion` and `aws kms enable-key`.
    pub static RULE = Rule {
        id: "SEC007",
        name: "kms-key-not-usable",
        domain: Domain::Sec,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Cluster secrets KMS key is disabled or pending deletion",
        remediation: "Cancel the key's deletion (aws kms cancel-key-deletion) and enable it (aws kms enable-key).",
        references: References {
            seed: &["001 Encryption - Data at Rest"],
            prowler: &["kms_cmk_not_deleted_unintentionally"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html", "https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys-scheduling-key-deletion.html"],
            ..References::NONE
        },
        needs: &[Input::EksCluster, Input::KmsKeys],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        let Some(arn) = c.secrets_key_arn() else {
            continue;
        };
        for k in cx.inv.kms_keys.iter().filter(|k| k.is(arn)) {
            let state =
                k.key_state
                    .as_deref()
                    .unwrap_or(if k.enabled { "Enabled" } else { "Disabled" });
            if state != "Enabled" {
                cx.report(
                    k,
                    format!(
                        "KMS key {} that encrypts the secrets of cluster {} is {state}",
                        k.key_id, c.name
                    ),
                )
                .at("KeyState");
            }
        }
    }
}
