use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags nodes whose live kubelet configuration (`/configz`) enables anonymous
    /// authentication (`authentication.anonymous.enabled: true`).
    ///
    /// ## Why is this bad?
    /// With anonymous authentication, every request to the kubelet API (port 10250) without a
    /// credential is served as `system:anonymous`. Combined with a permissive authorization
    /// mode this lets anyone who reaches the node list pods, read logs and run commands in
    /// containers. The EKS-optimized AMIs and Bottlerocket disable it; a custom AMI or bootstrap
    /// override can turn it back on.
    ///
    /// ## Example
    /// ```json
    /// {"kubeletconfig": {"authentication": {"anonymous": {"enabled": true}}}}
    /// ```
    /// Instead: `"authentication": {"anonymous": {"enabled": false}}` (or `--anonymous-auth=false`).
    pub static RULE = Rule {
        id: "NODE005",
        name: "kubelet-anonymous-auth-enabled",
        domain: Domain::Node,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Kubelet accepts anonymous requests",
        remediation: "Set authentication.anonymous.enabled to false in the kubelet configuration (or --anonymous-auth=false) and restart the kubelet.",
        references: References {
            cis_eks: &["3.2.1"],
            kubescape: &["C-0172", "C-0069"],
            urls: &["https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/", "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
            ..References::NONE
        },
        needs: &[Input::KubeletConfigs],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for k in &cx.inv.kubelet_configs {
        if k.get_bool("/authentication/anonymous/enabled") == Some(true) {
            cx.report(
                k,
                format!(
                    "kubelet of node {} serves unauthenticated requests as system:anonymous (authentication.anonymous.enabled is true)",
                    k.res.name
                ),
            )
            .at("kubeletconfig.authentication.anonymous.enabled");
        }
    }
}
