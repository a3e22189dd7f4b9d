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
    /// Flags Roles and ClusterRoles created or changed that allow create, update, patch, delete or
    /// deletecollection.
    ///
    /// ## Why is this bad?
    /// Write access is what turns a leaked credential into a change to the cluster; new grants of it
    /// deserve a look.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/apis/x/v1/namespaces/shop/roles","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"roles","namespace":"shop","name":"deployer","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r"},"rules":[{"verbs":["create","patch"],"resources":["deployments"]}]}}
    /// ```
    pub static RULE = Rule {
        id: "AUD018",
        name: "role-with-write-privileges-created",
        domain: Domain::Aud,
        severity: Severity::Low,
        scope: Scope::Audit,
        summary: "A Role or ClusterRole with write verbs was created",
        remediation: "Confirm the role needs write access; prefer read-only roles for people and narrow write roles for automation.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["ClusterRole With Write Privileges Created"],
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
        rule.verbs.iter().any(|v| {
            matches!(
                v.as_str(),
                "create" | "update" | "patch" | "delete" | "deletecollection"
            )
        })
    }) {
        return;
    }
    cx.fire(
        format!("{}/{}/{}", ev.resource(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} {} {} that can write",
            ev.username(),
            past(ev.verb()),
            kind_name(ev)
        ),
    );
}
