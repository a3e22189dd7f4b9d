use super::report_pss_check;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags pods that share the node's network, process or IPC namespace (`hostNetwork`,
    /// `hostPID`, `hostIPC`).
    ///
    /// ## Why is this bad?
    /// `hostPID` shows and lets the pod signal or ptrace every process of the node, `hostIPC`
    /// shares its shared memory, and `hostNetwork` puts the pod on the node's interfaces: it
    /// can sniff traffic, reach services bound to localhost, and reach the instance metadata
    /// service even when the hop limit is 1. Pod Security Standards forbid all three at the
    /// baseline level.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostPID: true
    ///   hostNetwork: true
    /// ```
    /// Instead, remove them; expose ports through a Service.
    pub static RULE = Rule {
        id: "POD002",
        name: "host-namespaces",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Pod shares the node's network, PID or IPC namespace",
        remediation: "Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false).",
        references: References {
            seed: &["002 POD Security", "003 Kubernetes pod security"],
            cis_eks: &["4.2.2", "4.2.3", "4.2.4"],
            checkov: &["CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"],
            kubescape: &["C-0038", "C-0041", "C-0194", "C-0195", "C-0196"],
            polaris: &["hostIPCSet", "hostPIDSet", "hostNetworkSet"],
            kubelinter: &["host-ipc", "host-pid", "host-network"],
            kubesec: &["HostIPC", "HostPID", "HostNetwork"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-standards/", "https://aws.github.io/aws-eks-best-practices/security/docs/pods/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_check(cx, "hostNamespaces");
}
