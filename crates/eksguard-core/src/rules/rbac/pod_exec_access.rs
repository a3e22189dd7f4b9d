use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{grants, is_platform_rbac, roles};

declare_rule! {
    /// ## What it does
    /// Flags Roles and ClusterRoles that may exec into or attach to pods (`create` or `get` on
    /// `pods/exec` or `pods/attach`), Kubernetes and EKS defaults excepted.
    ///
    /// ## Why is this bad?
    /// Exec gives a shell with the pod's service-account token, its mounted secrets, its IAM
    /// role and its network position. GuardDuty reports exec into kube-system pods as
    /// `Execution:Kubernetes/ExecInKubeSystemPod`. Interactive access should be rare, audited
    /// and granted just in time.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["pods/exec"]
    ///   verbs: ["create"]
    /// ```
    /// Instead, grant exec to a break-glass group only, and use logs and ephemeral debug
    /// containers under review.
    pub static RULE = Rule {
        id: "RBAC005",
        name: "pod-exec-access",
        domain: Domain::Rbac,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Role can exec into or attach to pods",
        remediation: "Remove pods/exec and pods/attach from the role; grant them only to a break-glass group.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types", "001 Authentication"],
            checkov: &["CKV2_K8S_2"],
            kubescape: &["C-0002"],
            guardduty: &["Execution:Kubernetes/ExecInKubeSystemPod"],
            polaris: &["clusterrolePodExecAttach", "rolePodExecAttach"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Roles],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for r in roles(cx.inv) {
        if is_platform_rbac(r.meta) {
            continue;
        }
        for (i, rule) in r.rules.iter().enumerate() {
            let subs: Vec<&str> = ["pods/exec", "pods/attach"]
                .into_iter()
                .filter(|sub| grants(rule, "create", "", sub) || grants(rule, "get", "", sub))
                .collect();
            if !subs.is_empty() {
                cx.report(
                    r.target,
                    format!("{} can use {}", r.describe(), subs.join(" and ")),
                )
                .at(format!("rules[{i}]"));
            }
        }
    }
}
