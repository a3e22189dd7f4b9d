//! Pod security: the fields of pod specs that decide what a compromised container can do to
//! its node and cluster.

pub mod capabilities_not_dropped;
pub mod container_may_run_as_root;
pub mod dangerous_capabilities;
pub mod default_service_account_used;
pub mod host_namespaces;
pub mod host_port;
pub mod hostpath_volume;
pub mod namespace_enforces_privileged;
pub mod namespace_without_pss_enforce;
pub mod pod_security_baseline_violation;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod seccomp_profile_missing;
pub mod service_account_token_automounted;
pub mod workload_violates_namespace_pss;

use crate::inventory::Workload;

/// Whether the pod declares itself a Windows pod (`spec.os.name: windows`): Linux-only
/// settings (runAsNonRoot, capabilities, seccomp, allowPrivilegeEscalation) do not apply.
pub fn is_windows(w: &Workload) -> bool {
    w.spec.os.as_ref().is_some_and(|o| o.name == "windows")
}

/// Report every workload that fails the Pod Security Admission check `check` at the newest
/// policy version: the POD rules that mirror a PSA check use the evaluator rather than reading
/// the same fields a second way, so they agree with the cluster's admission to the letter.
pub fn report_pss_check(cx: &mut crate::rule::Context<'_>, check: &str) {
    use crate::pss::{Version, evaluate_check};
    for w in &cx.inv.workloads {
        if let Some(v) = evaluate_check(check, &w.template, &w.spec, Version::Latest) {
            let field = v
                .fields
                .first()
                .map_or_else(|| w.spec_path.to_string(), |f| w.pod_field(f));
            cx.report(w, format!("{}: {}", w.res, v.detail)).at(field);
        }
    }
}
