use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EKS clusters that do not send the `api`, `audit` and `authenticator` control-plane
    /// logs to CloudWatch Logs.
    ///
    /// ## Why is this bad?
    /// The audit log is the only record of who did what in the cluster: without it there is no
    /// investigation after an incident, no detection of RBAC changes or exec into pods, and no
    /// evidence for auditors. The authenticator log maps API calls back to IAM principals. The
    /// seeds: monitor at the very least the api and audit logs.
    ///
    /// ## Example
    /// ```json
    /// "logging": {"clusterLogging": [{"types": ["api"], "enabled": true}, {"types": ["audit", "authenticator"], "enabled": false}]}
    /// ```
    /// Instead:
    /// ```sh
    /// aws eks update-cluster-config --name prod \
    ///   --logging '{"clusterLogging":[{"types":["api","audit","authenticator","controllerManager","scheduler"],"enabled":true}]}'
    /// ```
    pub static RULE = Rule {
        id: "LOG001",
        name: "control-plane-audit-logs-disabled",
        domain: Domain::Log,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Control-plane api, audit or authenticator logs are off",
        remediation: "Enable the api, audit and authenticator log types (aws eks update-cluster-config --logging ...) and set a retention on the /aws/eks/NAME/cluster log group.",
        references: References {
            seed: &["001 Logging & Monitoring", "000 Kubernetes control plane API and audit logs", "002 Detective Controls", "000 Summary"],
            cis_eks: &["2.1.1"],
            checkov: &["CKV_AWS_37"],
            kubescape: &["C-0067"],
            hardeneks: &["check_logs_are_enabled"],
            prowler: &["eks_control_plane_logging_all_types_enabled"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html", "https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for c in &cx.inv.clusters {
        let off: Vec<&str> = ["api", "audit", "authenticator"]
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
