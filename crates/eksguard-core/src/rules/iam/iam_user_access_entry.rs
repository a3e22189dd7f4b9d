use crate::declare_rule;
use crate::identity::{Identity, PrincipalKind, Via};
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags EKS access entries whose principal is an IAM user. (IAM002 flags IAM users in
    /// aws-auth `mapUsers`.)
    ///
    /// ## Why is this bad?
    /// IAM users authenticate with long-lived access keys, which leak through laptops, CI
    /// logs and dotfiles, and access must be edited per person. The seeds: use IAM roles when
    /// several users need the same access, mapped to RBAC groups, and assume them with
    /// short-lived credentials (IAM Identity Center).
    ///
    /// ## Example
    /// ```json
    /// {"accessEntry": {"principalArn": "arn:aws:iam::111122223333:user/alice", "type": "STANDARD"}}
    /// ```
    /// Instead, create the access entry for a role that alice assumes.
    pub static RULE = Rule {
        id: "IAM019",
        name: "iam-user-access-entry",
        domain: Domain::Iam,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "EKS access entry grants cluster access to an IAM user",
        remediation: "Replace the user's access entry with one for an IAM role the user assumes (for example an IAM Identity Center permission set role).",
        references: References {
            seed: &["001 Authentication", "000 Managing Authentication via IAM"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html", "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp"],
            ..References::NONE
        },
        needs: &[Input::AccessEntries],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let id = Identity::resolve(cx.inv);
    for p in id
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::User)
    {
        for g in p
            .grants
            .iter()
            .filter(|g| g.via == Via::AccessEntry && g.effective)
        {
            cx.report(
                g.target,
                format!(
                    "access entry grants IAM user {} access to the cluster; use a role the user assumes",
                    g.arn
                ),
            )
            .at(g.field.clone())
            .on(p.resource());
        }
    }
}
