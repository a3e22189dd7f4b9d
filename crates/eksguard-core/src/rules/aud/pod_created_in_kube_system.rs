use super::util::is_controller;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags pods created directly in `kube-system` or `kube-public` by an identity other than the
    /// Kubernetes controllers and EKS.
    ///
    /// ## Why is this bad?
    /// The system namespaces hold the cluster's most privileged service accounts; a pod planted there
    /// inherits them and hides among system components.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/kube-system/pods","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"pods","namespace":"kube-system","name":"kube-proxy-x","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}}
    /// ```
    pub static RULE = Rule {
        id: "AUD013",
        name: "pod-created-in-kube-system",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A user created a pod in kube-system or kube-public",
        remediation: "Delete the pod unless it is an expected add-on; deploy add-ons through their owners (DaemonSets, Deployments, EKS add-ons).",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["Pod Created in Kube Namespace"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "pods"
        || !ev.subresource().is_empty()
        || !ev.is_create()
        || !ev.succeeded()
        || is_controller(ev)
    {
        return;
    }
    if !matches!(ev.namespace(), "kube-system" | "kube-public") {
        return;
    }
    cx.fire(
        format!("{}|{}/{}", ev.username(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} created pod {} in {}",
            ev.username(),
            ev.name(),
            ev.namespace()
        ),
    );
}
