use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags exec into pods of the `kube-system` namespace.
    ///
    /// ## Why is this bad?
    /// kube-system pods run the cluster's own components with powerful service accounts and often host
    /// access; a shell in one is rarely routine and is a common step after a foothold.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde/exec?command=sh&stdin=true&tty=true","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"pods","namespace":"kube-system","name":"coredns-5d78c9869d-abcde","subresource":"exec","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":101}}
    /// ```
    pub static RULE = Rule {
        id: "AUD006",
        name: "exec-in-kube-system-pod",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A command was executed in a kube-system pod",
        remediation: "Find who ran the command and why; prefer ephemeral debug containers in a dedicated namespace and restrict pods/exec in kube-system.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            guardduty: &["Execution:Kubernetes/ExecInKubeSystemPod"],
            urls: &["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.subresource() != "exec"
        || ev.namespace() != "kube-system"
        || !(ev.code() == 0 || ev.succeeded())
    {
        return;
    }
    cx.fire(
        format!("{}|{}", ev.username(), ev.name()),
        object_of(ev),
        format!(
            "{} ran a command in kube-system pod {}",
            ev.username(),
            ev.name()
        ),
    );
}
