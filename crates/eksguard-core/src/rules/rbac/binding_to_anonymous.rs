use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{bindings, describe_subject};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings and ClusterRoleBindings that grant a role to `system:anonymous` or
    /// `system:unauthenticated`, except the Kubernetes default `system:public-info-viewer`
    /// (version and health endpoints).
    ///
    /// ## Why is this bad?
    /// Anyone who can reach the API endpoint gets the role, with no credentials at all.
    /// GuardDuty reports such bindings as `Policy:Kubernetes/AnonymousAccessGranted`, and the
    /// seed talk lists anonymous access among the Kubernetes findings to act on.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {kind: ClusterRole, name: view}
    /// subjects: [{kind: Group, name: system:unauthenticated}]
    /// ```
    /// Instead, bind the role to authenticated identities only.
    pub static RULE = Rule {
        id: "RBAC001",
        name: "binding-to-anonymous",
        domain: Domain::Rbac,
        severity: Severity::Critical,
        scope: Scope::Object,
        summary: "Role bound to anonymous or unauthenticated users",
        remediation: "Remove system:anonymous and system:unauthenticated from the binding's subjects; bind the role to authenticated groups or service accounts.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            kubescape: &["C-0262"],
            hardeneks: &["disable_anonymous_access_for_cluster_roles", "disable_anonymous_access_for_roles"],
            guardduty: &["Policy:Kubernetes/AnonymousAccessGranted"],
            kubesec: &["BindingsToSystemAnonymous"],
            urls: &["https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#review-and-revoke-unnecessary-anonymous-access", "https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-requests"],
            ..References::NONE
        },
        needs: &[Input::RoleBindings],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for b in bindings(cx.inv) {
        let name = b.meta.name.as_deref().unwrap_or_default();
        // The default binding serves /version, /healthz, /readyz and /livez to everyone.
        if name == "system:public-info-viewer" && b.role_ref.name == "system:public-info-viewer" {
            continue;
        }
        for (i, s) in b.subjects.iter().enumerate() {
            let anonymous = (s.kind == "User" && s.name == "system:anonymous")
                || (s.kind == "Group" && s.name == "system:unauthenticated");
            if anonymous {
                cx.report(
                    b.target,
                    format!(
                        "{} grants {} {} to {}",
                        b.target.res(),
                        b.role_ref.kind,
                        b.role_ref.name,
                        describe_subject(s, b.meta.namespace.as_deref())
                    ),
                )
                .at(format!("subjects[{i}]"));
            }
        }
    }
}
