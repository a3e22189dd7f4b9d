use super::util::kind_name;
use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// The activity trail: successful creates and deletes of Deployments, Services, ConfigMaps,
    /// Namespaces and ServiceAccounts by identities other than Kubernetes components and EKS.
    /// Namespaces created outside `kube-system`, `kube-public` and `default` are named as such.
    ///
    /// ## Why is this bad?
    /// Knowing who created or removed what, and when, is the backbone of an investigation, and
    /// unexpected namespaces are a common hiding place.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"namespaces","name":"crypto","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD027",
        name: "cluster-object-created-or-deleted",
        domain: Domain::Aud,
        severity: Severity::Info,
        scope: Scope::Audit,
        summary: "A Deployment, Service, ConfigMap, Namespace or ServiceAccount was created or deleted",
        remediation: "Nothing to fix by itself; use it to trace changes, and suppress it with --ignore AUD027 when another system keeps this trail.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["K8s Deployment Created", "K8s Deployment Deleted", "K8s Service Created", "K8s Service Deleted", "K8s ConfigMap Created", "K8s ConfigMap Deleted", "K8s Namespace Created", "K8s Namespace Deleted", "K8s Serviceaccount Created", "K8s Serviceaccount Deleted", "Create Disallowed Namespace"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if !matches!(
        ev.resource(),
        "deployments" | "services" | "configmaps" | "namespaces" | "serviceaccounts"
    ) {
        return;
    }
    if !ev.subresource().is_empty()
        || !matches!(ev.verb(), "create" | "delete")
        || !ev.succeeded()
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
