use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags Secrets created or deleted outside kube-system by identities whose names do not start
    /// with `system:` (people and IAM-mapped users; service accounts and components excepted, like
    /// Falco's `non_system_user`).
    ///
    /// ## Why is this bad?
    /// Out-of-band secret changes are how credentials are planted or destroyed; the activity trail
    /// helps investigations.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/secrets","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"secrets","namespace":"shop","name":"api-key","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD026",
        name: "secret-created-or-deleted",
        domain: Domain::Aud,
        severity: Severity::Info,
        scope: Scope::Audit,
        summary: "A user created or deleted a secret",
        remediation: "Manage secrets through a reviewed pipeline (External Secrets, sealed secrets) and confirm manual changes.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["K8s Secret Created", "K8s Secret Deleted"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "secrets"
        || !ev.subresource().is_empty()
        || !matches!(ev.verb(), "create" | "delete")
    {
        return;
    }
    if !ev.succeeded() || ev.namespace() == "kube-system" || ev.username().starts_with("system:") {
        return;
    }
    cx.fire(
        format!("{}|{}/{}", ev.verb(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} {} secret {}/{}",
            ev.username(),
            past(ev.verb()),
            ev.namespace(),
            ev.name()
        ),
    );
}
