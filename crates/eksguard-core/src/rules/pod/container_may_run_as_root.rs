use super::is_windows;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that run as root (`runAsUser: 0`) or may do so: neither
    /// `runAsNonRoot: true` nor a non-zero `runAsUser`, at container or pod level (the
    /// container's setting wins, as in the kubelet). Windows pods are not checked.
    ///
    /// ## Why is this bad?
    /// Root in a container is root on the node's kernel: one kernel or runtime bug away from
    /// the node, and root owns every file a hostPath or volume exposes. Images default to root
    /// unless told otherwise. The seeds: run the application as a non-root user.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: web
    ///   image: nginx:1.27
    /// ```
    /// Instead:
    /// ```yaml
    /// securityContext: {runAsNonRoot: true, runAsUser: 10001}
    /// ```
    pub static RULE = Rule {
        id: "POD004",
        name: "container-may-run-as-root",
        domain: Domain::Pod,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Container may run as root",
        remediation: "Set securityContext.runAsNonRoot: true and a non-zero runAsUser (pod or container level), and build the image with a non-root USER.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            checkov: &["CKV_K8S_23"],
            kubescape: &["C-0013"],
            hardeneks: &["disable_run_as_root_user"],
            polaris: &["runAsRootAllowed"],
            kube_score: &["container-security-context-user-group-id"],
            kubelinter: &["run-as-non-root"],
            kubesec: &["RunAsNonRoot", "RunAsUser"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#run-the-application-as-a-non-root-user", "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in cx.inv.workloads.iter().filter(|w| !is_windows(w)) {
        for c in w.containers() {
            let user = w.effective_run_as_user(&c);
            let non_root = w.effective_run_as_non_root(&c);
            if user == Some(0) {
                let at = if c.security_context.and_then(|s| s.run_as_user).is_some() {
                    c.field("securityContext.runAsUser")
                } else {
                    w.field("securityContext.runAsUser")
                };
                cx.report(
                    w,
                    format!("{} of {} runs as root (runAsUser: 0)", c.describe(), w.res),
                )
                .at(at);
            } else if user.is_none() && non_root != Some(true) {
                cx.report(
                    w,
                    format!(
                        "{} of {} may run as root: no runAsNonRoot: true and no non-zero runAsUser",
                        c.describe(),
                        w.res
                    ),
                )
                .at(c.field("securityContext"));
            }
        }
    }
}
