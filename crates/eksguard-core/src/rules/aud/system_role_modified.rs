use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags changes to and deletions of Roles and ClusterRoles named `system:*` (except
    /// `system:coredns` and `system:managed-certificate-controller`), by identities other than
    /// Kubernetes components and EKS.
    ///
    /// ## Why is this bad?
    /// The system roles define what nodes, controllers and every authenticated user may do; widening
    /// one quietly grants access cluster-wide.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/apis/x/v1/clusterroles/system:discovery","verb":"patch","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"clusterroles","name":"system:discovery","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},"rules":[{"verbs":["*"],"resources":["*"]}]}}
    /// ```
    pub static RULE = Rule {
        id: "AUD015",
        name: "system-role-modified",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A system: ClusterRole or Role was modified or deleted",
        remediation: "Restore the role (the API server reconciles bootstrap roles with auto-update enabled) and find out who changed it.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["System ClusterRole Modified/Deleted"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if !matches!(ev.resource(), "roles" | "clusterroles")
        || !ev.subresource().is_empty()
        || ev.is_system_component()
    {
        return;
    }
    if !matches!(ev.verb(), "update" | "patch" | "delete" | "create") || !ev.succeeded() {
        return;
    }
    let name = ev.name();
    if !name.starts_with("system:")
        || matches!(
            name,
            "system:coredns" | "system:managed-certificate-controller"
        )
    {
        return;
    }
    cx.fire(
        format!("{}/{}", ev.namespace(), name),
        object_of(ev),
        format!("{} {} system role {name}", ev.username(), past(ev.verb())),
    );
}
