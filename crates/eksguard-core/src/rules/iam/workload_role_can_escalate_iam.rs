use super::{glob_match, managed_policy_names, permission_documents, workload_roles};
use crate::declare_rule;
use crate::inventory::iam::statements;
use crate::inventory::{Input, ResourceRef, arn_name};
use crate::rule::{Context, Domain, References, Scope, Severity};

/// Actions that let a principal give itself (or a role it can use) more permissions.
const ESCALATION: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreatePolicyVersion",
    "iam:CreateRole",
    "iam:PassRole",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:UpdateAssumeRolePolicy",
    "sts:AssumeRole",
];

/// AWS-managed policies that grant IAM write access.
const IAM_ADMIN_POLICIES: &[&str] = &["IAMFullAccess"];

declare_rule! {
    /// ## What it does
    /// Flags workload IAM roles (IRSA annotations, Pod Identity associations, add-on
    /// `serviceAccountRoleArn`) whose policies allow IAM privilege escalation on any resource
    /// (`Resource: "*"`): `iam:*`, `iam:PassRole`, `iam:CreatePolicyVersion`,
    /// `iam:AttachRolePolicy`, `iam:PutRolePolicy`, `iam:UpdateAssumeRolePolicy`,
    /// `iam:CreateAccessKey`, `iam:CreateRole`, user-policy writes, `sts:AssumeRole`, or
    /// `IAMFullAccess` attached. Full administrator access (`*` on `*`) is IAM007.
    ///
    /// Inline policies and customer-managed policies whose document is in the
    /// `get-account-authorization-details` output are read; AWS-managed ones by name.
    ///
    /// ## Why is this bad?
    /// Any of these lets a compromised pod turn its role into an administrator: attach
    /// `AdministratorAccess` to itself, rewrite a policy version, pass a powerful role to a new
    /// Lambda or EC2 instance, mint access keys for a user, or assume any role that trusts the
    /// account. It is administrator access in two API calls.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}
    /// ```
    /// Instead, list the role ARNs the workload may pass or assume in `Resource`.
    ///
    /// ## Differences from peers
    /// Prowler `iam_policy_allows_privilege_escalation` and
    /// `iam_inline_policy_allows_privilege_escalation` inspect every customer-managed or inline
    /// policy of the account (with a longer list of action combinations), and
    /// `iam_no_custom_policy_permissive_role_assumption` every policy allowing `sts:AssumeRole`
    /// on `*`; this rule reports only roles the cluster's workloads use.
    pub static RULE = Rule {
        id: "IAM016",
        name: "workload-role-can-escalate-iam",
        domain: Domain::Iam,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Workload IAM role can escalate its own privileges through IAM or STS",
        remediation: "Remove the IAM write and role-passing actions, or restrict their Resource to the exact role ARNs the workload needs.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA", "000 Best Practices with IAM Roles for EKS"],
            prowler: &["iam_policy_allows_privilege_escalation", "iam_inline_policy_allows_privilege_escalation", "iam_no_custom_policy_permissive_role_assumption"],
            urls: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html", "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html"],
            ..References::NONE
        },
        needs: &[Input::WorkloadRoles, Input::Iam],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let mut seen = std::collections::BTreeSet::new();
    for w in workload_roles(cx.inv) {
        let Some(role) = cx.inv.iam_role(w.role_arn) else {
            continue;
        };
        if !seen.insert((role.arn.clone(), w.who.clone())) {
            continue;
        }
        let mut why: Vec<String> = managed_policy_names(role)
            .filter(|n| IAM_ADMIN_POLICIES.contains(n))
            .map(|n| format!("{n} attached"))
            .collect();
        for (label, doc) in permission_documents(cx.inv, role) {
            let mut found: Vec<&str> = Vec::new();
            for st in statements(&doc) {
                if !st.allow || st.not_action || st.is_full_admin() || !st.resources.contains(&"*")
                {
                    continue;
                }
                for a in st.actions.iter().filter(|a| **a != "*") {
                    let pattern = a.to_ascii_lowercase();
                    let hit = ESCALATION
                        .iter()
                        .any(|esc| glob_match(&pattern, &esc.to_ascii_lowercase()));
                    if hit && !found.contains(a) {
                        found.push(a);
                    }
                }
            }
            if !found.is_empty() {
                why.push(format!("{label} allows {} on *", found.join(", ")));
            }
        }
        if why.is_empty() {
            continue;
        }
        cx.report(
            w.target,
            format!(
                "{} uses IAM role {} ({}), which can escalate its privileges: {}",
                w.who,
                role.role_name,
                w.via.describe(),
                why.join("; ")
            ),
        )
        .at(w.field.clone())
        .on(ResourceRef::aws(
            "IAMRole",
            arn_name(&role.arn),
            Some(&role.arn),
        ));
    }
}
