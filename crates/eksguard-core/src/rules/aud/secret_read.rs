use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags successful gets of Secrets by identities other than Kubernetes components (nodes,
    /// controllers) and EKS; repeated reads of one secret by one identity aggregate.
    ///
    /// ## Why is this bad?
    /// Secrets hold credentials; reads by people, and by workloads that have no business reading them,
    /// are how credentials leak.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/secrets/db-credentials","verb":"get","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"secrets","namespace":"shop","name":"db-credentials","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD023",
        name: "secret-read",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A secret was read",
        remediation: "Confirm the reader needs the secret; narrow RBAC get on secrets to named resources (resourceNames).",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["K8s Secret Get Successfully"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "secrets"
        || ev.verb() != "get"
        || !ev.succeeded()
        || ev.is_system_component()
    {
        return;
    }
    cx.fire(
        format!("{}|{}/{}", ev.username(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} read secret {}/{}",
            ev.username(),
            ev.namespace(),
            ev.name()
        ),
    );
}
