use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags gets of Secrets that failed (401, 403 or 404 response).
    ///
    /// ## Why is this bad?
    /// Denied secret reads are what probing with a stolen, under-privileged credential looks like.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/kube-system/secrets/admin-token","verb":"get","user":{"username":"system:serviceaccount:shop:web","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"secrets","namespace":"kube-system","name":"admin-token","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":403}}
    /// ```
    pub static RULE = Rule {
        id: "AUD024",
        name: "secret-read-denied",
        domain: Domain::Aud,
        severity: Severity::Low,
        scope: Scope::Audit,
        summary: "An attempt to read a secret was denied",
        remediation: "Find the identity and why it asked; if it is a workload, its code or configuration may be compromised.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["K8s Secret Get Unsuccessfully Tried"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "secrets" || ev.verb() != "get" || ev.succeeded() || ev.code() == 0 {
        return;
    }
    cx.fire(
        format!("{}|{}/{}", ev.username(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} was denied reading secret {}/{} ({})",
            ev.username(),
            ev.namespace(),
            ev.name(),
            ev.code()
        ),
    );
}
