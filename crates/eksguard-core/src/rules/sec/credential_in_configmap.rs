use crate::declare_rule;
use crate::inventory::Input;
use crate::inventory::text::push_key;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{credential_kind, is_credential_name, is_reference_name, is_secret_value};

declare_rule! {
    /// ## What it does
    /// Flags ConfigMap entries that hold credentials: values containing an AWS access key id,
    /// a private key or a known token format, and single-line non-placeholder values under
    /// keys named like `*password*`, `*secret*`, `*token*`, `*api_key*`. Values are never
    /// printed. The aws-auth ConfigMap is not checked (it holds ARNs).
    ///
    /// ## Why is this bad?
    /// ConfigMaps are not secrets: RBAC grants them widely (`view` can read them), they are
    /// not envelope-encrypted and they end up in Git. The seeds ask for secrets in an external
    /// store or at least in Kubernetes Secrets.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ConfigMap
    /// data:
    ///   AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE
    /// ```
    /// Instead, remove the entry, revoke the credential, and use IRSA or AWS Secrets Manager.
    pub static RULE = Rule {
        id: "SEC004",
        name: "credential-in-configmap",
        domain: Domain::Sec,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Credential stored in a ConfigMap",
        remediation: "Move the value to a Secret or AWS Secrets Manager, revoke and rotate it, and remove it from the ConfigMap and its Git history.",
        references: References {
            seed: &["002 Data Encryption and Secret Management", "000 AWS Secrets Manager and Configuration Provider (ASCP)"],
            kubescape: &["C-0012"],
            polaris: &["sensitiveConfigmapContent"],
            kubelinter: &["configmap-with-credentials"],
            urls: &["https://kubernetes.io/docs/concepts/configuration/configmap/", "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::ConfigMaps],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for cm in &cx.inv.config_maps {
        if cm.res.name == "aws-auth" && cm.res.namespace.as_deref() == Some("kube-system") {
            continue;
        }
        for (key, value) in cm.data.iter().flatten() {
            let single_line = !value.trim().contains('\n');
            let what = credential_kind(value).map(str::to_string).or_else(|| {
                (single_line
                    && is_credential_name(key)
                    && !is_reference_name(key)
                    && is_secret_value(value))
                .then(|| "a literal value for a credential-named key".to_string())
            });
            if let Some(what) = what {
                let mut field = String::from("data");
                push_key(&mut field, key);
                cx.report(
                    cm,
                    format!("{} key {key} holds {what} (value not shown)", cm.res),
                )
                .at(field);
            }
        }
    }
}
