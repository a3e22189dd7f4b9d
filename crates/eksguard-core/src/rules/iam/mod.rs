//! IAM: who can reach the cluster (aws-auth, access entries) and what workloads and nodes may
//! do in AWS (IRSA, node roles).

pub mod aws_auth_maps_iam_users;
pub mod aws_auth_maps_system_masters;
pub mod aws_auth_wildcard_principal;
pub mod aws_node_without_irsa;
pub mod irsa_trust_not_scoped_to_service_account;
pub mod node_role_excess_permissions;
pub mod workload_role_with_admin_policy;

use serde_json::Value;

use crate::inventory::text::{Limits, parse};
use crate::inventory::{Inventory, Obj, ResourceRef, arn_name};
use k8s_openapi::api::core::v1::ConfigMap;

/// One entry of `mapRoles` / `mapUsers` in the aws-auth ConfigMap.
pub struct AuthEntry {
    /// `rolearn` or `userarn`.
    pub arn: String,
    pub username: Option<String>,
    pub groups: Vec<String>,
    /// `data.mapRoles` or `data.mapUsers`.
    pub field: &'static str,
    pub is_user: bool,
}

impl AuthEntry {
    /// The IAM principal the entry maps, as a finding resource.
    pub fn resource(&self) -> ResourceRef {
        ResourceRef::aws(
            if self.is_user { "IAMUser" } else { "IAMRole" },
            arn_name(&self.arn),
            Some(&self.arn),
        )
    }
}

/// The entries of the aws-auth ConfigMap (entries that do not parse are left out: the
/// authenticator ignores them too).
pub fn aws_auth_entries(inv: &Inventory) -> Option<(&Obj<ConfigMap>, Vec<AuthEntry>)> {
    let cm = inv.aws_auth()?;
    let mut out = Vec::new();
    let data = cm.data.as_ref();
    for (field, key, arn_key, is_user) in [
        ("data.mapRoles", "mapRoles", "rolearn", false),
        ("data.mapUsers", "mapUsers", "userarn", true),
    ] {
        let Some(text) = data.and_then(|d| d.get(key)) else {
            continue;
        };
        let (docs, _) = parse(text, &Limits::default());
        for doc in docs {
            let Value::Array(items) = doc.value else {
                continue;
            };
            for item in items {
                let Some(arn) = item.get(arn_key).and_then(Value::as_str) else {
                    continue;
                };
                out.push(AuthEntry {
                    arn: arn.to_string(),
                    username: item
                        .get("username")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    groups: item
                        .get("groups")
                        .and_then(Value::as_array)
                        .map(|g| {
                            g.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                    field,
                    is_user,
                });
            }
        }
    }
    Some((cm, out))
}

/// The AWS-managed policies a node role needs; anything beyond them is excess.
pub const NODE_POLICIES: &[&str] = &[
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
    "AmazonEKSWorkerNodeMinimalPolicy",
];
