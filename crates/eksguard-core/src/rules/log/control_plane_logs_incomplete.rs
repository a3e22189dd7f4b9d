use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EKS clusters that do not send the `controllerManager` and `scheduler`
    /// control-plane logs to CloudWatch Logs.
    ///
    /// ## Why is this bad?
    /// These logs explain what the control plane did on its own: which controller created or
    /// deleted pods, why a pod was placed on a node. They complete the picture during an
    /// investigation. CIS asks for every log type.
    ///
    /// ## Example
    /// ```json
    /// "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": true}]}
    /// ```
    /// Instead, enable all five types.
    pub static RULE = Rule {
        id: "LOG002",
        name: "control-plane-logs-incomplete",
        domain: Domain::Log,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "Control-plane controllerManager or scheduler logs are off",
        remediation: "Enable the controllerManager and scheduler log types as well.",
        references: References {
            seed: &["001 Logging & Monitoring", "000 Summary", "002 Detective Controls"],
            cis_eks: &["2.1.1"],
            checkov: &["CKV_AWS_37"],
            kubescape: &["C-0067"],
            prowler: &["eks_control_plane_logging_all_types_enabled"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html"],
            ..References::NONE
        },
        needs: &[Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        let off: Vec<&str> = ["controllerManager", "scheduler"]
            .into_iter()
            .filter(|t| !c.logging.enabled(t))
            .collect();
        if !off.is_empty() {
            cx.report(
                c,
                format!(
                    "cluster {} does not log {} to CloudWatch",
                    c.name,
                    off.join(", ")
                ),
            )
            .at("logging.clusterLogging");
        }
    }
}
