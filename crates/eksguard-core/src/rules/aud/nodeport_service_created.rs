use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags Services created with type NodePort.
    ///
    /// ## Why is this bad?
    /// A NodePort opens a port on every node, around load balancers and their controls; node security
    /// groups are the only thing left between it and the network.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/services","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"services","namespace":"shop","name":"debug","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"kind":"Service","spec":{"type":"NodePort"}}}
    /// ```
    pub static RULE = Rule {
        id: "AUD028",
        name: "nodeport-service-created",
        domain: Domain::Aud,
        severity: Severity::Low,
        scope: Scope::Audit,
        summary: "A NodePort service was created",
        remediation: "Use a ClusterIP service behind an ingress or a LoadBalancer with restricted source ranges.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["Create NodePort Service"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "services"
        || !ev.subresource().is_empty()
        || !ev.is_create()
        || !ev.succeeded()
    {
        return;
    }
    let Some(svc) = ev.request::<serde_json::Value>() else {
        return;
    };
    if svc
        .pointer("/spec/type")
        .and_then(serde_json::Value::as_str)
        != Some("NodePort")
    {
        return;
    }
    cx.fire(
        format!("{}/{}", ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} created NodePort service {}/{}",
            ev.username(),
            ev.namespace(),
            ev.name()
        ),
    );
}
