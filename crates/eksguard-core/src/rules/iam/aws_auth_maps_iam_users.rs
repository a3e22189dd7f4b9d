use super::aws_auth_entries;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags IAM users mapped in the `mapUsers` section of the aws-auth ConfigMap.
    ///
    /// ## Why is this bad?
    /// IAM users carry long-lived access keys, and a per-user mapping must be edited for every
    /// joiner and leaver. The seeds recommend IAM roles when several people need the same
    /// access: map roles to RBAC groups, and let people assume the role with short-lived
    /// credentials.
    ///
    /// ## Example
    /// ```yaml
    /// mapUsers: |
    ///   - userarn: arn:aws:iam::111122223333:user/alice
    ///     username: alice
    ///     groups: [developers]
    /// ```
    /// Instead, map a role (`mapRoles`) that the users assume.
    pub static RULE = Rule {
        id: "IAM002",
        name: "aws-auth-maps-iam-users",
        domain: Domain::Iam,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "aws-auth maps individual IAM users instead of roles",
        remediation: "Replace mapUsers entries with a mapRoles entry for a role the users assume, mapped to an RBAC group.",
        references: References {
            seed: &["001 Authentication", "000 Managing Authentication via IAM", "000 Integration of Kubernetes RBAC & AWS IAM"],
            urls: &["https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html", "https://docs.aws.amazon.com/eks/latest/userguide/add-user-role.html", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/"],
            ..References::NONE
        },
        needs: &[Input::AwsAuth],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let Some((cm, entries)) = aws_auth_entries(cx.inv) else {
        return;
    };
    for e in entries.iter().filter(|e| e.is_user) {
        cx.report(
            cm,
            format!(
                "aws-auth maps IAM user {} directly; map a role that users assume instead",
                e.arn
            ),
        )
        .at(e.field)
        .on(e.resource());
    }
}
