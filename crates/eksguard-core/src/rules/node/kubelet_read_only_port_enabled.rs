use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags nodes whose live kubelet configuration opens the read-only port (`readOnlyPort`
    /// above 0, classically 10255).
    ///
    /// ## Why is this bad?
    /// The read-only port serves pod specs, node metrics and configuration with no
    /// authentication and no authorization at all: anything that reaches the node can map the
    /// workloads, their images and environment. The kubelet serves its configuration with zero
    /// values omitted, so an absent `readOnlyPort` means the port is closed.
    ///
    /// ## Example
    /// ```json
    /// {"kubeletconfig": {"readOnlyPort": 10255}}
    /// ```
    /// Instead: `"readOnlyPort": 0` (or `--read-only-port=0`).
    pub static RULE = Rule {
        id: "NODE008",
        name: "kubelet-read-only-port-enabled",
        domain: Domain::Node,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Kubelet serves the unauthenticated read-only port",
        remediation: "Set readOnlyPort to 0 in the kubelet configuration (or --read-only-port=0) and restart the kubelet.",
        references: References {
            cis_eks: &["3.2.4"],
            kubescape: &["C-0175"],
            urls: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
            ..References::NONE
        },
        needs: &[Input::KubeletConfigs],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for k in &cx.inv.kubelet_configs {
        if let Some(port) = k.get_i64("/readOnlyPort").filter(|p| *p > 0) {
            cx.report(
                k,
                format!(
                    "kubelet of node {} serves the unauthenticated read-only API on port {port}",
                    k.res.name
                ),
            )
            .at("kubeletconfig.readOnlyPort");
        }
    }
}
