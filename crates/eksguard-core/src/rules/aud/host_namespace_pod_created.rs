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
    /// Flags creates and updates of Pods and workloads with hostNetwork, hostPID or hostIPC, by anyone
    /// but the Kubernetes controllers.
    ///
    /// ## Why is this bad?
    /// Host namespaces let a container see the node's processes and traffic, reach the instance
    /// metadata service and bypass network policies.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/pods","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"pods","namespace":"shop","name":"sniffer","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":[{"name":"app","image":"nginx:1.27"}],"hostNetwork":true}}}
    /// ```
    pub static RULE = Rule {
        id: "AUD012",
        name: "host-namespace-pod-created",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A pod or workload sharing the host network, PID or IPC namespace was created",
        remediation: "Remove hostNetwork, hostPID and hostIPC unless the workload is a node agent that needs them.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["Create HostNetwork Pod", "Create HostPid Pod", "Create HostIPC Pod"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
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
    let mut shared = Vec::new();
    for (on, name) in [
        (spec.host_network, "network"),
        (spec.host_pid, "PID"),
        (spec.host_ipc, "IPC"),
    ] {
        if on {
            shared.push(name);
        }
    }
    if shared.is_empty() {
        return;
    }
    cx.fire(
        format!("{}/{}/{}", ev.resource(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} {} {} {}/{} sharing the host {} namespace",
            ev.username(),
            past(ev.verb()),
            ev.resource(),
            ev.namespace(),
            ev.name(),
            shared.join(", ")
        ),
    );
}
