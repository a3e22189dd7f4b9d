use super::util::is_controller;
use super::util::past;
use super::util::sensitive_path;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::detect::event::pod_spec;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags creates and updates of Pods and workloads with a hostPath volume on a sensitive host path
    /// (`/`, `/proc`, `/etc`, `/root`, the container runtime sockets, `/var/lib/kubelet`,
    /// `/etc/kubernetes`, ...), by anyone but the Kubernetes controllers.
    ///
    /// ## Why is this bad?
    /// Write access to these paths is write access to the node: its credentials, its kubelet, its
    /// container runtime. GuardDuty retired this type from audit-log monitoring; eksguard keeps it.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/pods","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"pods","namespace":"shop","name":"builder","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"containers":[{"name":"app","image":"nginx:1.27"}],"volumes":[{"name":"h","hostPath":{"path":"/var/run/docker.sock"}}]}}}
    /// ```
    pub static RULE = Rule {
        id: "AUD011",
        name: "sensitive-mount-container-created",
        domain: Domain::Aud,
        severity: Severity::High,
        scope: Scope::Audit,
        summary: "A pod or workload mounting a sensitive host path was created",
        remediation: "Remove the hostPath volume; use a CSI driver or a ConfigMap/Secret volume instead.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            guardduty: &["Persistence:Kubernetes/ContainerWithSensitiveMount"],
            falco: &["Create Sensitive Mount Pod"],
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
    let paths: Vec<&str> = spec
        .volumes
        .iter()
        .filter_map(|v| v.host_path.as_ref())
        .map(|h| h.path.as_str())
        .filter(|p| sensitive_path(p))
        .collect();
    if paths.is_empty() {
        return;
    }
    cx.fire(
        format!("{}/{}/{}", ev.resource(), ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} {} {} {}/{} mounting host path {}",
            ev.username(),
            past(ev.verb()),
            ev.resource(),
            ev.namespace(),
            ev.name(),
            paths.join(", ")
        ),
    );
}
