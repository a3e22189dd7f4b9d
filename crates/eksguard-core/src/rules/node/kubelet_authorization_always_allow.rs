use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags nodes whose live kubelet configuration sets `authorization.mode` to `AlwaysAllow`.
    ///
    /// ## Why is this bad?
    /// With `AlwaysAllow`, the kubelet does not ask the API server whether a caller may use its
    /// API: any authenticated caller (and, with anonymous authentication, anyone) can exec into
    /// every container on the node. `Webhook` mode delegates each request to the API server's
    /// RBAC (`nodes/proxy`, `nodes/log`, ...).
    ///
    /// ## Example
    /// ```json
    /// {"kubeletconfig": {"authorization": {"mode": "AlwaysAllow"}}}
    /// ```
    /// Instead: `"authorization": {"mode": "Webhook"}` with
    /// `"authentication": {"webhook": {"enabled": true}}`.
    pub static RULE = Rule {
        id: "NODE006",
        name: "kubelet-authorization-always-allow",
        domain: Domain::Node,
        severity: Severity::Critical,
        scope: Scope::Cluster,
        summary: "Kubelet authorizes every request (AlwaysAllow)",
        remediation: "Set authorization.mode to Webhook and authentication.webhook.enabled to true in the kubelet configuration, then restart the kubelet.",
        references: References {
            cis_eks: &["3.2.2"],
            kubescape: &["C-0173"],
            urls: &["https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"],
            ..References::NONE
        },
        needs: &[Input::KubeletConfigs],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for k in &cx.inv.kubelet_configs {
        if k.get_str("/authorization/mode") == Some("AlwaysAllow") {
            cx.report(
                k,
                format!(
                    "kubelet of node {} authorizes every request to its API (authorization.mode is AlwaysAllow)",
                    k.res.name
                ),
            )
            .at("kubeletconfig.authorization.mode");
        }
    }
}
