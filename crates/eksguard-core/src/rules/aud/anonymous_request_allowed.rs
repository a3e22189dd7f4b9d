use super::util::gd_suffix;
use super::util::tactic;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::source_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags requests by `system:anonymous` (or the `system:unauthenticated` group) that the API
    /// server allowed, except the health and version endpoints anonymous users may read. The message
    /// names the tactic the call serves and the GuardDuty finding type of that family.
    ///
    /// ## Why is this bad?
    /// An anonymous caller that gets answers can map the cluster, read data or change it with no
    /// identity to revoke. On EKS anonymous access beyond health checks only works when someone bound
    /// a role to `system:anonymous` or `system:unauthenticated`.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/kube-system/secrets","verb":"list","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["198.51.100.23"],"objectRef":{"resource":"secrets","namespace":"kube-system","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD001",
        name: "anonymous-request-allowed",
        domain: Domain::Aud,
        severity: Severity::High,
        scope: Scope::Audit,
        summary: "An anonymous (unauthenticated) request to the API server was allowed",
        remediation: "Remove every RoleBinding and ClusterRoleBinding whose subjects are system:anonymous or system:unauthenticated, then investigate what the anonymous caller read or changed.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            guardduty: &["CredentialAccess:Kubernetes/SuccessfulAnonymousAccess", "DefenseEvasion:Kubernetes/SuccessfulAnonymousAccess", "Discovery:Kubernetes/SuccessfulAnonymousAccess", "Impact:Kubernetes/SuccessfulAnonymousAccess", "Persistence:Kubernetes/SuccessfulAnonymousAccess"],
            falco: &["Anonymous Request Allowed"],
            urls: &["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if !ev.is_anonymous() || !ev.succeeded() || ev.annotations.decision.as_str() == "forbid" {
        return;
    }
    let path = ev.request_uri.split('?').next().unwrap_or_default();
    let public = ["/healthz", "/livez", "/readyz", "/version"];
    if public
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
    {
        return;
    }
    let tactic = tactic(ev);
    let what = if ev.resource().is_empty() {
        path.to_string()
    } else {
        ev.target()
    };
    cx.fire(
        format!("{}|{tactic}", ev.source_ip()),
        source_of(ev.source_ip()),
        format!(
            "anonymous {} of {what} was allowed from {}: {tactic}{}",
            ev.verb(),
            ev.source_ip(),
            gd_suffix(tactic, "SuccessfulAnonymousAccess")
        ),
    );
}
