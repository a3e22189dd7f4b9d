use super::report_pss_reason;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads that disable AppArmor: `appArmorProfile.type: Unconfined` at pod or container
    /// level, or the legacy `container.apparmor.security.beta.kubernetes.io/<container>: unconfined`
    /// annotation. This is the Pod Security Standards baseline check `appArmorProfile`.
    ///
    /// ## Why is this bad?
    /// On nodes with AppArmor (Bottlerocket, Ubuntu EKS AMIs) the runtime's default profile denies
    /// writes to `/proc` and `/sys` and mounting file systems: the steps most container escapes take.
    /// `Unconfined` removes that layer for the container.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   appArmorProfile: {type: Unconfined}
    /// ```
    /// Instead, leave the profile unset (the runtime default applies) or use `RuntimeDefault`.
    ///
    /// ## Differences from peers
    /// Polaris `linuxHardening` and kubescape C-0055 pass a container that has *any* hardening
    /// (seccomp, AppArmor, SELinux or dropped capabilities) and do not flag an explicit `Unconfined`;
    /// eksguard flags the explicit opt-out only. kubesec `ApparmorUnconfined` is a rule function of
    /// kubesec's `pkg/rules` that the rule sets read for this mapping do not register yet.
    pub static RULE = Rule {
        id: "POD016",
        name: "apparmor-unconfined",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Container runs without AppArmor confinement",
        remediation: "Remove the Unconfined AppArmor profile (field or annotation) so the runtime default profile applies, or use a Localhost profile.",
        references: References {
            seed: &["002 POD Security", "003 Kubernetes pod security"],
            kubesec: &["ApparmorUnconfined"],
            urls: &["https://kubernetes.io/docs/tutorials/security/apparmor/", "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_reason(cx, "appArmorProfile");
}
