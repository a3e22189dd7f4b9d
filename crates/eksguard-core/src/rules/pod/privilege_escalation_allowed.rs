use super::report_pss_check;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that do not set `allowPrivilegeEscalation: false` (Linux pods).
    ///
    /// ## Why is this bad?
    /// Unless it is explicitly false, a process can gain more privileges than its parent
    /// through setuid binaries or file capabilities (`no_new_privs` is not set). Pod Security
    /// Standards require `false` at the restricted level.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext: {runAsNonRoot: true}
    /// ```
    /// Instead:
    /// ```yaml
    /// securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false}
    /// ```
    pub static RULE = Rule {
        id: "POD005",
        name: "privilege-escalation-allowed",
        domain: Domain::Pod,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Container allows privilege escalation",
        remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
        references: References {
            seed: &["002 POD Security"],
            cis_eks: &["4.2.5"],
            checkov: &["CKV_K8S_20"],
            kubescape: &["C-0016", "C-0197"],
            hardeneks: &["disallow_privilege_escalation"],
            polaris: &["privilegeEscalationAllowed"],
            kubelinter: &["privilege-escalation-container"],
            kubesec: &["AllowPrivilegeEscalation"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://aws.github.io/aws-eks-best-practices/security/docs/pods/#do-not-allow-privileged-escalation", "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_check(cx, "allowPrivilegeEscalation");
}
