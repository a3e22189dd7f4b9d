use super::util::kind_name;
use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::detect::event::binding;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags every successful create, update, patch and delete of RoleBindings and ClusterRoleBindings
    /// by an identity other than Kubernetes components and EKS.
    ///
    /// ## Why is this bad?
    /// Bindings hand roles to identities: each new one is a grant of access that should trace back to
    /// an intended change.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/apis/x/v1/namespaces/shop/rolebindings","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"rolebindings","namespace":"shop","name":"alice-edit","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"alice"}]}}
    /// ```
    pub static RULE = Rule {
        id: "AUD020",
        name: "rbac-binding-changed",
        domain: Domain::Aud,
        severity: Severity::Low,
        scope: Scope::Audit,
        summary: "A RoleBinding or ClusterRoleBinding was created, modified or deleted",
        remediation: "Manage bindings through reviewed manifests and confirm out-of-band changes with their authors.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["K8s RoleBinding Created", "K8s RoleBinding Deleted", "K8s ClusterRoleBinding Created", "K8s ClusterRoleBinding Deleted"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if !matches!(ev.resource(), "rolebindings" | "clusterrolebindings")
        || !ev.changed_object()
        || ev.is_system_component()
    {
        return;
    }
    let role = binding(ev)
        .map(|b| format!(" to {} {}", b.role_ref.kind, b.role_ref.name))
        .unwrap_or_default();
    cx.fire(
        format!(
            "{}|{}|{}/{}",
            ev.verb(),
            ev.resource(),
            ev.namespace(),
            ev.name()
        ),
        object_of(ev),
        format!(
            "{} {} {}{role}",
            ev.username(),
            past(ev.verb()),
            kind_name(ev)
        ),
    );
}
