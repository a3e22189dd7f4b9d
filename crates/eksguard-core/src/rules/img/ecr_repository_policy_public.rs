use serde_json::Value;

use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags ECR repositories whose repository policy (`aws ecr get-repository-policy`) allows
    /// any principal (`"Principal": "*"` or `{"AWS": "*"}`) without a condition that limits
    /// the caller to an account, organization, VPC endpoint or principal.
    ///
    /// ## Why is this bad?
    /// Anyone with an AWS account can then pull the images (code, embedded configuration and
    /// secrets), and, if push actions are allowed, replace them with their own: every node that
    /// pulls next runs the attacker's image. The seed talk: ECR access control with IAM
    /// policies.
    ///
    /// ## Example
    /// ```json
    /// {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}
    /// ```
    /// Instead, name the accounts, or keep `"*"` with
    /// `"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorgid"}}`.
    pub static RULE = Rule {
        id: "IMG006",
        name: "ecr-repository-policy-public",
        domain: Domain::Img,
        severity: Severity::Critical,
        scope: Scope::Aws,
        summary: "ECR repository policy allows anyone",
        remediation: "Replace the wildcard principal with the accounts or roles that need access, or add an aws:PrincipalOrgID / aws:SourceVpce condition.",
        references: References {
            seed: &["000 Amazon Elastic Container Registry (ECR)"],
            cis_eks: &["5.1.2"],
            checkov: &["CKV_AWS_32"],
            prowler: &["ecr_repositories_not_publicly_accessible"],
            urls: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html", "https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_service-with-iam.html"],
            ..References::NONE
        },
        needs: &[Input::EcrRepositoryPolicies],
        check: run,
    };
}

/// Condition keys that pin the caller: a statement with one of them is not public.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourcevpce",
    "aws:sourcevpc",
    "aws:sourceowner",
    "aws:userid",
    "aws:sourceip",
];

fn values(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn principal_is_anyone(p: Option<&Value>) -> bool {
    match p {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(m)) => values(m.get("AWS")).contains(&"*"),
        _ => false,
    }
}

fn restricted(condition: Option<&Value>) -> bool {
    let Some(Value::Object(ops)) = condition else {
        return false;
    };
    ops.values().any(|keys| {
        keys.as_object().is_some_and(|k| {
            k.keys()
                .any(|key| RESTRICTING_KEYS.contains(&key.to_ascii_lowercase().as_str()))
        })
    })
}

/// Actions that change the repository's images or policy.
fn is_write(action: &str) -> bool {
    let a = action.to_ascii_lowercase();
    a == "*"
        || a == "ecr:*"
        || [
            "ecr:putimage",
            "ecr:initiatelayerupload",
            "ecr:uploadlayerpart",
            "ecr:completelayerupload",
            "ecr:batchdeleteimage",
            "ecr:setrepositorypolicy",
            "ecr:deleterepository",
        ]
        .contains(&a.as_str())
}

fn run(cx: &mut Context<'_>) {
    for p in &cx.inv.ecr_repository_policies {
        let Some(doc) = p.document() else { continue };
        let statements: Vec<&Value> = match doc.get("Statement") {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(s @ Value::Object(_)) => vec![s],
            _ => Vec::new(),
        };
        let public: Vec<&Value> = statements
            .into_iter()
            .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
            .filter(|s| principal_is_anyone(s.get("Principal")))
            .filter(|s| !restricted(s.get("Condition")))
            .collect();
        if public.is_empty() {
            continue;
        }
        let push = public
            .iter()
            .any(|s| values(s.get("Action")).into_iter().any(is_write));
        let what = if push {
            "pull and push images"
        } else {
            "pull images"
        };
        cx.report(
            p,
            format!(
                "ECR repository {} has a policy that lets any AWS principal {what}",
                p.repository_name
            ),
        )
        .at("policyText");
    }
}
