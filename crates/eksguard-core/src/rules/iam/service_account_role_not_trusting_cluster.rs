use super::{RoleVia, sub_admits, trusted_oidc_providers, workload_roles};
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags ServiceAccounts whose `eks.amazonaws.com/role-arn` annotation names an IAM role
    /// whose trust policy does not admit this service account from this cluster: no statement
    /// federates this cluster's OIDC provider (when `describe-cluster` is in the input) with a
    /// `sub` that matches `system:serviceaccount:NAMESPACE:NAME`.
    ///
    /// Only roles present in the IAM input are judged; an annotation naming a role the input
    /// does not hold is not reported.
    ///
    /// ## Why is this bad?
    /// The annotation does not work: the pod's `AssumeRoleWithWebIdentity` call fails and the
    /// AWS SDK falls back to the next credentials in its chain, usually the node role through
    /// IMDS, so the workload silently runs with the node's permissions. It also shows drift:
    /// the annotation names a role meant for another cluster or service account, and widening
    /// that role's trust to "fix" it would hand this workload someone else's permissions.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ServiceAccount
    /// metadata:
    ///   name: billing
    ///   namespace: shop
    ///   annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/orders"}
    /// ```
    /// where `orders` trusts only `system:serviceaccount:shop:orders`. Instead, create a role
    /// for `shop:billing`.
    pub static RULE = Rule {
        id: "IAM014",
        name: "service-account-role-not-trusting-cluster",
        domain: Domain::Iam,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "Service account's IRSA role does not trust this cluster and service account",
        remediation: "Point the annotation at a role whose trust policy admits this cluster's OIDC provider with sub system:serviceaccount:NAMESPACE:NAME, or remove it.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html", "https://docs.aws.amazon.com/eks/latest/userguide/irsa-fetch-roles.html"],
            ..References::NONE
        },
        needs: &[Input::ServiceAccounts, Input::Iam],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let own = cx.inv.clusters.first().and_then(|c| c.oidc_provider());
    for w in workload_roles(cx.inv) {
        if w.via != RoleVia::Irsa {
            continue;
        }
        let (Some(ns), Some(sa)) = (w.namespace, w.service_account) else {
            continue;
        };
        let Some(role) = cx.inv.iam_role(w.role_arn) else {
            continue;
        };
        let providers = trusted_oidc_providers(role);
        let admitted = providers.iter().any(|(_, provider, cond)| {
            own.is_none_or(|o| o == provider) && sub_admits(cond, provider, ns, sa)
        });
        if admitted {
            continue;
        }
        let why = match own {
            Some(o) if !providers.iter().any(|(_, p, _)| p == o) => {
                format!("does not trust this cluster's OIDC provider {o}")
            }
            _ if providers.is_empty() => "trusts no EKS OIDC provider".to_string(),
            _ => format!("does not admit system:serviceaccount:{ns}:{sa}"),
        };
        cx.report(
            w.target,
            format!(
                "{} names IAM role {} whose trust policy {why}: the pod falls back to other credentials",
                w.who, role.role_name
            ),
        )
        .at(w.field.clone());
    }
}
