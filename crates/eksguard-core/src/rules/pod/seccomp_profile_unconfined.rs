use super::report_pss_reason;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads that explicitly turn seccomp off: `seccompProfile.type: Unconfined` at pod or
    /// container level (init and ephemeral containers included), or the legacy
    /// `seccomp.security.alpha.kubernetes.io/pod` / `container.seccomp.security.alpha.kubernetes.io/*`
    /// annotations set to `unconfined`. This is the Pod Security Standards baseline check
    /// `seccompProfile_baseline`, evaluated by the same code as `eksguard pss`.
    ///
    /// ## Why is this bad?
    /// Seccomp filters the system calls a container may make; `Unconfined` re-opens the whole kernel
    /// surface (`unshare`, `keyctl`, `bpf`, `ptrace`, ...) that most container escapes go through. Unlike a
    /// missing profile (POD010, restricted level), an explicit `Unconfined` is forbidden already at the
    /// baseline level.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   seccompProfile: {type: Unconfined}
    /// ```
    /// Instead, use `type: RuntimeDefault`.
    ///
    /// ## History
    /// Until this rule had its own name, POD015 was `pod-security-baseline-violation` and reported
    /// every baseline check no other rule covered. Each of those checks is now its own rule (POD016 to
    /// POD021) so that peer ids map one to one; POD015 kept the seccomp part.
    ///
    /// ## Differences from peers
    /// kubesec `SeccompUnconfined` reads only the legacy pod annotation; eksguard also reads the
    /// `seccompProfile` fields at pod and container level, as Pod Security Admission does.
    pub static RULE = Rule {
        id: "POD015",
        name: "seccomp-profile-unconfined",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Pod or container sets the seccomp profile to Unconfined",
        remediation: "Remove the Unconfined seccomp profile; use RuntimeDefault, or a Localhost profile that allows the extra system calls the process needs.",
        references: References {
            seed: &["002 POD Security"],
            kubesec: &["SeccompUnconfined"],
            urls: &["https://kubernetes.io/docs/tutorials/security/seccomp/", "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_reason(cx, "seccompProfile_baseline");
}
