use std::collections::BTreeSet;

use super::{trusted_oidc_providers, workload_roles};
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Compares the OIDC providers an IRSA role trusts with this cluster's issuer
    /// (`identity.oidc.issuer` in `describe-cluster`). It flags roles used by this cluster
    /// (trusting its provider, or named by one of its service accounts) whose trust policy
    /// also admits another cluster's OIDC provider.
    ///
    /// Roles that trust only other clusters' providers and are not used here are left alone:
    /// in an account with several clusters they belong to those clusters.
    ///
    /// ## Why is this bad?
    /// Every cluster a role trusts can mint tokens for it. A role shared with a development
    /// or less-guarded cluster gives whoever controls that cluster (its admins, or any pod
    /// there whose service account matches the `sub`) this cluster's workload permissions.
    ///
    /// ## Example
    /// ```json
    /// "Principal": {"Federated": ["arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PROD",
    ///                             "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/DEV"]}
    /// ```
    /// Instead, create one role per cluster (or use EKS Pod Identity with per-cluster
    /// associations).
    pub static RULE = Rule {
        id: "IAM013",
        name: "irsa-trust-multiple-cluster-providers",
        domain: Domain::Iam,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "IRSA role of this cluster also trusts another cluster's OIDC provider",
        remediation: "Remove the other cluster's OIDC provider from the trust policy and give that cluster its own role (or use EKS Pod Identity).",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA", "000 Best Practices with IAM Roles for EKS"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html", "https://docs.aws.amazon.com/eks/latest/userguide/cross-account-access.html"],
            ..References::NONE
        },
        needs: &[Input::EksCluster, Input::Iam],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let Some(own) = cx.inv.clusters.first().and_then(|c| c.oidc_provider()) else {
        return;
    };
    let used: BTreeSet<String> = workload_roles(cx.inv)
        .iter()
        .filter_map(|w| cx.inv.iam_role(w.role_arn))
        .map(|r| r.arn.clone())
        .collect();
    for role in &cx.inv.iam_roles {
        let providers = trusted_oidc_providers(role);
        let ours = providers.iter().any(|(_, p, _)| p == own) || used.contains(&role.arn);
        if !ours {
            continue;
        }
        let mut seen = BTreeSet::new();
        for (i, provider, _) in &providers {
            if provider == own || !seen.insert(provider.clone()) {
                continue;
            }
            cx.report(
                role,
                format!(
                    "role {} is used by this cluster (OIDC provider {own}) and trusts the OIDC provider {provider} of another cluster",
                    role.role_name
                ),
            )
            .at(format!("AssumeRolePolicyDocument.Statement[{i}]"));
        }
    }
}
