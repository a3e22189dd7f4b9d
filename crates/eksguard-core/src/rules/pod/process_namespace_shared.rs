use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags pods with `shareProcessNamespace: true`.
    ///
    /// ## Why is this bad?
    /// Every container of the pod then sees every other container's processes, and through
    /// `/proc/<pid>/root` and `/proc/<pid>/environ` their file systems and environment variables: the
    /// IRSA web identity token, secrets read into environment variables, the files of a credential
    /// sidecar. A compromised sidecar (a log shipper, a proxy) becomes a compromise of the whole pod.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   shareProcessNamespace: true
    /// ```
    /// Instead, keep one process namespace per container; debug with an ephemeral container that
    /// targets one container (`kubectl debug --target`).
    pub static RULE = Rule {
        id: "POD029",
        name: "process-namespace-shared",
        domain: Domain::Pod,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Pod shares one process namespace between its containers",
        remediation: "Remove shareProcessNamespace, or keep sidecars that need it free of secrets and credentials.",
        references: References {
            seed: &["002 POD Security"],
            urls: &["https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        if w.spec.share_process_namespace == Some(true) {
            cx.report(
                w,
                format!(
                    "{}: shareProcessNamespace lets each container read the others' processes, files and environment",
                    w.res
                ),
            )
            .at(w.field("shareProcessNamespace"));
        }
    }
}
