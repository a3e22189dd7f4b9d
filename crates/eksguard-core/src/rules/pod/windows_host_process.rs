use super::report_pss_reason;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags pods or containers with `securityContext.windowsOptions.hostProcess: true`. This is the
    /// Pod Security Standards baseline check `windowsHostProcess`.
    ///
    /// ## Why is this bad?
    /// A Windows HostProcess container runs directly on the node, outside any container isolation, with
    /// the node's network and file system: the Windows equivalent of a privileged container.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\SYSTEM"}
    /// ```
    ///
    /// ## Differences from peers
    /// Polaris `hostProcess` is listed in Polaris' default configuration; its check file was not in the
    /// index read for this mapping, so the equivalence is by name.
    pub static RULE = Rule {
        id: "POD020",
        name: "windows-host-process",
        domain: Domain::Pod,
        severity: Severity::Critical,
        scope: Scope::Object,
        summary: "Windows pod runs as a host process",
        remediation: "Remove windowsOptions.hostProcess, or restrict host-process pods to a dedicated, privileged namespace.",
        references: References {
            seed: &["002 POD Security"],
            polaris: &["hostProcess"],
            urls: &["https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/", "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_reason(cx, "windowsHostProcess");
}
