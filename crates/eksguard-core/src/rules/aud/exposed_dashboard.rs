use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags Services of type LoadBalancer created or changed for the Kubernetes dashboard
    /// (`kubernetes-dashboard`) or the Kubeflow central dashboard (`centraldashboard`, or any
    /// LoadBalancer in the `kubeflow` namespace).
    ///
    /// ## Why is this bad?
    /// Dashboards exposed to the internet are a classic way in: they run with a service account of
    /// their own and have been abused for cryptomining (Tesla, 2018).
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/kubernetes-dashboard/services","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"services","namespace":"kubernetes-dashboard","name":"kubernetes-dashboard","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"kind":"Service","spec":{"type":"LoadBalancer","selector":{"k8s-app":"kubernetes-dashboard"}}}}
    /// ```
    pub static RULE = Rule {
        id: "AUD005",
        name: "exposed-dashboard",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "The Kubernetes or Kubeflow dashboard was exposed through a LoadBalancer service",
        remediation: "Change the Service to ClusterIP and reach the dashboard through kubectl proxy or an authenticated ingress.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            guardduty: &["Policy:Kubernetes/ExposedDashboard", "Policy:Kubernetes/KubeflowDashboardExposed"],
            urls: &["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "services"
        || !ev.is_modify()
        || !ev.succeeded()
        || !ev.subresource().is_empty()
    {
        return;
    }
    let Some(svc) = ev.request::<serde_json::Value>() else {
        return;
    };
    if svc
        .pointer("/spec/type")
        .and_then(serde_json::Value::as_str)
        != Some("LoadBalancer")
    {
        return;
    }
    let text = format!(
        "{} {}",
        ev.name(),
        svc.pointer("/spec/selector")
            .map(ToString::to_string)
            .unwrap_or_default()
    );
    let which = if text.contains("kubernetes-dashboard") {
        "the Kubernetes dashboard"
    } else if text.contains("centraldashboard") || ev.namespace() == "kubeflow" {
        "the Kubeflow dashboard"
    } else {
        return;
    };
    cx.fire(
        format!("{}/{}", ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} exposed {which} through a LoadBalancer service",
            ev.username()
        ),
    );
}
