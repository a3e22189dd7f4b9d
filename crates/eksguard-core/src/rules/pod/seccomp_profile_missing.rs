use super::report_pss_check;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Linux containers that run without a seccomp profile (`RuntimeDefault` or
    /// `Localhost`), set on the container or inherited from the pod, or with `Unconfined`.
    ///
    /// ## Why is this bad?
    /// Without seccomp every system call of the kernel is reachable from the container,
    /// including the rarely used ones where kernel escapes are found. `RuntimeDefault` blocks
    /// them at no cost for almost every application. Pod Security Standards require it at the
    /// restricted level and forbid `Unconfined` at baseline.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers: [{name: api, image: api:3}]
    /// ```
    /// Instead:
    /// ```yaml
    /// spec:
    ///   securityContext: {seccompProfile: {type: RuntimeDefault}}
    /// ```
    pub static RULE = Rule {
        id: "POD010",
        name: "seccomp-profile-missing",
        domain: Domain::Pod,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Container runs without a seccomp profile",
        remediation: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile).",
        references: References {
            seed: &["002 POD Security"],
            checkov: &["CKV_K8S_31"],
            kubescape: &["C-0055"],
            polaris: &["linuxHardening"],
            kube_score: &["container-seccomp-profile"],
            kubesec: &["SeccompAny"],
            urls: &["https://kubernetes.io/docs/tutorials/security/seccomp/", "https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_check(cx, "seccompProfile_restricted");
}
