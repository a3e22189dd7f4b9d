use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags projected volumes whose `serviceAccountToken` source sets `expirationSeconds` above 86400
    /// (24 hours).
    ///
    /// ## Why is this bad?
    /// A projected token is refreshed by the kubelet long before it expires, so the application never
    /// needs a long lifetime; the lifetime only matters once the token is stolen, as the window in which
    /// an attacker can use it (against the API server, or against AWS STS when its audience is
    /// `sts.amazonaws.com`). The seeds rely on the kubelet's short rotation for IRSA tokens.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    /// - name: token
    ///   projected:
    ///     sources:
    ///     - serviceAccountToken: {path: token, expirationSeconds: 604800}
    /// ```
    ///
    /// ## Differences from peers
    /// KubeLinter `projected-token-long-expiration` uses the same threshold; the API server may cap the
    /// lifetime further (`--service-account-max-token-expiration`), which a manifest does not show.
    pub static RULE = Rule {
        id: "SEC011",
        name: "projected-token-long-expiration",
        domain: Domain::Sec,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Projected service account token lives longer than a day",
        remediation: "Set expirationSeconds to 3600 or less (the kubelet refreshes the token before it expires).",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            kubelinter: &["projected-token-long-expiration"],
            urls: &["https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        for (i, v) in w.spec.volumes.iter().flatten().enumerate() {
            let Some(p) = &v.projected else {
                continue;
            };
            for (j, s) in p.sources.iter().flatten().enumerate() {
                let Some(secs) = s
                    .service_account_token
                    .as_ref()
                    .and_then(|t| t.expiration_seconds)
                else {
                    continue;
                };
                if secs > 86_400 {
                    let message = format!(
                        "{}: volume {} projects a service account token valid for {secs} seconds (over 24 hours)",
                        w.res, v.name
                    );
                    let at = w.field(&format!(
                        "volumes[{i}].projected.sources[{j}].serviceAccountToken.expirationSeconds"
                    ));
                    cx.report(w, message).at(at);
                }
            }
        }
    }
}
