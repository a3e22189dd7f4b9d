use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EKS clusters without envelope encryption of Kubernetes secrets
    /// (`encryptionConfig` with `resources: ["secrets"]` and a KMS key).
    ///
    /// ## Why is this bad?
    /// Without it, secrets are stored in etcd only base64-encoded under the volume encryption
    /// AWS manages; with it, each secret is encrypted with a data key that your KMS key wraps,
    /// so access to the key (and its CloudTrail record) guards every secret, and disabling the
    /// key cuts access off. The seeds encourage it whenever native Kubernetes secrets are used.
    ///
    /// ## Example
    /// ```json
    /// "cluster": {"name": "prod", "encryptionConfig": []}
    /// ```
    /// Instead:
    /// ```sh
    /// aws eks associate-encryption-config --cluster-name prod \
    ///   --encryption-config '[{"resources":["secrets"],"provider":{"keyArn":"arn:aws:kms:..."}}]'
    /// ```
    pub static RULE = Rule {
        id: "SEC001",
        name: "secrets-not-envelope-encrypted",
        domain: Domain::Sec,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Kubernetes secrets are not envelope-encrypted with KMS",
        remediation: "Associate a customer-managed symmetric KMS key with the cluster for the secrets resource (aws eks associate-encryption-config).",
        references: References {
            seed: &["001 Encryption - Data at Rest", "000 Envelope Encryption for Kubernetes Secrets"],
            cis_eks: &["5.3.1"],
            checkov: &["CKV_AWS_58"],
            kubescape: &["C-0066"],
            prowler: &["eks_cluster_kms_cmk_encryption_in_secrets_enabled"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html", "https://aws.github.io/aws-eks-best-practices/security/docs/data/#encryption-at-rest"],
            ..References::NONE
        },
        needs: &[Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        if !c.secrets_encrypted() {
            cx.report(
                c,
                format!(
                    "cluster {} stores Kubernetes secrets without KMS envelope encryption",
                    c.name
                ),
            )
            .at("encryptionConfig");
        }
    }
}
