use crate::declare_rule;
use crate::identity::{Identity, PrincipalKind};
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags IAM users that can authenticate to the cluster (aws-auth `mapUsers` or an access
    /// entry) and have an `Active` access key (`aws iam list-access-keys`). The key id is not
    /// printed.
    ///
    /// ## Why is this bad?
    /// A long-lived access key is a static credential to the cluster: it does not expire, is
    /// not tied to MFA, and is the credential most often found in leaked repositories and CI
    /// logs. Anyone holding it reaches the Kubernetes API with the user's groups.
    ///
    /// ## Example
    /// ```json
    /// {"AccessKeyMetadata": [{"UserName": "deploy-bot", "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Active"}]}
    /// ```
    /// with `deploy-bot` in `mapUsers`. Instead, let the pipeline assume a role through OIDC
    /// federation (e.g. GitHub Actions) and map that role.
    pub static RULE = Rule {
        id: "IAM021",
        name: "cluster-user-with-active-access-key",
        domain: Domain::Iam,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "IAM user with an active access key can authenticate to the cluster",
        remediation: "Deactivate and delete the user's access keys and grant cluster access to a role assumed with short-lived credentials instead.",
        references: References {
            seed: &["001 Authentication", "000 Managing Authentication via IAM"],
            urls: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html", "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html"],
            ..References::NONE
        },
        needs: &[Input::ClusterAccess, Input::AccessKeys],
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
        if !p.effective().any(|_| true) {
            continue;
        }
        let active: Vec<_> = cx
            .inv
            .access_keys
            .iter()
            .filter(|k| k.user_name == p.name() && k.status.eq_ignore_ascii_case("Active"))
            .collect();
        let Some(first) = active.first() else {
            continue;
        };
        let sources: Vec<String> = p
            .effective()
            .map(crate::identity::Grant::describe_source)
            .collect();
        cx.report(
            *first,
            format!(
                "IAM user {} reaches the cluster through {} and has {} active access key(s)",
                p.arn,
                sources.join(" and "),
                active.len()
            ),
        )
        .at("Status")
        .on(p.resource());
    }
}
