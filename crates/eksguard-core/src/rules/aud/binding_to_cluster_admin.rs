use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::detect::event::binding;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags successful creates and updates of ClusterRoleBindings and RoleBindings whose role is
    /// `cluster-admin`.
    ///
    /// ## Why is this bad?
    /// cluster-admin can do anything, including reading every secret and granting itself more. New
    /// grants of it are rare and always worth a look: attackers bind it to keep access.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/apis/x/v1/clusterrolebindings","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"clusterrolebindings","name":"mallory-admin","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"b"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"User","name":"mallory"}]}}
    /// ```
    pub static RULE = Rule {
        id: "AUD004",
        name: "binding-to-cluster-admin",
        domain: Domain::Aud,
        severity: Severity::High,
        scope: Scope::Audit,
        summary: "A binding to the cluster-admin ClusterRole was created or changed",
        remediation: "Confirm the grant with its author; replace it with a narrower role, or delete it.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["Attach to cluster-admin Role"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
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
    if b.role_ref.name != "cluster-admin" {
        return;
    }
    let subjects: Vec<String> = b.subjects.iter().map(ToString::to_string).collect();
    cx.fire(
        format!("{}/{}", ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} {} a binding of cluster-admin to {}",
            ev.username(),
            past(ev.verb()),
            if subjects.is_empty() {
                "no subjects".to_string()
            } else {
                subjects.join(", ")
            }
        ),
    );
}
