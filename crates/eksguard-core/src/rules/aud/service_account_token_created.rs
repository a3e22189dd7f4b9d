use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags successful token requests (the serviceaccounts/token subresource, `kubectl create token`)
    /// by identities other than nodes, Kubernetes components and EKS.
    ///
    /// ## Why is this bad?
    /// A minted token carries the service account's permissions, leaves no file behind and can be used
    /// from anywhere: a way to pivot to a more powerful identity or keep access.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/kube-system/serviceaccounts/token","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"serviceaccounts","namespace":"kube-system","name":"cluster-autoscaler","subresource":"token","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201}}
    /// ```
    pub static RULE = Rule {
        id: "AUD033",
        name: "service-account-token-created",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A user minted a service account token",
        remediation: "Confirm the token was needed; restrict create on serviceaccounts/token.",
        references: References {
            seed: &["002 Detective Controls"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "serviceaccounts"
        || ev.subresource() != "token"
        || !ev.is_create()
        || !ev.succeeded()
        || ev.is_system_component()
    {
        return;
    }
    cx.fire(
        format!("{}|{}/{}", ev.username(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} minted a token for service account {}/{}",
            ev.username(),
            ev.namespace(),
            ev.name()
        ),
    );
}
