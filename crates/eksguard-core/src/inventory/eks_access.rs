//! Slim structs for who and what can reach the cluster from AWS: EKS access entries and their
//! access policies, EKS Pod Identity associations, add-ons, Fargate profiles and IAM access
//! keys. Field names follow the AWS CLI v2 JSON output of the commands named on each struct.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `aws eks describe-access-entry` `accessEntry`, or one principal ARN of
/// `aws eks list-access-entries` `accessEntries` (then only `principal_arn` is set).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessEntry {
    pub principal_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(default)]
    pub kubernetes_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_entry_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `STANDARD`, `EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`, `HYBRID_LINUX`, `EC2`, ...
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub entry_type: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// True when the entry came from `list-access-entries` (groups and type unknown).
    #[serde(skip)]
    pub listed_only: bool,
}

impl AccessEntry {
    /// Node entry types: EKS gives them `system:nodes` itself.
    pub fn is_node_type(&self) -> bool {
        matches!(
            self.entry_type.as_deref(),
            Some(
                "EC2_LINUX"
                    | "EC2_WINDOWS"
                    | "FARGATE_LINUX"
                    | "HYBRID_LINUX"
                    | "EC2"
                    | "HYPERPOD_LINUX"
            )
        )
    }
}

/// `aws eks list-associated-access-policies`: the access policies of one access entry.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociatedAccessPolicies {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    pub principal_arn: String,
    #[serde(default)]
    pub associated_access_policies: Vec<AssociatedAccessPolicy>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociatedAccessPolicy {
    pub policy_arn: String,
    #[serde(default)]
    pub access_scope: AccessScope,
}

impl AssociatedAccessPolicy {
    /// `AmazonEKSClusterAdminPolicy` from
    /// `arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`.
    pub fn name(&self) -> &str {
        super::arn_name(&self.policy_arn)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessScope {
    /// `cluster` or `namespace`.
    #[serde(default, rename = "type")]
    pub scope_type: String,
    #[serde(default)]
    pub namespaces: Vec<String>,
}

impl AccessScope {
    pub fn is_cluster(&self) -> bool {
        self.scope_type.eq_ignore_ascii_case("cluster")
    }
}

/// `aws eks describe-pod-identity-association` `association`, or a summary of
/// `aws eks list-pod-identity-associations` `associations` (no `roleArn` there).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodIdentityAssociation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub service_account: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_arn: Option<String>,
}

/// `aws eks describe-addon` `addon`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EksAddon {
    pub addon_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addon_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addon_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_values: Option<String>,
    /// Pod Identity association ARNs the add-on manages.
    #[serde(default)]
    pub pod_identity_associations: Vec<String>,
}

/// `aws eks describe-fargate-profile` `fargateProfile`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FargateProfile {
    pub fargate_profile_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_profile_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_execution_role_arn: Option<String>,
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(default)]
    pub selectors: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// One element of `aws iam list-access-keys` `AccessKeyMetadata`. The key id is kept to tell
/// keys apart; it is not a secret, but findings still never print it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccessKey {
    pub user_name: String,
    #[serde(default)]
    pub access_key_id: String,
    /// `Active` or `Inactive`.
    #[serde(default)]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
}
