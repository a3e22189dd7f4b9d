use super::report_pss_check;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that add Linux capabilities outside the Pod Security Standards
    /// baseline set (for example `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `NET_RAW` or `ALL`).
    ///
    /// ## Why is this bad?
    /// `SYS_ADMIN` is nearly root on the node (mount, bpf, namespaces), `NET_ADMIN` rewrites
    /// the node's network and can reach the instance metadata service past its blocks,
    /// `SYS_PTRACE` reads other processes' memory. Each is a known container-escape path.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities: {add: ["NET_ADMIN", "SYS_ADMIN"]}
    /// ```
    /// Instead, drop `ALL` and add back only `NET_BIND_SERVICE` or what the process needs.
    pub static RULE = Rule {
        id: "POD006",
        name: "dangerous-capabilities",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Container adds dangerous Linux capabilities",
        remediation: "Remove the added capabilities outside the baseline set; drop ALL and add back only what the process needs.",
        references: References {
            seed: &["002 POD Security", "003 Kubernetes pod security"],
            checkov: &["CKV_K8S_25", "CKV_K8S_39"],
            kubescape: &["C-0046"],
            hardeneks: &["disallow_linux_capabilities"],
            polaris: &["dangerousCapabilities"],
            kubesec: &["CapSysAdmin"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://aws.github.io/aws-eks-best-practices/security/docs/runtime/#consider-adddropping-linux-capabilities-before-writing-seccomp-policies"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_check(cx, "capabilities_baseline");
}
