use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a GuardDuty detector that is disabled, or whose EKS audit-log monitoring
    /// (`EKS_AUDIT_LOGS` feature) is not enabled.
    ///
    /// ## Why is this bad?
    /// GuardDuty's Kubernetes findings (anonymous access, exec into kube-system pods, calls from
    /// Tor or known malicious IPs, privileged containers) come from the audit log it reads
    /// independently of your control-plane logging. The seeds: enable GuardDuty for EKS.
    ///
    /// ## Example
    /// ```json
    /// {"Status": "ENABLED", "Features": [{"Name": "EKS_AUDIT_LOGS", "Status": "DISABLED"}]}
    /// ```
    /// Instead:
    /// ```sh
    /// aws guardduty update-detector --detector-id <id> --features Name=EKS_AUDIT_LOGS,Status=ENABLED
    /// ```
    pub static RULE = Rule {
        id: "LOG003",
        name: "guardduty-eks-protection-disabled",
        domain: Domain::Log,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "GuardDuty does not monitor EKS audit logs",
        remediation: "Enable the GuardDuty detector and its EKS_AUDIT_LOGS feature (and RUNTIME_MONITORING for runtime threats).",
        references: References {
            seed: &["000 Amazon GuardDuty", "000 Summary", "003 Cyber attack detection"],
            prowler: &["guardduty_eks_audit_log_enabled", "guardduty_is_enabled"],
            urls: &["https://docs.aws.amazon.com/guardduty/latest/ug/kubernetes-protection.html", "https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[Input::GuardDuty],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for d in &cx.inv.guardduty_detectors {
        if d.status.as_deref() != Some("ENABLED") {
            cx.report(
                d,
                format!(
                    "GuardDuty detector {} is {}",
                    d.name(),
                    d.status.as_deref().unwrap_or("not enabled")
                ),
            )
            .at("Status");
        } else if !d.feature_enabled("EKS_AUDIT_LOGS") {
            let at = d
                .features
                .iter()
                .position(|f| f.name == "EKS_AUDIT_LOGS")
                .map_or_else(|| "Features".to_string(), |i| format!("Features[{i}]"));
            cx.report(d, format!("GuardDuty detector {} does not monitor EKS audit logs (EKS_AUDIT_LOGS is not enabled)", d.name()))
                .at(at);
        }
    }
}
