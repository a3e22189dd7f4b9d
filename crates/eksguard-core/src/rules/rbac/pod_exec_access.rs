use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may exec into or attach to pods (`create` or `get` on
    /// `pods/exec` or `pods/attach`), on the binding that grants it, naming subject, role and
    /// policy rule (default and aggregated roles resolved; a binding to `edit` or `admin`
    /// grants both). A role that no binding of the input uses is reported on itself.
    /// Kubernetes' and EKS's own grants and roles that grant everything (RBAC002, RBAC003)
    /// are not reported.
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
    ///
    /// ## Differences from peers
    /// Polaris' binding checks (`clusterrolebindingPodExecAttach`, ...) look for roles whose
    /// rules grant exec by role name in the same manifest set; kubescape C-0002 covers exec
    /// only. Checkov CKV2_K8S_2 is broader (also `create` on pods and nodes) and only for
    /// service accounts; creating pods is RBAC010 here.
    pub static RULE = Rule {
        id: "RBAC005",
        name: "pod-exec-access",
        domain: Domain::Rbac,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "Subject can exec into or attach to pods",
        remediation: "Remove pods/exec and pods/attach from the role; grant them only to a break-glass group.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types", "001 Authentication"],
            checkov: &["CKV2_K8S_2"],
            kubescape: &["C-0002"],
            guardduty: &["Execution:Kubernetes/ExecInKubeSystemPod"],
            polaris: &["clusterrolePodExecAttach", "rolePodExecAttach", "clusterrolebindingPodExecAttach", "rolebindingClusterRolePodExecAttach", "rolebindingRolePodExecAttach"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#privilege-escalation-risks", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(&["create", "get"], &["pods/exec", "pods/attach"]);
    report_permission(cx, &p, Opts::default(), phrase);
}
