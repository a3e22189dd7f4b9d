use super::{admin_reasons, workload_roles};
use crate::declare_rule;
use crate::inventory::{Input, ResourceRef, arn_name};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads whose IAM role has administrator access (`AdministratorAccess`
    /// attached, or a statement allowing `*` on `*`): the role of a service account's
    /// `eks.amazonaws.com/role-arn` annotation (IRSA), of an EKS Pod Identity association, or an
    /// add-on's `serviceAccountRoleArn`.
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
    ///
    /// ## Differences from peers
    /// Checkov CKV_AWS_1 flags any IAM policy document granting `*:*`, used by a workload or
    /// not; Prowler `iam_role_administratoraccess_policy` flags every role with
    /// `AdministratorAccess`. This rule reports only roles that a workload of the cluster
    /// actually uses, and also finds `*` on `*` in inline and customer-managed policies.
    pub static RULE = Rule {
        id: "IAM007",
        name: "workload-role-with-admin-policy",
        domain: Domain::Iam,
        severity: Severity::Critical,
        scope: Scope::Aws,
        summary: "Workload IAM role (IRSA, Pod Identity or add-on) has administrator access",
        remediation: "Replace the role's administrator policy with a policy scoped to the actions and resources the workload uses.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA", "000 Best Practices with IAM Roles for EKS"],
            checkov: &["CKV_AWS_1"],
            prowler: &["iam_role_administratoraccess_policy"],
            urls: &["https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html", "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/"],
            ..References::NONE
        },
        needs: &[Input::WorkloadRoles, Input::Iam],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in workload_roles(cx.inv) {
        let Some(role) = cx.inv.iam_role(w.role_arn) else {
            continue;
        };
        let why = admin_reasons(cx.inv, role);
        if why.is_empty() {
            continue;
        }
        let res = ResourceRef::aws("IAMRole", arn_name(&role.arn), Some(&role.arn));
        cx.report(
            w.target,
            format!(
                "{} uses IAM role {} with administrator access ({})",
                w.who,
                role.role_name,
                why.join("; ")
            ),
        )
        .at(w.field.clone())
        .on(res);
    }
}
