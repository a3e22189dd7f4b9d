use crate::declare_rule;
use crate::inventory::iam::{document, statements};
use crate::inventory::{Input, ResourceRef, arn_name};
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{annotation, annotation_path};

declare_rule! {
    /// ## What it does
    /// Flags service accounts whose IAM role (`eks.amazonaws.com/role-arn`) has administrator
    /// access: `AdministratorAccess` attached, or a statement allowing `*` on `*`.
    ///
    /// ## Why is this bad?
    /// A compromised pod running as that service account owns the AWS account. The seeds ask
    /// for least-privileged roles per application.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ServiceAccount
    /// metadata:
    ///   name: reporting
    ///   annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/admin"}
    /// ```
    /// Instead, give the service account a role whose policy lists the actions and resources
    /// the application uses.
    pub static RULE = Rule {
        id: "IAM007",
        name: "workload-role-with-admin-policy",
        domain: Domain::Iam,
        severity: Severity::Critical,
        scope: Scope::Aws,
        summary: "Service account's IAM role has administrator access",
        remediation: "Replace the role's administrator policy with a policy scoped to the actions and resources the workload uses.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA", "000 Best Practices with IAM Roles for EKS"],
            checkov: &["CKV_AWS_1"],
            urls: &["https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html", "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/"],
            ..References::NONE
        },
        needs: &[Input::ServiceAccounts, Input::Iam],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    const KEY: &str = "eks.amazonaws.com/role-arn";
    for sa in &cx.inv.service_accounts {
        let Some(arn) = annotation(&sa.metadata, KEY) else {
            continue;
        };
        let Some(role) = cx.inv.iam_role(arn) else {
            continue;
        };
        let mut why = Vec::new();
        for p in &role.attached_managed_policies {
            if p.policy_name == "AdministratorAccess" {
                why.push("AdministratorAccess attached".to_string());
            } else if let Some(doc) = cx
                .inv
                .iam_policy(&p.policy_arn)
                .and_then(|p| p.default_document())
            {
                if statements(&document(doc))
                    .iter()
                    .any(crate::inventory::iam::Statement::is_full_admin)
                {
                    why.push(format!("policy {} allows * on *", p.policy_name));
                }
            }
        }
        for p in &role.role_policy_list {
            if statements(&document(&p.policy_document))
                .iter()
                .any(crate::inventory::iam::Statement::is_full_admin)
            {
                why.push(format!("inline policy {} allows * on *", p.policy_name));
            }
        }
        if !why.is_empty() {
            let res = ResourceRef::aws("IAMRole", arn_name(&role.arn), Some(&role.arn));
            cx.report(
                sa,
                format!(
                    "service account {}/{} uses IAM role {} with administrator access ({})",
                    sa.res.namespace.as_deref().unwrap_or("default"),
                    sa.res.name,
                    role.role_name,
                    why.join("; ")
                ),
            )
            .at(annotation_path(KEY))
            .on(res);
        }
    }
}
