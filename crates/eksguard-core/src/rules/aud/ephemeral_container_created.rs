use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags changes to the pods/ephemeralcontainers subresource (`kubectl debug`).
    ///
    /// ## Why is this bad?
    /// An ephemeral container runs an arbitrary image inside a running pod's namespaces, with its
    /// service account and volumes, without changing its owner.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/pods/web-1/ephemeralcontainers","verb":"patch","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"pods","namespace":"shop","name":"web-1","subresource":"ephemeralcontainers","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD009",
        name: "ephemeral-container-created",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "An ephemeral (debug) container was added to a running pod",
        remediation: "Confirm the debugging session; restrict pods/ephemeralcontainers.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["EphemeralContainers Created"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.subresource() != "ephemeralcontainers" || !ev.is_modify() || !ev.succeeded() {
        return;
    }
    cx.fire(
        format!("{}|{}/{}", ev.username(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} added an ephemeral container to pod {}/{}",
            ev.username(),
            ev.namespace(),
            ev.name()
        ),
    );
}
