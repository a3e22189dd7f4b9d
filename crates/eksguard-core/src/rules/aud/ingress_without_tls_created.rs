use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags Ingresses created without a `spec.tls` section.
    ///
    /// ## Why is this bad?
    /// Traffic to such an ingress travels unencrypted from the client to the load balancer.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/apis/x/v1/namespaces/shop/ingresses","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"ingresses","namespace":"shop","name":"web","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"kind":"Ingress","spec":{"rules":[{"host":"shop.example.com"}]}}}
    /// ```
    pub static RULE = Rule {
        id: "AUD029",
        name: "ingress-without-tls-created",
        domain: Domain::Aud,
        severity: Severity::Low,
        scope: Scope::Audit,
        summary: "An Ingress without TLS was created",
        remediation: "Add a tls section with a certificate (cert-manager or ACM through the AWS Load Balancer Controller).",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["Ingress Object without TLS Certificate Created"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "ingresses"
        || !ev.subresource().is_empty()
        || !ev.is_create()
        || !ev.succeeded()
    {
        return;
    }
    let Some(ing) = ev.request::<serde_json::Value>() else {
        return;
    };
    if ing.pointer("/spec/tls").is_some_and(|t| !t.is_null()) {
        return;
    }
    cx.fire(
        format!("{}/{}", ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} created ingress {}/{} without TLS",
            ev.username(),
            ev.namespace(),
            ev.name()
        ),
    );
}
