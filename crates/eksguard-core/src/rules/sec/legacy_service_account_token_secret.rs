use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Secrets of type `kubernetes.io/service-account-token`: legacy service account tokens, which
    /// never expire. (Secrets are read without their values; only the type and annotations are used.)
    ///
    /// ## Why is this bad?
    /// Since Kubernetes 1.24 pods get short-lived, audience-bound tokens; a token Secret is one someone
    /// created by hand (or left over from an upgrade) and is valid until the Secret is deleted, from
    /// anywhere the API server is reachable. Such tokens are how CI systems and people end up
    /// authenticating as service accounts, which the seeds advise against ("Don't use a service account
    /// token for authentication").
    ///
    /// ## Example
    /// ```yaml
    /// kind: Secret
    /// type: kubernetes.io/service-account-token
    /// metadata:
    ///   name: ci-token
    ///   annotations: {kubernetes.io/service-account.name: deployer}
    /// ```
    pub static RULE = Rule {
        id: "SEC008",
        name: "legacy-service-account-token-secret",
        domain: Domain::Sec,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Long-lived service account token stored in a Secret",
        remediation: "Delete the Secret and use short-lived tokens (projected volumes, or kubectl create token); for CI access use IAM and EKS access entries.",
        references: References {
            seed: &["001 Authentication"],
            urls: &["https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token", "https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#legacy-serviceaccount-token-cleaner"],
            ..References::NONE
        },
        needs: &[Input::Secrets],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for s in &cx.inv.secrets {
        if s.type_.as_deref() != Some("kubernetes.io/service-account-token") {
            continue;
        }
        let sa = crate::rules::util::annotation(&s.metadata, "kubernetes.io/service-account.name")
            .unwrap_or("(unknown)");
        let message = format!(
            "{} holds a non-expiring token of service account {sa}",
            s.res
        );
        cx.report(s, message).at("type");
    }
}
