use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags an enabled GuardDuty detector whose runtime monitoring for EKS is off: neither the
    /// `RUNTIME_MONITORING` feature nor the older `EKS_RUNTIME_MONITORING` feature is `ENABLED`.
    /// (A disabled detector is LOG003.)
    ///
    /// ## Why is this bad?
    /// Audit logs show what is asked of the API server; runtime monitoring shows what runs on
    /// the nodes: reverse shells, crypto miners, container escapes, credential theft from the
    /// instance metadata. The seeds: enable GuardDuty for EKS and detect malware and exploits
    /// on the cluster.
    ///
    /// ## Example
    /// ```json
    /// {"Status": "ENABLED", "Features": [{"Name": "RUNTIME_MONITORING", "Status": "DISABLED"}]}
    /// ```
    /// Instead:
    /// ```sh
    /// aws guardduty update-detector --detector-id <id> \
    ///   --features '[{"Name":"RUNTIME_MONITORING","Status":"ENABLED","AdditionalConfiguration":[{"Name":"EKS_ADDON_MANAGEMENT","Status":"ENABLED"}]}]'
    /// ```
    pub static RULE = Rule {
        id: "LOG004",
        name: "guardduty-runtime-monitoring-disabled",
        domain: Domain::Log,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "GuardDuty does not monitor EKS nodes at runtime",
        remediation: "Enable GuardDuty Runtime Monitoring (RUNTIME_MONITORING) with automated agent management for EKS (EKS_ADDON_MANAGEMENT).",
        references: References {
            seed: &["000 Amazon GuardDuty", "003 Cyber attack detection", "002 Runtime Security"],
            prowler: &["guardduty_eks_runtime_monitoring_enabled"],
            urls: &["https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring.html", "https://docs.aws.amazon.com/eks/latest/best-practices/runtime-security.html"],
            ..References::NONE
        },
        needs: &[Input::GuardDuty],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for d in &cx.inv.guardduty_detectors {
        if d.status.as_deref() != Some("ENABLED") {
            continue;
        }
        if d.feature_enabled("RUNTIME_MONITORING") || d.feature_enabled("EKS_RUNTIME_MONITORING") {
            continue;
        }
        let at = d
            .features
            .iter()
            .position(|f| f.name == "RUNTIME_MONITORING" || f.name == "EKS_RUNTIME_MONITORING")
            .map_or_else(|| "Features".to_string(), |i| format!("Features[{i}]"));
        cx.report(
            d,
            format!(
                "GuardDuty detector {} does not monitor EKS nodes at runtime (RUNTIME_MONITORING is not enabled)",
                d.name()
            ),
        )
        .at(at);
    }
}
