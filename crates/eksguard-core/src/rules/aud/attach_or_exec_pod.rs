use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags every exec and attach into a pod (each request is counted once, whether its
    /// ResponseStarted, its ResponseComplete stage or both are logged).
    ///
    /// ## Why is this bad?
    /// Interactive access to running containers bypasses the deployment pipeline and is how attackers
    /// move from a stolen credential to code execution.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/pods/exec","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"pods","namespace":"shop","name":"web-1","subresource":"exec","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":101}}
    /// ```
    pub static RULE = Rule {
        id: "AUD007",
        name: "attach-or-exec-pod",
        domain: Domain::Aud,
        severity: Severity::Low,
        scope: Scope::Audit,
        summary: "A user attached to or executed a command in a pod",
        remediation: "Confirm the session was expected; restrict pods/exec and pods/attach to break-glass roles.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["Attach/Exec Pod"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if !matches!(ev.subresource(), "exec" | "attach") || !(ev.code() == 0 || ev.succeeded()) {
        return;
    }
    cx.fire(
        format!(
            "{}|{}/{}|{}",
            ev.username(),
            ev.namespace(),
            ev.name(),
            ev.subresource()
        ),
        object_of(ev),
        format!(
            "{} used {} on pod {}/{}",
            ev.username(),
            ev.subresource(),
            ev.namespace(),
            ev.name()
        ),
    );
}
