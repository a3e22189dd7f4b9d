use crate::declare_rule;
use crate::identity::{Identity, PrincipalKind, arn_account};
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags IAM principals mapped into the cluster (aws-auth or access entries) that are an
    /// account root (`arn:aws:iam::ACCOUNT:root`) or belong to another AWS account than the
    /// cluster's (known from the cluster ARN in `describe-cluster`).
    ///
    /// ## Why is this bad?
    /// The root ARN stands for the root user of that account, whose credentials should never
    /// be used day to day. A principal of another account is governed by that account's
    /// administrators: whoever can create or assume roles there decides who reaches your
    /// cluster, outside your IAM reviews and SCPs. Wildcard ARNs are IAM003.
    ///
    /// ## Example
    /// ```yaml
    /// mapUsers: |
    ///   - userarn: arn:aws:iam::444455556666:root
    ///     groups: [readers]
    /// ```
    /// Instead, map a role of the cluster's account that the other account's principals
    /// assume, with an explicit trust policy and an external id.
    pub static RULE = Rule {
        id: "IAM011",
        name: "cluster-access-root-or-foreign-account",
        domain: Domain::Iam,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Cluster access is mapped to an account root or another account's principal",
        remediation: "Remove the mapping; grant access to a role in the cluster's own account that the external principals assume under a reviewed trust policy.",
        references: References {
            seed: &["001 Authentication", "000 Managing Authentication via IAM"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html", "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html"],
            ..References::NONE
        },
        needs: &[Input::ClusterAccess],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let home = cx
        .inv
        .clusters
        .first()
        .and_then(|c| c.arn.as_deref())
        .and_then(arn_account);
    let id = Identity::resolve(cx.inv);
    for p in &id.principals {
        if p.kind == PrincipalKind::Wildcard {
            continue;
        }
        let foreign = match (home, p.account()) {
            (Some(h), Some(a)) => a != h,
            _ => false,
        };
        let problem = if p.kind == PrincipalKind::Root {
            format!("the root of account {}", p.account().unwrap_or("?"))
        } else if foreign {
            format!(
                "in account {}, not the cluster's account {}",
                p.account().unwrap_or("?"),
                home.unwrap_or("?")
            )
        } else {
            continue;
        };
        for g in p.grants.iter().filter(|g| g.effective) {
            cx.report(
                g.target,
                format!("{} maps {}, which is {problem}", g.describe_source(), g.arn),
            )
            .at(g.field.clone())
            .on(p.resource());
        }
    }
}
