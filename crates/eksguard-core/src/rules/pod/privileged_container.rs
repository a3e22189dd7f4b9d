use super::report_pss_check;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers (init and ephemeral included) with `securityContext.privileged: true`.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and every device of the node, and no
    /// seccomp or AppArmor confinement: escaping to the node is trivial, and from the node to
    /// the node's IAM role and every pod on it. Pod Security Standards forbid it at the
    /// baseline level; GuardDuty names it `PrivilegeEscalation:Kubernetes/PrivilegedContainer`.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: agent
    ///   securityContext: {privileged: true}
    /// ```
    /// Instead, drop `privileged` and add only the capabilities the process needs.
    pub static RULE = Rule {
        id: "POD001",
        name: "privileged-container",
        domain: Domain::Pod,
        severity: Severity::Critical,
        scope: Scope::Object,
        summary: "Container runs privileged",
        remediation: "Remove securityContext.privileged (or set it to false) and grant only the specific capabilities the container needs.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types", "002 POD Security", "003 Kubernetes pod security"],
            cis_eks: &["4.2.1"],
            checkov: &["CKV_K8S_16"],
            kubescape: &["C-0057", "C-0193"],
            guardduty: &["PrivilegeEscalation:Kubernetes/PrivilegedContainer"],
            polaris: &["runAsPrivileged"],
            kube_score: &["container-security-context-privileged"],
            kubelinter: &["privileged-container"],
            kubesec: &["Privileged"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline", "https://kubernetes.io/docs/concepts/security/pod-security-standards/", "https://aws.github.io/aws-eks-best-practices/security/docs/pods/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_check(cx, "privileged");
}
