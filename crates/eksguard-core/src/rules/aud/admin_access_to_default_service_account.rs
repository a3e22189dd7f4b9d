use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::detect::event::binding;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags bindings that give a namespace's `default` service account the `cluster-admin` or `admin`
    /// ClusterRole.
    ///
    /// ## Why is this bad?
    /// Every pod that names no service account runs as `default`: binding it to an admin role hands
    /// cluster or namespace admin to any workload there, and to anyone who can start a pod in that
    /// namespace.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/apis/x/v1/clusterrolebindings","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"clusterrolebindings","name":"default-admin","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"ServiceAccount","name":"default","namespace":"default"}]}}
    /// ```
    pub static RULE = Rule {
        id: "AUD003",
        name: "admin-access-to-default-service-account",
        domain: Domain::Aud,
        severity: Severity::High,
        scope: Scope::Audit,
        summary: "The default service account of a namespace was bound to an admin role",
        remediation: "Delete the binding; give workloads their own service accounts with only the permissions they need.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            guardduty: &["Policy:Kubernetes/AdminAccessToDefaultServiceAccount"],
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
    if !matches!(b.role_ref.name.as_str(), "cluster-admin" | "admin") {
        return;
    }
    for s in b
        .subjects
        .iter()
        .filter(|s| s.kind == "ServiceAccount" && s.name == "default")
    {
        cx.fire(
            format!("{}/{}|{s}", ev.namespace(), ev.name()),
            object_of(ev),
            format!(
                "{} {} a binding of {} {} to {s}",
                ev.username(),
                past(ev.verb()),
                b.role_ref.kind,
                b.role_ref.name
            ),
        );
    }
}
