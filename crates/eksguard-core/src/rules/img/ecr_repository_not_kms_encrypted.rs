use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags ECR repositories encrypted with the AWS-owned AES256 key instead of a KMS key.
    ///
    /// ## Why is this bad?
    /// With AES256 (SSE-S3) encryption the key cannot be audited, rotated on your schedule, or
    /// used to cut off access to the images. A customer-managed KMS key gives CloudTrail
    /// records of every decryption and a kill switch.
    ///
    /// ## Example
    /// ```json
    /// "encryptionConfiguration": {"encryptionType": "AES256"}
    /// ```
    /// Instead, create repositories with
    /// `--encryption-configuration encryptionType=KMS,kmsKey=<key arn>` (encryption is set at
    /// creation: replicate into a new repository).
    pub static RULE = Rule {
        id: "IMG005",
        name: "ecr-repository-not-kms-encrypted",
        domain: Domain::Img,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "ECR repository is not encrypted with a KMS key",
        remediation: "Create the repository with encryptionType KMS and a customer-managed key, and move images to it.",
        references: References {
            seed: &["002 Data Encryption and Secret Management"],
            checkov: &["CKV_AWS_154"],
            prowler: &["ecr_repository_encrypted_with_cmk"],
            urls: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html"],
            ..References::NONE
        },
        needs: &[Input::EcrRepositories],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for r in &cx.inv.ecr_repositories {
        let ty = r
            .encryption_configuration
            .as_ref()
            .and_then(|e| e.encryption_type.as_deref())
            .unwrap_or("AES256");
        if !ty.starts_with("KMS") {
            cx.report(
                r,
                format!(
                    "ECR repository {} is encrypted with {ty}, not a KMS key",
                    r.repository_name
                ),
            )
            .at("encryptionConfiguration.encryptionType");
        }
    }
}
