use super::aws_auth_entries;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags aws-auth entries whose `rolearn` or `userarn` contains a wildcard (`*`).
    ///
    /// ## Why is this bad?
    /// A wildcard ARN maps every matching principal, including ones created later by anyone
    /// with `iam:CreateRole` in the account, into the cluster. Access should name exactly the
    /// principals that need it.
    ///
    /// ## Example
    /// ```yaml
    /// mapRoles: |
    ///   - rolearn: arn:aws:iam::111122223333:role/*
    ///     groups: [developers]
    /// ```
    /// Instead, list each role.
    pub static RULE = Rule {
        id: "IAM003",
        name: "aws-auth-wildcard-principal",
        domain: Domain::Iam,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "aws-auth maps a wildcard IAM ARN",
        remediation: "Replace the wildcard ARN with one entry per role that needs access.",
        references: References {
            seed: &["001 Authentication"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html", "https://docs.aws.amazon.com/eks/latest/userguide/add-user-role.html"],
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
    for e in entries.iter().filter(|e| e.arn.contains('*')) {
        cx.report(
            cm,
            format!(
                "aws-auth maps the wildcard ARN {} to groups [{}]",
                e.arn,
                e.groups.join(", ")
            ),
        )
        .at(e.field)
        .on(e.resource());
    }
}
