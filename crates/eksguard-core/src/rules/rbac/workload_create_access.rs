use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may create pods or objects that create pods (Deployments,
    /// DaemonSets, StatefulSets, ReplicaSets, Jobs, CronJobs, ReplicationControllers), on the
    /// binding that grants it, naming subject, role and policy rule (Kubernetes' default and
    /// aggregated roles resolved). A role that no binding of the input uses is reported on itself.
    /// Kubernetes' and EKS's own grants, grants limited by `resourceNames`, and roles that grant
    /// everything (RBAC002, RBAC003) are not reported.
    ///
    /// ## Why is this bad?
    /// Whoever creates a pod chooses its service account, volumes and host access: it can run as
    /// any service account of the namespace (and use its token and IAM role), mount any secret of
    /// the namespace, and, where Pod Security Admission does not forbid it, mount the node's
    /// filesystem. Creating a workload is privilege by proxy.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: ["apps"]
    ///   resources: ["deployments"]
    ///   verbs: ["create", "update"]
    /// ```
    /// Instead, let a pipeline deploy with a role scoped to its namespace, and enforce the
    /// restricted Pod Security Standard there.
    ///
    /// ## Differences from peers
    /// kube-bench 4.1.4 audits roles with `create` on `pods` only; KubeLinter `access-to-create-
    /// pods` also counts workload controllers, as this rule does (plus ReplicationControllers).
    pub static RULE = Rule {
        id: "RBAC010",
        name: "workload-create-access",
        domain: Domain::Rbac,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "Subject can create pods or workload controllers",
        remediation: "Limit create on pods and workload controllers to deployment pipelines and the namespaces they deploy, with Pod Security Admission enforcing there.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            cis_eks: &["4.1.4"],
            kubescape: &["C-0188"],
            kubelinter: &["access-to-create-pods"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#workload-creation", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(
        &["create"],
        &[
            "pods",
            "deployments.apps",
            "daemonsets.apps",
            "statefulsets.apps",
            "replicasets.apps",
            "jobs.batch",
            "cronjobs.batch",
            "replicationcontrollers",
        ],
    );
    report_permission(cx, &p, Opts::default(), phrase);
}
