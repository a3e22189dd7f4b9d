use crate::declare_rule;
use crate::inventory::Input;
use crate::pss::{Version, evaluate_check};
use crate::rule::{Context, Domain, References, Scope, Severity};

/// Baseline checks that no other POD rule reports.
const CHECKS: &[&str] = &[
    "appArmorProfile",
    "hostProbesAndHostLifecycle",
    "procMount",
    "seLinuxOptions",
    "seccompProfile_baseline",
    "sysctls",
    "windowsHostProcess",
];

declare_rule! {
    /// ## What it does
    /// Flags workloads that break one of the other Pod Security Standards baseline checks:
    /// AppArmor disabled (`Unconfined`), custom SELinux types, users or roles, unmasked
    /// `/proc`, unsafe sysctls, Windows host processes, probes or lifecycle hooks aimed at
    /// other hosts, and seccomp `Unconfined` in old annotation form. Each is reported with
    /// the upstream check id and wording.
    ///
    /// ## Why is this bad?
    /// Each of these lifts a protection that keeps a container from the node or its neighbours:
    /// a node-wide sysctl, an unconfined MAC profile, an unmasked `/proc`, or a probe that makes
    /// the kubelet connect to an arbitrary host (a server-side request forgery). The baseline
    /// level exists to forbid exactly these, and the seeds ask for it to be enforced.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   sysctls: [{name: kernel.msgmax, value: "65536"}]
    /// ```
    /// Instead, use only the namespaced sysctls the baseline level allows.
    pub static RULE = Rule {
        id: "POD015",
        name: "pod-security-baseline-violation",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Pod breaks a Pod Security Standards baseline check",
        remediation: "Remove the setting named in the finding so the pod passes the baseline level.",
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
    for w in &cx.inv.workloads {
        for check in CHECKS {
            if let Some(v) = evaluate_check(check, &w.template, &w.spec, Version::Latest) {
                let field = v
                    .fields
                    .first()
                    .map_or_else(|| w.spec_path.to_string(), |f| w.pod_field(f));
                cx.report(w, format!("{}: {check}: {}", w.res, v.message()))
                    .at(field);
            }
        }
    }
}
