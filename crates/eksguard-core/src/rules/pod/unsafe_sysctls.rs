use super::report_pss_reason;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags pods whose `securityContext.sysctls` name a sysctl outside the Pod Security Standards safe
    /// set (`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_syncookies`,
    /// `net.ipv4.ping_group_range`, `net.ipv4.ip_unprivileged_port_start`, and those later policy
    /// versions add, such as `net.ipv4.ip_local_reserved_ports` at v1.27). This is the baseline check
    /// `sysctls`, evaluated at the newest policy version.
    ///
    /// ## Why is this bad?
    /// Sysctls outside the safe set are either node-wide (one pod changes the kernel for every
    /// neighbour) or not isolated enough (kernel memory and IPC limits a pod can raise to exhaust the
    /// node): a denial of service, or a weakening, that crosses tenant boundaries.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   sysctls: [{name: kernel.msgmax, value: "65536"}]
    /// ```
    ///
    /// ## Differences from peers
    /// KubeLinter `unsafe-sysctls` flags every sysctl starting with `kernel.msg`, `kernel.sem`,
    /// `kernel.shm`, `fs.mqueue.` or `net.`: it also flags the namespaced `net.*` sysctls that Pod
    /// Security Standards allow (e.g. `net.ipv4.tcp_keepalive_time`). eksguard follows the standard.
    pub static RULE = Rule {
        id: "POD019",
        name: "unsafe-sysctls",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Pod sets a sysctl outside the safe set",
        remediation: "Remove the sysctl, or set it on the node (launch template user data) if every pod on the node may share it.",
        references: References {
            seed: &["002 POD Security"],
            kubelinter: &["unsafe-sysctls"],
            urls: &["https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/", "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_reason(cx, "sysctls");
}
