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
    /// Flags Roles and ClusterRoles created or changed with `*` in their verbs or resources.
    ///
    /// ## Why is this bad?
    /// Wildcards grant everything, including permissions added to the API later; they are how least
    /// privilege silently erodes.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/apis/x/v1/clusterroles","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"clusterroles","name":"god","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},"rules":[{"verbs":["*"],"resources":["pods"]}]}}
    /// ```
    pub static RULE = Rule {
        id: "AUD017",
        name: "role-with-wildcard-created",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A Role or ClusterRole with wildcard verbs or resources was created",
        remediation: "List the verbs and resources the role needs instead of `*`.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["ClusterRole With Wildcard Created"],
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
    if !r
        .rules
        .iter()
        .any(|rule| rule.verbs.iter().any(|v| v == "*") || rule.resources.iter().any(|r| r == "*"))
    {
        return;
    }
    cx.fire(
        format!("{}/{}/{}", ev.resource(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} {} {} with a wildcard rule",
            ev.username(),
            past(ev.verb()),
            kind_name(ev)
        ),
    );
}
