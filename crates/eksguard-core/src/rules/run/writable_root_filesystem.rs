use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers without `securityContext.readOnlyRootFilesystem: true`.
    ///
    /// ## Why is this bad?
    /// A writable root filesystem lets an intruder drop tools, modify binaries and persist in
    /// the container; an immutable one turns most post-exploitation steps into errors and makes
    /// drift detectable. Applications write to mounted `emptyDir` volumes instead.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext: {runAsNonRoot: true}
    /// ```
    /// Instead:
    /// ```yaml
    /// securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true}
    /// volumeMounts: [{name: tmp, mountPath: /tmp}]
    /// ```
    pub static RULE = Rule {
        id: "RUN002",
        name: "writable-root-filesystem",
        domain: Domain::Run,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Container root filesystem is writable",
        remediation: "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the application writes.",
        references: References {
            seed: &["002 Runtime Security"],
            checkov: &["CKV_K8S_22"],
            kubescape: &["C-0017"],
            hardeneks: &["check_read_only_root_file_system"],
            polaris: &["notReadOnlyRootFilesystem"],
            kube_score: &["container-security-context-readonlyrootfilesystem"],
            kubelinter: &["no-read-only-root-fs"],
            kubesec: &["ReadOnlyRootFilesystem"],
            urls: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/", "https://aws.github.io/aws-eks-best-practices/security/docs/pods/#configure-your-images-with-read-only-root-file-system"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        for c in w.containers() {
            if c.security_context.and_then(|s| s.read_only_root_filesystem) != Some(true) {
                cx.report(
                    w,
                    format!(
                        "{} of {} has a writable root filesystem",
                        c.describe(),
                        w.res
                    ),
                )
                .at(c.field("securityContext.readOnlyRootFilesystem"));
            }
        }
    }
}
