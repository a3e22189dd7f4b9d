use crate::declare_rule;
use crate::inventory::Input;
use crate::inventory::iam::{document, statements};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags IAM roles that trust an EKS OIDC provider (IAM roles for service accounts) without
    /// a `StringEquals` condition pinning `<provider>:sub` to
    /// `system:serviceaccount:NAMESPACE:NAME`.
    ///
    /// ## Why is this bad?
    /// Without the `sub` condition, any pod of the cluster (any service account, in any
    /// namespace) can assume the role with its projected token. A wildcard `sub`
    /// (`StringLike "system:serviceaccount:*"`) is the same hole. The seeds: scope the IAM role
    /// trust policy for IRSA to the service account name.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"},
    ///  "Action": "sts:AssumeRoleWithWebIdentity"}
    /// ```
    /// Instead, add:
    /// ```json
    /// "Condition": {"StringEquals": {
    ///   "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:shop:storefront",
    ///   "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"}}
    /// ```
    pub static RULE = Rule {
        id: "IAM004",
        name: "irsa-trust-not-scoped-to-service-account",
        domain: Domain::Iam,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "IRSA role trust policy is not scoped to one service account",
        remediation: "Add a StringEquals condition on <oidc-provider>:sub with the exact system:serviceaccount:NAMESPACE:NAME (and on :aud with sts.amazonaws.com).",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA", "000 Roles Assignments Service Accounts"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html", "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/"],
            ..References::NONE
        },
        needs: &[Input::Iam],
        check: run,
    };
}

fn is_web_identity(action: &str) -> bool {
    matches!(action, "sts:AssumeRoleWithWebIdentity" | "sts:*" | "*")
}

fn run(cx: &mut Context<'_>) {
    for role in &cx.inv.iam_roles {
        let doc = document(&role.assume_role_policy_document);
        for (i, st) in statements(&doc).iter().enumerate() {
            if !st.allow || !st.actions.iter().any(|a| is_web_identity(a)) {
                continue;
            }
            for fed in st.federated() {
                let Some((_, provider)) = fed.split_once(":oidc-provider/") else {
                    continue;
                };
                if !provider.starts_with("oidc.eks.") {
                    continue;
                }
                let key = format!("{provider}:sub");
                let exact = st.condition_values(
                    &[
                        "StringEquals",
                        "ForAnyValue:StringEquals",
                        "ForAllValues:StringEquals",
                    ],
                    &key,
                );
                let like = st.condition_values(
                    &[
                        "StringLike",
                        "ForAnyValue:StringLike",
                        "ForAllValues:StringLike",
                    ],
                    &key,
                );
                let problem = if exact.is_empty() && like.is_empty() {
                    Some("has no condition on the service account (sub)".to_string())
                } else if let Some(w) = like.iter().find(|v| v.contains('*') || v.contains('?')) {
                    Some(format!("matches service accounts with the pattern \"{w}\""))
                } else {
                    exact
                        .iter()
                        .chain(&like)
                        .find(|v| {
                            !v.starts_with("system:serviceaccount:") || v.split(':').count() != 4
                        })
                        .map(|v| format!("pins sub to \"{v}\", which is not one service account"))
                };
                if let Some(problem) = problem {
                    cx.report(
                        role,
                        format!(
                            "role {} trusts the cluster OIDC provider {provider} and {problem}: any pod of the cluster may assume it",
                            role.role_name
                        ),
                    )
                    .at(format!("AssumeRolePolicyDocument.Statement[{i}]"));
                }
            }
        }
    }
}
