use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{credential_kind, is_credential_name, is_reference_name, is_secret_value};

declare_rule! {
    /// ## What it does
    /// Flags literal environment values (`env[].value`) that are credentials: values shaped
    /// like AWS access key ids, private keys, GitHub or Slack tokens, and non-placeholder
    /// values of variables named like `*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`.
    /// The value is never printed.
    ///
    /// ## Why is this bad?
    /// A credential in a manifest is in Git, in CI logs, in every `kubectl get -o yaml`, in the
    /// API server's audit log and readable by anyone who can read the workload. Static AWS keys
    /// in pods also bypass IRSA: the seeds ask for IAM roles for service accounts and for
    /// secrets kept in an external store.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    /// - {name: AWS_ACCESS_KEY_ID, value: AKIAIOSFODNN7EXAMPLE}
    /// ```
    /// Instead, give the pod an IAM role (IRSA), and read other secrets from AWS Secrets
    /// Manager through the Secrets Store CSI driver.
    pub static RULE = Rule {
        id: "SEC003",
        name: "credential-in-env-value",
        domain: Domain::Sec,
        severity: Severity::Critical,
        scope: Scope::Object,
        summary: "Credential written literally in a container's environment",
        remediation: "Remove the literal value, revoke and rotate the credential, and deliver it through IRSA (for AWS) or a secret store.",
        references: References {
            seed: &["000 AWS Secrets Manager and Configuration Provider (ASCP)", "001 Authorization - IAM Roles for Service Accounts - IRSA"],
            kubescape: &["C-0012"],
            polaris: &["sensitiveContainerEnvVar"],
            kubelinter: &["env-var-secret"],
            urls: &["https://kubernetes.io/docs/concepts/security/secrets-good-practices/", "https://kubernetes.io/docs/concepts/configuration/secret/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        for c in w.containers() {
            for (i, e) in c.env.iter().enumerate() {
                let Some(value) = e.value.as_deref() else {
                    continue;
                };
                let what = credential_kind(value).map(str::to_string).or_else(|| {
                    (is_credential_name(&e.name)
                        && !is_reference_name(&e.name)
                        && is_secret_value(value))
                    .then(|| "a literal value for a credential-named variable".to_string())
                });
                if let Some(what) = what {
                    cx.report(
                        w,
                        format!(
                            "{} of {} sets env var {} to {what} (value not shown)",
                            c.describe(),
                            w.res,
                            e.name
                        ),
                    )
                    .at(c.field(&format!("env[{i}].value")));
                }
            }
        }
    }
}
