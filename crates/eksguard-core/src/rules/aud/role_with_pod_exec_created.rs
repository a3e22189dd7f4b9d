use super::util::kind_name;
use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::detect::event::role;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags Roles and ClusterRoles created or changed that grant `pods/exec`.
    ///
    /// ## Why is this bad?
    /// pods/exec is code execution in every container the role reaches, with their service accounts
    /// and secrets.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/apis/x/v1/clusterroles","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"clusterroles","name":"debugger","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},"rules":[{"verbs":["create"],"resources":["pods/exec"]}]}}
    /// ```
    pub static RULE = Rule {
        id: "AUD019",
        name: "role-with-pod-exec-created",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A Role or ClusterRole that can exec into pods was created",
        remediation: "Grant pods/exec only to break-glass roles, bound for a limited time.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["ClusterRole With Pod Exec Created"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if !ev.succeeded() || !matches!(ev.verb(), "create" | "update" | "patch") {
        return;
    }
    let Some(r) = role(ev) else { return };
    if !r.rules.iter().any(|rule| {
        rule.resources
            .iter()
            .any(|r| r == "pods/exec" || r == "pods/*")
    }) {
        return;
    }
    cx.fire(
        format!("{}/{}/{}", ev.resource(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} {} {} that can exec into pods",
            ev.username(),
            past(ev.verb()),
            kind_name(ev)
        ),
    );
}
