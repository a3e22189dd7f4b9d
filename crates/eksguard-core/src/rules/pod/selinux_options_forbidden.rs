use super::report_pss_reason;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads whose `seLinuxOptions` (pod or container level) set a `user` or `role`, or a
    /// `type` other than `container_t`, `container_init_t`, `container_kvm_t` (and, from policy
    /// version v1.31, `container_engine_t`).
    /// This is the Pod Security Standards baseline check `seLinuxOptions`.
    ///
    /// ## Why is this bad?
    /// On SELinux-enforcing nodes (Bottlerocket enforces SELinux), the type decides what the process may
    /// touch on the host. A custom type such as `spc_t` (super-privileged container) or `unconfined_t`
    /// lifts the confinement, much like `privileged: true` does.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seLinuxOptions: {type: spc_t}
    /// ```
    /// Instead, leave `seLinuxOptions` unset or use only the level (`level: "s0:c123,c456"`).
    pub static RULE = Rule {
        id: "POD017",
        name: "selinux-options-forbidden",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Container sets a forbidden SELinux type, user or role",
        remediation: "Remove seLinuxOptions.user and .role, and use only the container_t, container_init_t, container_kvm_t or container_engine_t types.",
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
    report_pss_reason(cx, "seLinuxOptions");
}
