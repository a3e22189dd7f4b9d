use super::is_windows;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads that explicitly put their processes or volumes in the root group: `runAsGroup: 0`
    /// (container, or pod without a container override), `fsGroup: 0`, or `0` in
    /// `supplementalGroups`. Windows pods are not checked.
    ///
    /// ## Why is this bad?
    /// Group 0 owns much of a node's and an image's file system with group-write permissions (`/etc`
    /// files on many distributions, sockets such as `/run/containerd/containerd.sock` on some). A process
    /// in group 0 that reaches those files through a hostPath, a shared volume or an escape can read or
    /// change them even as a non-root user. `fsGroup: 0` also makes every mounted volume root-group
    /// writable.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext: {runAsUser: 10001, runAsGroup: 0}
    /// ```
    /// Instead, use `runAsGroup: 10001` and `fsGroup: 10001`.
    ///
    /// ## Differences from peers
    /// kube-score (`container-security-context-user-group-id`) and kubesec (`RunAsGroup`) require a GID
    /// of 10000 or more and also fail when `runAsGroup` is unset. eksguard reports only an explicit GID 0:
    /// an unset group takes the image's group, which the manifest alone cannot tell.
    pub static RULE = Rule {
        id: "POD024",
        name: "root-group",
        domain: Domain::Pod,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Pod runs with GID 0 (root group)",
        remediation: "Set runAsGroup and fsGroup to a non-zero GID of 10000 or more, and remove 0 from supplementalGroups.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            kube_score: &["container-security-context-user-group-id"],
            kubesec: &["RunAsGroup"],
            urls: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in cx.inv.workloads.iter().filter(|w| !is_windows(w)) {
        let psc = w.spec.security_context.as_ref();
        if psc.and_then(|s| s.fs_group) == Some(0) {
            cx.report(
                w,
                format!("{}: fsGroup 0 makes every volume root-group owned", w.res),
            )
            .at(w.field("securityContext.fsGroup"));
        }
        if let Some(i) = psc
            .and_then(|s| s.supplemental_groups.as_ref())
            .and_then(|g| g.iter().position(|g| *g == 0))
        {
            cx.report(w, format!("{}: supplementalGroups includes GID 0", w.res))
                .at(w.field(&format!("securityContext.supplementalGroups[{i}]")));
        }
        for c in w.containers() {
            let own = c.security_context.and_then(|s| s.run_as_group);
            let gid = own.or_else(|| psc.and_then(|s| s.run_as_group));
            if gid != Some(0) {
                continue;
            }
            let at = if own.is_some() {
                c.field("securityContext.runAsGroup")
            } else {
                w.field("securityContext.runAsGroup")
            };
            cx.report(
                w,
                format!(
                    "{} of {} runs with GID 0 (runAsGroup: 0)",
                    c.describe(),
                    w.res
                ),
            )
            .at(at);
        }
    }
}
