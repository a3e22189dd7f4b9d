use std::sync::LazyLock;

use regex::Regex;

use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Secrets with a key named like an AWS access key (`aws_secret_access_key`,
    /// `AWS_ACCESS_KEY_ID`, `secret-access-key`, `aws_session_token`, ...). Only key names are read:
    /// values are dropped when the input is loaded.
    ///
    /// ## Why is this bad?
    /// A Secret with IAM user keys means a workload authenticates to AWS with long-lived credentials:
    /// they do not rotate, they work from anywhere, and anyone who can read Secrets in the namespace
    /// (RBAC004) or the etcd backup gets them. IRSA and EKS Pod Identity give pods short-lived,
    /// automatically rotated credentials scoped to one service account, which is what the seeds
    /// recommend for pod access to AWS services.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Secret
    /// stringData:
    ///   AWS_ACCESS_KEY_ID: ...
    ///   AWS_SECRET_ACCESS_KEY: ...
    /// ```
    pub static RULE = Rule {
        id: "SEC009",
        name: "aws-credentials-in-secret",
        domain: Domain::Sec,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Secret holds static AWS access keys",
        remediation: "Give the workload an IAM role through IRSA or EKS Pod Identity, deactivate the access key, and delete the Secret.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA", "000 Securing Pod Access to AWS Services"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html", "https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html"],
            ..References::NONE
        },
        needs: &[Input::SecretKeys],
        check: run,
    };
}

static AWS_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(aws[_.-]?)?(secret[_.-]?access[_.-]?key|access[_.-]?key[_.-]?id|session[_.-]?token)$")
        .expect("valid regex")
});

fn is_aws_key(k: &str) -> bool {
    // A bare `session_token` is too generic; a bare `secret_access_key` or `access_key_id` is not.
    AWS_KEY.is_match(k)
        && (k.to_ascii_lowercase().starts_with("aws")
            || !k.to_ascii_lowercase().contains("session"))
}

fn run(cx: &mut Context<'_>) {
    for s in &cx.inv.secrets {
        let data = s.data.iter().flat_map(|d| d.keys().map(|k| ("data", k)));
        let string_data = s
            .string_data
            .iter()
            .flat_map(|d| d.keys().map(|k| ("stringData", k)));
        let keys: Vec<(&str, &String)> = data
            .chain(string_data)
            .filter(|(_, k)| is_aws_key(k))
            .collect();
        let Some((field, first)) = keys.first() else {
            continue;
        };
        let names: Vec<&str> = keys.iter().map(|(_, k)| k.as_str()).collect();
        let message = format!(
            "{} holds static AWS credentials (keys {})",
            s.res,
            names.join(", ")
        );
        let mut at = (*field).to_string();
        crate::inventory::text::push_key(&mut at, first);
        cx.report(s, message).at(at);
    }
}
