use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may use the `nodes/proxy` subresource (`get` or `create`), on the
    /// binding that grants it, naming subject, role and policy rule (Kubernetes' default and
    /// aggregated roles resolved). A role that no binding of the input uses is reported on itself.
    /// Kubernetes' and EKS's own grants, grants limited by `resourceNames`, and roles that grant
    /// everything (RBAC002, RBAC003) are not reported.
    ///
    /// ## Why is this bad?
    /// `nodes/proxy` forwards requests to the kubelet API of any node: running commands in any
    /// pod of the node (a `get` is enough for the WebSocket upgrade), reading its logs and its
    /// configuration. Commands run this way never pass admission control, and the audit log
    /// shows them only as node proxy requests.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["nodes/proxy"]
    ///   verbs: ["get"]
    /// ```
    /// Instead, let monitoring read `nodes/metrics` and `nodes/stats`, or the metrics API.
    pub static RULE = Rule {
        id: "RBAC011",
        name: "node-proxy-access",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Subject can reach the kubelet API through nodes/proxy",
        remediation: "Remove nodes/proxy from the role; read node metrics through the metrics API instead.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            cis_eks: &["4.1.10"],
            kubescape: &["C-0279"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#nodes-proxy", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(&["get", "create"], &["nodes/proxy"]);
    report_permission(cx, &p, Opts::default(), phrase);
}
