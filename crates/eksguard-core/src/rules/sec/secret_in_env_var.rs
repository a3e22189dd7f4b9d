use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that read secrets into environment variables (`env[].valueFrom.secretKeyRef`
    /// or `envFrom[].secretRef`).
    ///
    /// ## Why is this bad?
    /// Environment variables leak: they are inherited by every child process, printed by crash
    /// handlers and debug endpoints, visible in `/proc/*/environ`, and captured by APM agents.
    /// They are also never refreshed when the secret rotates. Mounted files (or an external
    /// store through the Secrets Store CSI driver, as the seeds suggest) avoid both problems.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    /// - name: DB_PASSWORD
    ///   valueFrom: {secretKeyRef: {name: db, key: password}}
    /// ```
    /// Instead, mount the secret as a volume and read the file, or use the Secrets Store CSI
    /// driver with AWS Secrets Manager.
    pub static RULE = Rule {
        id: "SEC002",
        name: "secret-in-env-var",
        domain: Domain::Sec,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Secret exposed to a container as an environment variable",
        remediation: "Mount the secret as a file (secret volume, or Secrets Store CSI driver with AWS Secrets Manager) instead of an environment variable.",
        references: References {
            seed: &["000 AWS Secrets Manager and Configuration Provider (ASCP)", "002 Data Encryption and Secret Management"],
            cis_eks: &["4.4.1"],
            checkov: &["CKV_K8S_35"],
            kubescape: &["C-0207"],
            hardeneks: &["disallow_secrets_from_env_vars"],
            kubelinter: &["read-secret-from-env-var"],
            kubesec: &["SecretsAsEnvironmentVariables"],
            urls: &["https://kubernetes.io/docs/concepts/security/secrets-good-practices/", "https://aws.github.io/aws-eks-best-practices/security/docs/data/#use-volume-mounts-instead-of-environment-variables", "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets"],
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
                if let Some(r) = e
                    .value_from
                    .as_ref()
                    .and_then(|v| v.secret_key_ref.as_ref())
                {
                    cx.report(
                        w,
                        format!(
                            "{} of {} reads key {} of secret {} into env var {}",
                            c.describe(),
                            w.res,
                            r.key,
                            r.name,
                            e.name
                        ),
                    )
                    .at(c.field(&format!("env[{i}].valueFrom.secretKeyRef")));
                }
            }
            for (i, e) in c.env_from.iter().enumerate() {
                if let Some(r) = &e.secret_ref {
                    cx.report(
                        w,
                        format!(
                            "{} of {} loads every key of secret {} into its environment",
                            c.describe(),
                            w.res,
                            r.name
                        ),
                    )
                    .at(c.field(&format!("envFrom[{i}].secretRef")));
                }
            }
        }
    }
}
