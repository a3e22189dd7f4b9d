use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags `kubectl port-forward` (the pods/portforward subresource).
    ///
    /// ## Why is this bad?
    /// Port-forwarding tunnels a laptop straight into a pod, around network policies, ingress controls
    /// and their logs.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/db/pods/portforward","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"pods","namespace":"db","name":"postgres-0","subresource":"portforward","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":101}}
    /// ```
    pub static RULE = Rule {
        id: "AUD008",
        name: "port-forward",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A user port-forwarded to a pod",
        remediation: "Confirm the tunnel was expected; restrict pods/portforward to break-glass roles.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["port-forward"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.subresource() != "portforward" {
        return;
    }
    cx.fire(
        format!("{}|{}/{}", ev.username(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} port-forwarded to pod {}/{}",
            ev.username(),
            ev.namespace(),
            ev.name()
        ),
    );
}
