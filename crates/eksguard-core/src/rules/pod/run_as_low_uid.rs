use super::is_windows;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers (init and ephemeral included) whose effective `runAsUser` (the container's
    /// setting, else the pod's) is between 1 and 9999. Root (`0`) and an unset user are POD004's concern
    /// and are not reported again here. Windows pods are not checked.
    ///
    /// ## Why is this bad?
    /// Low UIDs are the node's own accounts (`ec2-user` is 1000 on Amazon Linux, system daemons sit
    /// below 1000). A process that escapes its container, or writes through a hostPath or a shared
    /// volume, does so as that host account and owns its files. A UID of 10000 or more that no host
    /// account uses leaves an escaped process with nothing of its own on the node.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext: {runAsUser: 1000}
    /// ```
    /// Instead, use `runAsUser: 10001`.
    ///
    /// ## Differences from peers
    /// CKV_K8S_40 and kube-score also fail when `runAsUser` is unset; eksguard leaves that case to
    /// POD004 (may run as root) so one problem makes one finding. kube-score's check also covers the
    /// group id (see POD024). kubesec `RunAsUser` is a positive-score advice (`runAsUser > 10000`) read
    /// on containers only.
    pub static RULE = Rule {
        id: "POD023",
        name: "run-as-low-uid",
        domain: Domain::Pod,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Container runs with a UID below 10000",
        remediation: "Run the container with a UID of 10000 or more (securityContext.runAsUser), owned by no account on the node.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            checkov: &["CKV_K8S_40"],
            kube_score: &["container-security-context-user-group-id"],
            kubesec: &["RunAsUser"],
            urls: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in cx.inv.workloads.iter().filter(|w| !is_windows(w)) {
        for c in w.containers() {
            let Some(uid) = w.effective_run_as_user(&c) else {
                continue;
            };
            if !(1..10_000).contains(&uid) {
                continue;
            }
            let at = if c.security_context.and_then(|s| s.run_as_user).is_some() {
                c.field("securityContext.runAsUser")
            } else {
                w.field("securityContext.runAsUser")
            };
            cx.report(
                w,
                format!(
                    "{} of {} runs as UID {uid}, below 10000 (a UID the node may use)",
                    c.describe(),
                    w.res
                ),
            )
            .at(at);
        }
    }
}
