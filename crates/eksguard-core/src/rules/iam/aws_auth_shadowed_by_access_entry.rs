use std::collections::BTreeSet;

use crate::declare_rule;
use crate::identity::{Identity, NODE_GROUPS, Via};
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags aws-auth mappings of a principal that also has an access entry with different
    /// Kubernetes groups (node groups such as `system:nodes` aside, which node-type entries
    /// get from EKS), when the cluster reads both (`authenticationMode`
    /// `API_AND_CONFIG_MAP`, or unknown).
    ///
    /// ## Why is this bad?
    /// EKS uses the access entry and ignores the aws-auth mapping of the same principal. The
    /// ConfigMap then documents access the principal does not have, reviews of it are wrong,
    /// and deleting the access entry silently revives the old mapping (often
    /// `system:masters`).
    ///
    /// ## Example
    /// An access entry maps `role/ops` to `[ops-readers]` while aws-auth still maps it to
    /// `[system:masters]`.
    ///
    /// Instead, delete the aws-auth mapping once the access entry exists (the migration
    /// guide's last step), then switch the cluster to `authenticationMode: API`.
    pub static RULE = Rule {
        id: "IAM020",
        name: "aws-auth-shadowed-by-access-entry",
        domain: Domain::Iam,
        severity: Severity::Low,
        scope: Scope::Cluster,
        summary: "aws-auth maps a principal differently from its access entry",
        remediation: "Remove the principal's aws-auth mapping (the access entry already decides its access) and move the cluster to authenticationMode API.",
        references: References {
            seed: &["001 Authorization"],
            cis_eks: &["4.1.7"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/migrating-access-entries.html"],
            ..References::NONE
        },
        needs: &[Input::AwsAuth, Input::AccessEntries],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let id = Identity::resolve(cx.inv);
    if matches!(id.authentication_mode, Some("API" | "CONFIG_MAP")) {
        return;
    }
    for p in &id.principals {
        let Some(entry) = p
            .grants
            .iter()
            .find(|g| g.via == Via::AccessEntry && !g.listed_only)
        else {
            continue;
        };
        // Node groups are compared apart: a node-type entry gets them from EKS itself.
        let entry_groups: BTreeSet<&str> = entry
            .all_groups()
            .into_iter()
            .filter(|g| !NODE_GROUPS.contains(g))
            .collect();
        for g in p.grants.iter().filter(|g| g.via == Via::AwsAuth) {
            let groups: BTreeSet<&str> = g
                .groups
                .iter()
                .map(String::as_str)
                .filter(|g| !NODE_GROUPS.contains(g))
                .collect();
            if groups == entry_groups {
                continue;
            }
            let list = |s: &BTreeSet<&str>| s.iter().copied().collect::<Vec<_>>().join(", ");
            cx.report(
                g.target,
                format!(
                    "aws-auth maps {} to [{}], but its access entry (groups [{}]) takes precedence: the aws-auth mapping is dead and returns if the entry is deleted",
                    g.arn,
                    list(&groups),
                    list(&entry_groups)
                ),
            )
            .at(g.field.clone())
            .on(p.resource());
        }
    }
}
