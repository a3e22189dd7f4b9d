use super::report_pss_reason;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags pods with a volume type outside the Pod Security Standards restricted set (`configMap`,
    /// `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`, `projected`,
    /// `secret`): for example in-tree `awsElasticBlockStore`, `nfs`, `iscsi`, `gitRepo` or
    /// `hostPath`. This is the restricted check `restrictedVolumes`.
    ///
    /// ## Why is this bad?
    /// Volume types other than those are mounted by the node with the node's credentials and kernel
    /// drivers (`nfs`, `iscsi`, `rbd`), execute code on the node (`gitRepo` runs `git` as root on the
    /// node), or bypass storage access control by naming a volume directly instead of claiming it. A
    /// restricted namespace would reject the pod.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    /// - name: repo
    ///   gitRepo: {repository: "https://example.com/app.git"}
    /// ```
    /// Instead, use a PersistentVolumeClaim, or an init container that clones into an `emptyDir`.
    pub static RULE = Rule {
        id: "POD022",
        name: "restricted-volume-type",
        domain: Domain::Pod,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Pod uses a volume type outside the restricted set",
        remediation: "Use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret or image volumes.",
        references: References {
            seed: &["002 POD Security"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_reason(cx, "restrictedVolumes");
}
