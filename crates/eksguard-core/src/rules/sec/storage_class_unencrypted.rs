use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EBS StorageClasses (`ebs.csi.aws.com`, EKS Auto Mode's `ebs.csi.eks.amazonaws.com`
    /// or the in-tree `kubernetes.io/aws-ebs`)
    /// without `parameters.encrypted: "true"`.
    ///
    /// ## Why is this bad?
    /// Every PersistentVolume they provision (databases, queues, uploads) is stored
    /// unencrypted unless the account enables EBS encryption by default. The seeds: override
    /// the default storage class and activate the encryption flag.
    ///
    /// ## Example
    /// ```yaml
    /// kind: StorageClass
    /// metadata: {name: gp2}
    /// provisioner: kubernetes.io/aws-ebs
    /// parameters: {type: gp2}
    /// ```
    /// Instead:
    /// ```yaml
    /// provisioner: ebs.csi.aws.com
    /// parameters: {type: gp3, encrypted: "true"}
    /// ```
    pub static RULE = Rule {
        id: "SEC005",
        name: "storage-class-unencrypted",
        domain: Domain::Sec,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "EBS StorageClass does not encrypt volumes",
        remediation: "Create the StorageClass with parameters.encrypted: \"true\" (and kmsKeyId if you use a customer key), make it the default, and migrate volumes.",
        references: References {
            seed: &["003 Encrypt storage", "001 Infrastructure - Storage"],
            hardeneks: &["use_encryption_with_ebs"],
            urls: &["https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md", "https://kubernetes.io/docs/concepts/storage/storage-classes/#aws-ebs", "https://aws.github.io/aws-eks-best-practices/security/docs/data/#encryption-at-rest"],
            ..References::NONE
        },
        needs: &[Input::StorageClasses],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for sc in &cx.inv.storage_classes {
        if !matches!(
            sc.provisioner.as_str(),
            "ebs.csi.aws.com" | "ebs.csi.eks.amazonaws.com" | "kubernetes.io/aws-ebs"
        ) {
            continue;
        }
        let encrypted = sc
            .parameters
            .as_ref()
            .and_then(|p| p.get("encrypted"))
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if !encrypted {
            let default = sc
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("storageclass.kubernetes.io/is-default-class"))
                .is_some_and(|v| v == "true");
            let default = if default {
                " (the default StorageClass)"
            } else {
                ""
            };
            cx.report(
                sc,
                format!(
                    "StorageClass {}{default} provisions unencrypted EBS volumes",
                    sc.res.name
                ),
            )
            .at("parameters");
        }
    }
}
