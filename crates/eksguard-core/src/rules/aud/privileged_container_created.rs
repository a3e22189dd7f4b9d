use super::util::is_controller;
use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::detect::event::pod_spec;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags creates and updates of Pods and workloads (Deployments, DaemonSets, StatefulSets,
    /// ReplicaSets, Jobs, CronJobs) with a privileged container, by anyone but the Kubernetes
    /// controllers.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and the host's devices: escaping to the node is one
    /// command. GuardDuty retired this type from audit-log monitoring; eksguard keeps it.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/pods","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"pods","namespace":"shop","name":"miner","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":[{"name":"app","image":"nginx:1.27","securityContext":{"privileged":true}}]}}}
    /// ```
    pub static RULE = Rule {
        id: "AUD010",
        name: "privileged-container-created",
        domain: Domain::Aud,
        severity: Severity::High,
        scope: Scope::Audit,
        summary: "A pod or workload with a privileged container was created",
        remediation: "Remove privileged: true; grant only the capabilities the container needs, and enforce the baseline Pod Security Standard.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            guardduty: &["PrivilegeEscalation:Kubernetes/PrivilegedContainer"],
            falco: &["Create Privileged Pod"],
            urls: &["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if !ev.is_modify() || !ev.succeeded() || is_controller(ev) {
        return;
    }
    let Some(spec) = pod_spec(ev) else { return };
    let names: Vec<&str> = spec
        .all_containers()
        .filter(|c| c.privileged())
        .map(|c| c.name.as_str())
        .collect();
    if names.is_empty() {
        return;
    }
    cx.fire(
        format!("{}/{}/{}", ev.resource(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} {} {} {}/{} with privileged container {}",
            ev.username(),
            past(ev.verb()),
            ev.resource(),
            ev.namespace(),
            ev.name(),
            names.join(", ")
        ),
    );
}
