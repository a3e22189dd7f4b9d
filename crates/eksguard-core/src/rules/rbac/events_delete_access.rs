use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may delete Kubernetes events (`delete` or `deletecollection` on
    /// `events`, in the core and `events.k8s.io` groups), on the binding that grants it, naming
    /// subject, role and policy rule (Kubernetes' default and aggregated roles resolved). A role
    /// that no binding of the input uses is reported on itself. Kubernetes' and EKS's own grants,
    /// grants limited by `resourceNames`, and roles that grant everything (RBAC002, RBAC003) are
    /// not reported.
    ///
    /// ## Why is this bad?
    /// Events record what happened to pods and nodes (scheduling, image pulls, failures). Deleting
    /// them hides an attacker's activity from whoever looks at the cluster instead of the audit
    /// log. The default `edit` and `admin` roles grant it in their namespace.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["events"]
    ///   verbs: ["delete", "deletecollection"]
    /// ```
    /// Instead, grant `create` and `patch` to controllers that emit events, and nothing that
    /// deletes them.
    pub static RULE = Rule {
        id: "RBAC016",
        name: "events-delete-access",
        domain: Domain::Rbac,
        severity: Severity::Low,
        scope: Scope::Cluster,
        summary: "Subject can delete Kubernetes events",
        remediation: "Remove delete and deletecollection on events; events expire by themselves.",
        references: References {
            seed: &["001 Logging & Monitoring", "002 Least Privilege Model"],
            kubescape: &["C-0031"],
            urls: &["https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(
        &["delete", "deletecollection"],
        &["events", "events.events.k8s.io"],
    );
    report_permission(cx, &p, Opts::default(), phrase);
}
