use crate::declare_rule;
use crate::inventory::Input;
use crate::rbac::Rbac;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings and ClusterRoleBindings, Kubernetes' and EKS's own excepted
    /// (`system:basic-user`, `system:discovery`, `system:public-info-viewer`, ...), whose subjects
    /// include the group `system:authenticated`, `system:serviceaccounts` or
    /// `system:serviceaccounts:NAMESPACE`, so that every identity of the cluster, every service
    /// account, or every service account of a namespace holds the role. Anonymous access is
    /// RBAC001.
    ///
    /// ## Why is this bad?
    /// On EKS `system:authenticated` holds every IAM principal that aws-auth or an access entry
    /// maps, and every service account of every pod: one compromised pod or one over-broad IAM
    /// mapping gets the role. `system:serviceaccounts` is every pod's token. The seeds ask for
    /// least-privileged RoleBindings.
    ///
    /// ## Example
    /// ```yaml
    /// subjects:
    /// - kind: Group
    ///   name: system:authenticated
    /// roleRef: {kind: ClusterRole, name: view}
    /// ```
    /// Instead, bind the role to a group that aws-auth or an access entry maps the right IAM roles
    /// to, or to the service accounts that need it.
    pub static RULE = Rule {
        id: "RBAC018",
        name: "binding-to-all-authenticated",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Role bound to every authenticated identity or every service account",
        remediation: "Bind the role to the groups or service accounts that need it instead of system:authenticated or system:serviceaccounts.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#hardening", "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects"],
            ..References::NONE
        },
        needs: &[Input::RoleBindings],
        check: run,
    };
}

fn audience(group: &str) -> Option<String> {
    match group {
        "system:authenticated" => Some(
            "every authenticated identity (each IAM principal mapped into the cluster and every service account)".into(),
        ),
        "system:serviceaccounts" => Some("every service account of every namespace".into()),
        "system:serviceaccounts:kube-system" => None,
        g => g
            .strip_prefix("system:serviceaccounts:")
            .map(|ns| format!("every service account of namespace {ns}")),
    }
}

fn run(cx: &mut Context<'_>) {
    let rbac = Rbac::new(cx.inv);
    for b in &rbac.bindings {
        if b.platform || (b.resolved && b.rules.is_empty()) {
            continue;
        }
        for (i, s) in b.subjects.iter().enumerate() {
            if s.kind != "Group" {
                continue;
            }
            let Some(who) = audience(&s.name) else {
                continue;
            };
            let msg = format!(
                "{} grants {} to Group {}: {who}",
                b.obj_ref(),
                b.role_obj_ref(),
                s.name
            );
            cx.report(b.target, msg).at(format!("subjects[{i}]"));
        }
    }
}
