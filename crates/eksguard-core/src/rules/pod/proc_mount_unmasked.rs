use super::report_pss_reason;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers with `securityContext.procMount` other than `Default` (that is, `Unmasked`). This
    /// is the Pod Security Standards baseline check `procMount`. From policy version v1.35 a pod that
    /// runs in a user namespace (`hostUsers: false`) may use `Unmasked`, as upstream allows.
    ///
    /// ## Why is this bad?
    /// The runtime masks and makes read-only parts of `/proc` (`/proc/kcore`, `/proc/sysrq-trigger`,
    /// `/proc/sys`, ...) that expose or change the host kernel. `Unmasked` hands them to the container.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext: {procMount: Unmasked}
    /// ```
    /// Instead, remove the field.
    ///
    /// ## Differences from peers
    /// Polaris `procMount` is listed in Polaris' default configuration; its check file was not in the
    /// index read for this mapping, so the equivalence is by name and description.
    pub static RULE = Rule {
        id: "POD018",
        name: "proc-mount-unmasked",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Container mounts /proc unmasked",
        remediation: "Remove securityContext.procMount or set it to Default.",
        references: References {
            seed: &["002 POD Security"],
            polaris: &["procMount"],
            kubelinter: &["unsafe-proc-mount"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_reason(cx, "procMount");
}
