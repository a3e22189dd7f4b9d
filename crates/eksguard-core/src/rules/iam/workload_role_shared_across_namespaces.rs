use std::collections::{BTreeMap, BTreeSet};

use super::{EQUALS_OPS, LIKE_OPS, condition_values, trusted_oidc_providers, workload_roles};
use crate::declare_rule;
use crate::identity::normalize_principal_arn;
use crate::inventory::{Input, Located, ResourceRef, arn_name};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags an IAM role given to workloads of more than one namespace: named by IRSA
    /// annotations, Pod Identity associations or add-ons in several namespaces, or whose IRSA
    /// trust policy lists service accounts (`sub`) of several namespaces.
    ///
    /// Wildcard `sub` patterns are IAM004; this rule catches the sharing that exact values
    /// and annotations hide.
    ///
    /// ## Why is this bad?
    /// A namespace is the tenancy boundary: a role shared across namespaces gives every team
    /// the union of all their AWS permissions, and a compromise of the least-guarded
    /// namespace reaches the others' data. The seeds: use dedicated service accounts (and
    /// roles) for each application, with least privilege.
    ///
    /// ## Example
    /// ```yaml
    /// # namespace shop
    /// annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/app"}
    /// # namespace billing
    /// annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::111122223333:role/app"}
    /// ```
    /// Instead, give each application its own role with the permissions it uses.
    ///
    /// ## Differences from peers
    /// hardeneks `use_dedicated_service_accounts_for_each_deployment` (and its StatefulSet and
    /// DaemonSet siblings) reports workloads sharing a Kubernetes service account inside one
    /// namespace; this rule reports IAM roles shared across namespaces. CIS 5.2.1 asks for
    /// dedicated service accounts in general.
    pub static RULE = Rule {
        id: "IAM015",
        name: "workload-role-shared-across-namespaces",
        domain: Domain::Iam,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "One workload IAM role is shared across namespaces",
        remediation: "Create one role per application (per namespace and service account), each with only the permissions that application uses.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA", "000 Best Practices with IAM Roles for EKS"],
            cis_eks: &["5.2.1"],
            kubescape: &["C-0225"],
            urls: &["https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#use-dedicated-service-accounts-for-each-application"],
            ..References::NONE
        },
        needs: &[Input::WorkloadRoles],
        check: run,
    };
}

/// Namespaces a role is given to, and the first place that names it.
type Uses<'a> = (BTreeSet<String>, Option<(&'a dyn Located, String)>);

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    // Role (normalised ARN) -> namespaces, and the first place that names it.
    let mut uses: BTreeMap<String, Uses<'_>> = BTreeMap::new();
    for w in workload_roles(inv) {
        let Some(ns) = w.namespace else {
            continue;
        };
        let e = uses.entry(normalize_principal_arn(w.role_arn)).or_default();
        e.0.insert(ns.to_string());
        e.1.get_or_insert((w.target, w.field.clone()));
    }
    for role in &inv.iam_roles {
        for (_, provider, cond) in trusted_oidc_providers(role) {
            let key = format!("{provider}:sub");
            let subs = condition_values(&cond, EQUALS_OPS, &key)
                .into_iter()
                .chain(condition_values(&cond, LIKE_OPS, &key));
            for sub in subs {
                if let Some(ns) = sub
                    .strip_prefix("system:serviceaccount:")
                    .and_then(|r| r.split(':').next())
                    .filter(|ns| !ns.contains('*') && !ns.contains('?'))
                {
                    uses.entry(normalize_principal_arn(&role.arn))
                        .or_default()
                        .0
                        .insert(ns.to_string());
                }
            }
        }
    }
    for (arn, (namespaces, first)) in uses {
        if namespaces.len() < 2 {
            continue;
        }
        let list: Vec<&str> = namespaces.iter().map(String::as_str).collect();
        let message = format!(
            "IAM role {} is given to workloads of {} namespaces ({})",
            arn_name(&arn),
            list.len(),
            list.join(", ")
        );
        if let Some(role) = inv.iam_role(&arn) {
            cx.report(role, message).at("AssumeRolePolicyDocument");
        } else if let Some((target, field)) = first {
            cx.report(target, message).at(field).on(ResourceRef::aws(
                "IAMRole",
                arn_name(&arn),
                Some(&arn),
            ));
        }
    }
}
