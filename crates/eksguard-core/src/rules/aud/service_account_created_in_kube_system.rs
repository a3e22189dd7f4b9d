use super::util::KNOWN_SYSTEM_SERVICE_ACCOUNTS;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags service accounts created in `kube-system` or `kube-public`, except the controller
    /// accounts Kubernetes creates itself.
    ///
    /// ## Why is this bad?
    /// A new service account in a system namespace is a quiet place to keep a token and a binding for
    /// later.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/kube-system/serviceaccounts","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"serviceaccounts","namespace":"kube-system","name":"backup-agent","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD014",
        name: "service-account-created-in-kube-system",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A service account was created in kube-system or kube-public",
        remediation: "Confirm the service account belongs to an expected add-on; delete it otherwise.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["Service Account Created in Kube Namespace"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "serviceaccounts"
        || !ev.subresource().is_empty()
        || !ev.is_create()
        || !ev.succeeded()
    {
        return;
    }
    if !matches!(ev.namespace(), "kube-system" | "kube-public")
        || KNOWN_SYSTEM_SERVICE_ACCOUNTS.contains(&ev.name())
    {
        return;
    }
    cx.fire(
        format!("{}/{}", ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} created service account {} in {}",
            ev.username(),
            ev.name(),
            ev.namespace()
        ),
    );
}
