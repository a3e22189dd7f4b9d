use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may port-forward to pods (`create` or `get` on `pods/portforward`),
    /// on the binding that grants it, naming subject, role and policy rule (Kubernetes' default and
    /// aggregated roles resolved). A role that no binding of the input uses is reported on itself.
    /// Kubernetes' and EKS's own grants, grants limited by `resourceNames`, and roles that grant
    /// everything (RBAC002, RBAC003) are not reported.
    ///
    /// ## Why is this bad?
    /// `kubectl port-forward` opens a tunnel from the client straight to any port of any pod it may reach, past Services, Ingresses, NetworkPolicies and security groups: an admin port, a database or a debug endpoint becomes reachable from a laptop.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["pods/portforward"]
    ///   verbs: ["create"]
    /// ```
    /// Instead, expose what must be reached through a Service behind authentication, and keep port-
    /// forward for a break-glass group.
    pub static RULE = Rule {
        id: "RBAC009",
        name: "pod-portforward-access",
        domain: Domain::Rbac,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "Subject can port-forward to pods",
        remediation: "Remove pods/portforward from the role; grant it only to a break-glass group.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            kubescape: &["C-0063"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(&["create", "get"], &["pods/portforward"]);
    report_permission(cx, &p, Opts::default(), phrase);
}
