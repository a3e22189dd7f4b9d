use super::{EQUALS_OPS, LIKE_OPS, condition_values, trusted_oidc_providers};
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags IAM roles that trust an EKS OIDC provider (IRSA) without a `StringEquals`
    /// condition pinning `<provider>:aud` to `sts.amazonaws.com`. IAM004 checks the `sub`
    /// (which service account); this rule checks the `aud` (which audience the token was
    /// issued for). A `StringLike` pattern or any other value is reported too.
    ///
    /// ## Why is this bad?
    /// Pods can request service-account tokens for any audience (projected volumes,
    /// `TokenRequest`), and hand them to third parties: a token minted for a vault, a
    /// monitoring SaaS or another cluster service is then also good for
    /// `AssumeRoleWithWebIdentity` on this role. Pinning `aud` confines the role to tokens that
    /// were minted for AWS STS. The seeds: scope the IRSA trust policy.
    ///
    /// ## Example
    /// ```json
    /// "Condition": {"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:shop:api"}}
    /// ```
    /// Instead, add `"oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com"`
    /// to the same `StringEquals` block.
    pub static RULE = Rule {
        id: "IAM012",
        name: "irsa-trust-audience-not-pinned",
        domain: Domain::Iam,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "IRSA role trust policy does not pin the token audience to sts.amazonaws.com",
        remediation: "Add a StringEquals condition <oidc-provider>:aud = sts.amazonaws.com to the trust statement.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif"],
            ..References::NONE
        },
        needs: &[Input::Iam],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for role in &cx.inv.iam_roles {
        for (i, provider, cond) in trusted_oidc_providers(role) {
            let key = format!("{provider}:aud");
            let exact = condition_values(&cond, EQUALS_OPS, &key);
            let like = condition_values(&cond, LIKE_OPS, &key);
            let problem = if exact.is_empty() && like.is_empty() {
                "has no condition on the token audience (aud)".to_string()
            } else if let Some(v) = like.first() {
                format!("matches the audience with the pattern \"{v}\"")
            } else if let Some(v) = exact.iter().find(|v| **v != "sts.amazonaws.com") {
                format!("accepts the audience \"{v}\"")
            } else {
                continue;
            };
            cx.report(
                role,
                format!(
                    "role {} trusts the cluster OIDC provider {provider} and {problem}: tokens minted for other audiences can assume it",
                    role.role_name
                ),
            )
            .at(format!("AssumeRolePolicyDocument.Statement[{i}]"));
        }
    }
}
