use super::report_pss_reason;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers whose liveness, readiness or startup probes, or `postStart` / `preStop` hooks,
    /// set a non-empty `httpGet.host` or `tcpSocket.host`. This is the Pod
    /// Security Standards baseline check `hostProbesAndHostLifecycle` (policy version v1.34 and later).
    ///
    /// ## Why is this bad?
    /// The kubelet makes those requests from the node, with the node's network identity. A host field
    /// turns a pod spec into a server-side request forgery: the pod's author can make the node connect to
    /// the instance metadata service (`169.254.169.254`), the node's own ports or other VPC addresses, and
    /// read the answer back through the probe's success or failure.
    ///
    /// ## Example
    /// ```yaml
    /// livenessProbe:
    ///   tcpSocket: {host: 169.254.169.254, port: 80}
    /// ```
    /// Instead, leave `host` unset.
    pub static RULE = Rule {
        id: "POD021",
        name: "probe-or-lifecycle-host",
        domain: Domain::Pod,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Probe or lifecycle hook targets another host",
        remediation: "Remove the host field from httpGet/tcpSocket probes and lifecycle hooks so the kubelet targets the pod itself.",
        references: References {
            seed: &["002 POD Security"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_reason(cx, "hostProbesAndHostLifecycle");
}
