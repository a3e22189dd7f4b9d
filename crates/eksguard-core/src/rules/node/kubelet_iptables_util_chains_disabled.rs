use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags nodes whose live kubelet configuration sets `makeIPTablesUtilChains: false`.
    ///
    /// ## Why is this bad?
    /// The kubelet then stops maintaining its iptables utility chains (such as the chain that
    /// drops martian packets to node-local ports), and iptables rules drift out of line with
    /// the pods the node runs. The default is `true`.
    ///
    /// ## Example
    /// ```json
    /// {"kubeletconfig": {"makeIPTablesUtilChains": false}}
    /// ```
    /// Instead: `"makeIPTablesUtilChains": true` (the default; remove the override).
    pub static RULE = Rule {
        id: "NODE010",
        name: "kubelet-iptables-util-chains-disabled",
        domain: Domain::Node,
        severity: Severity::Low,
        scope: Scope::Cluster,
        summary: "Kubelet does not manage its iptables chains",
        remediation: "Set makeIPTablesUtilChains to true in the kubelet configuration (or drop --make-iptables-util-chains=false).",
        references: References {
            cis_eks: &["3.2.6"],
            kubescape: &["C-0178"],
            urls: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
            ..References::NONE
        },
        needs: &[Input::KubeletConfigs],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for k in &cx.inv.kubelet_configs {
        if k.get_bool("/makeIPTablesUtilChains") == Some(false) {
            cx.report(
                k,
                format!(
                    "kubelet of node {} does not manage its iptables utility chains (makeIPTablesUtilChains is false)",
                    k.res.name
                ),
            )
            .at("kubeletconfig.makeIPTablesUtilChains");
        }
    }
}
