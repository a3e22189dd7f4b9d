use super::util::kind_name;
use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags every successful create, update, patch and delete of Roles and ClusterRoles by an
    /// identity other than Kubernetes components and EKS.
    ///
    /// ## Why is this bad?
    /// RBAC changes decide who can do what; each one should be traceable to an intended change.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/apis/x/v1/namespaces/shop/roles","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"roles","namespace":"shop","name":"reader","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r"},"rules":[{"verbs":["get"],"resources":["pods"]}]}}
    /// ```
    pub static RULE = Rule {
        id: "AUD016",
        name: "rbac-role-changed",
        domain: Domain::Aud,
        severity: Severity::Low,
        scope: Scope::Audit,
        summary: "A Role or ClusterRole was created, modified or deleted",
        remediation: "Manage RBAC through reviewed manifests (GitOps) and confirm out-of-band changes with their authors.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["K8s Role Created", "K8s Role Deleted", "K8s ClusterRole Created", "K8s ClusterRole Deleted"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if !matches!(ev.resource(), "roles" | "clusterroles")
        || !ev.changed_object()
        || ev.is_system_component()
    {
        return;
    }
    cx.fire(
        format!(
            "{}|{}|{}/{}",
            ev.verb(),
            ev.resource(),
            ev.namespace(),
            ev.name()
        ),
        object_of(ev),
        format!("{} {} {}", ev.username(), past(ev.verb()), kind_name(ev)),
    );
}
