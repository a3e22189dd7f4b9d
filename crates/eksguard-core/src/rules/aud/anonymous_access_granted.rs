use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::detect::event::binding;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings and ClusterRoleBindings created or changed so that their subjects include
    /// the user `system:anonymous` or the group `system:unauthenticated`.
    ///
    /// ## Why is this bad?
    /// Such a binding gives every unauthenticated caller on the network the bound permissions: the EKS
    /// best practices name it as a top misconfiguration and attackers add it for persistence.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/apis/x/v1/clusterrolebindings","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"clusterrolebindings","name":"open","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"system:anonymous"}]}}
    /// ```
    pub static RULE = Rule {
        id: "AUD002",
        name: "anonymous-access-granted",
        domain: Domain::Aud,
        severity: Severity::Critical,
        scope: Scope::Audit,
        summary: "A role was bound to system:anonymous or system:unauthenticated",
        remediation: "Delete the binding (kubectl delete clusterrolebinding NAME), and find out who created it and why.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            guardduty: &["Policy:Kubernetes/AnonymousAccessGranted"],
            urls: &["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if !ev.succeeded() {
        return;
    }
    let Some(b) = binding(ev) else { return };
    let anon: Vec<String> = b
        .subjects
        .iter()
        .filter(|s| s.name == "system:anonymous" || s.name == "system:unauthenticated")
        .map(ToString::to_string)
        .collect();
    if anon.is_empty() {
        return;
    }
    cx.fire(
        format!("{}/{}", ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} {} a binding of {} {} to {}",
            ev.username(),
            past(ev.verb()),
            b.role_ref.kind,
            b.role_ref.name,
            anon.join(", ")
        ),
    );
}
