//! Slim AWS state. Field names follow the AWS CLI's JSON output, so a user can run
//! `aws eks describe-cluster --name prod > prod.json` and scan that file; the live source fills
//! the same structs and the snapshot writer writes them back in the same shapes.
//!
//! Only the fields that rules read are modelled; unknown fields are ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `aws eks describe-cluster`: `{"cluster": {...}}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EksCluster {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub resources_vpc_config: VpcConfig,
    #[serde(default)]
    pub logging: Logging,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encryption_config: Vec<EncryptionConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_config: Option<AccessConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    /// Absent in older CLI output: unknown, not disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcConfig {
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_security_group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// The AWS default is a public endpoint; an absent field is treated as the default.
    #[serde(default = "yes")]
    pub endpoint_public_access: bool,
    #[serde(default)]
    pub endpoint_private_access: bool,
    #[serde(default)]
    pub public_access_cidrs: Vec<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Logging {
    #[serde(default)]
    pub cluster_logging: Vec<LogSetup>,
}

impl Logging {
    /// Whether control-plane log type `ty` (`api`, `audit`, ...) is enabled.
    pub fn enabled(&self, ty: &str) -> bool {
        // Later entries win, as in the API's own merge of setups.
        let mut on = false;
        for s in &self.cluster_logging {
            if s.types.iter().any(|t| t == ty) {
                on = s.enabled;
            }
        }
        on
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LogSetup {
    #[serde(default)]
    pub types: Vec<String>,
    #[serde(default)]
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Identity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<Oidc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Oidc {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionConfig {
    #[serde(default)]
    pub resources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<EncryptionProvider>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptionProvider {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_arn: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap_cluster_creator_admin_permissions: Option<bool>,
}

impl EksCluster {
    /// The KMS key ARN that envelope-encrypts Kubernetes secrets, if any.
    pub fn secrets_key_arn(&self) -> Option<&str> {
        self.encryption_config
            .iter()
            .find(|c| c.resources.iter().any(|r| r == "secrets"))
            .and_then(|c| c.provider.as_ref())
            .and_then(|p| p.key_arn.as_deref())
    }

    pub fn secrets_encrypted(&self) -> bool {
        self.encryption_config
            .iter()
            .any(|c| c.resources.iter().any(|r| r == "secrets"))
    }

    /// The OIDC issuer host and path without scheme (`oidc.eks.REGION.amazonaws.com/id/XYZ`),
    /// as it appears in IAM trust policies.
    pub fn oidc_provider(&self) -> Option<&str> {
        let issuer = self.identity.as_ref()?.oidc.as_ref()?.issuer.as_deref()?;
        Some(issuer.strip_prefix("https://").unwrap_or(issuer))
    }
}

/// `aws eks describe-nodegroup`: `{"nodegroup": {...}}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Nodegroup {
    pub nodegroup_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodegroup_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_access: Option<RemoteAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_template: Option<LaunchTemplateRef>,
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ami_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_version: Option<String>,
    /// Kubernetes version of the node group's kubelets (`1.31`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteAccess {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec2_ssh_key: Option<String>,
    #[serde(default)]
    pub source_security_groups: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LaunchTemplateRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// One element of `aws ec2 describe-launch-template-versions` `LaunchTemplateVersions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateVersion {
    #[serde(default)]
    pub launch_template_id: String,
    #[serde(default)]
    pub launch_template_name: String,
    #[serde(default)]
    pub version_number: u64,
    #[serde(default)]
    pub default_version: bool,
    #[serde(default)]
    pub launch_template_data: LaunchTemplateData,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_options: Option<MetadataOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default)]
    pub block_device_mappings: Vec<BlockDeviceMapping>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_interfaces: Vec<LaunchTemplateNetworkInterface>,
    /// Base64, as the CLI prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_data: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchTemplateNetworkInterface {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associate_public_ip_address: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_index: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetadataOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_tokens: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_put_response_hop_limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_endpoint: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BlockDeviceMapping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ebs: Option<Ebs>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ebs {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<String>,
}

/// One element of `aws ec2 describe-security-groups` `SecurityGroups`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    pub group_id: String,
    #[serde(default)]
    pub group_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub ip_permissions: Vec<IpPermission>,
    #[serde(default)]
    pub ip_permissions_egress: Vec<IpPermission>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpPermission {
    #[serde(default)]
    pub ip_protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_port: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_port: Option<i64>,
    #[serde(default)]
    pub ip_ranges: Vec<IpRange>,
    #[serde(default)]
    pub ipv6_ranges: Vec<Ipv6Range>,
    #[serde(default)]
    pub user_id_group_pairs: Vec<Value>,
}

impl IpPermission {
    /// The world-open CIDRs (`0.0.0.0/0`, `::/0`) of this permission.
    pub fn world_cidrs(&self) -> impl Iterator<Item = &str> {
        self.ip_ranges
            .iter()
            .filter_map(|r| r.cidr_ip.as_deref())
            .chain(
                self.ipv6_ranges
                    .iter()
                    .filter_map(|r| r.cidr_ipv6.as_deref()),
            )
            .filter(|c| is_world_cidr(c))
    }

    /// `tcp/22`, `all traffic`, `tcp/1024-65535`, ...
    pub fn describe_ports(&self) -> String {
        if self.ip_protocol == "-1" {
            return "all traffic".to_string();
        }
        match (self.from_port, self.to_port) {
            (Some(f), Some(t)) if f == t => format!("{}/{f}", self.ip_protocol),
            (Some(f), Some(t)) => format!("{}/{f}-{t}", self.ip_protocol),
            _ => self.ip_protocol.clone(),
        }
    }

    /// Whether the permission covers TCP port `port`.
    pub fn covers_tcp(&self, port: i64) -> bool {
        self.ip_protocol == "-1"
            || ((self.ip_protocol == "tcp" || self.ip_protocol == "6")
                && self.from_port.unwrap_or(0) <= port
                && port <= self.to_port.unwrap_or(65535))
    }
}

/// `0.0.0.0/0` or `::/0`.
pub fn is_world_cidr(c: &str) -> bool {
    c == "0.0.0.0/0" || c == "::/0"
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpRange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6Range {
    #[serde(default, rename = "CidrIpv6", skip_serializing_if = "Option::is_none")]
    pub cidr_ipv6: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// A role of `aws iam get-account-authorization-details` `RoleDetailList` (or `iam get-role`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamRole {
    pub role_name: String,
    #[serde(default)]
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The CLI prints the document as JSON; the raw API URL-encodes it. Both are accepted.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub assume_role_policy_document: Value,
    #[serde(default)]
    pub role_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub instance_profile_list: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// A user of `UserDetailList`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamUser {
    pub user_name: String,
    #[serde(default)]
    pub arn: String,
    #[serde(default)]
    pub user_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub group_list: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: String,
    #[serde(default)]
    pub policy_document: Value,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    pub policy_name: String,
    #[serde(default)]
    pub policy_arn: String,
}

/// A customer-managed policy of `Policies`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    pub policy_name: String,
    #[serde(default)]
    pub arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_version_id: Option<String>,
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersion>,
}

impl ManagedPolicy {
    pub fn default_document(&self) -> Option<&Value> {
        self.policy_version_list
            .iter()
            .find(|v| {
                v.is_default_version || Some(&v.version_id) == self.default_version_id.as_ref()
            })
            .map(|v| &v.document)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    #[serde(default)]
    pub document: Value,
    #[serde(default)]
    pub version_id: String,
    #[serde(default)]
    pub is_default_version: bool,
}

/// `aws ecr describe-repositories` `repositories[]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcrRepository {
    pub repository_name: String,
    #[serde(default)]
    pub repository_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_tag_mutability: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_scanning_configuration: Option<ScanningConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_configuration: Option<RepoEncryption>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanningConfiguration {
    #[serde(default)]
    pub scan_on_push: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepoEncryption {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
}

/// `aws kms describe-key` `KeyMetadata`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KmsKey {
    pub key_id: String,
    #[serde(default)]
    pub arn: String,
    #[serde(
        default,
        rename = "AWSAccountId",
        skip_serializing_if = "Option::is_none"
    )]
    pub aws_account_id: Option<String>,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_manager: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_spec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_usage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<Value>,
}

impl KmsKey {
    /// Whether `reference` (a key id, key ARN) names this key.
    pub fn is(&self, reference: &str) -> bool {
        reference == self.key_id
            || reference == self.arn
            || reference.ends_with(&format!("key/{}", self.key_id))
    }
}

/// `aws kms get-key-rotation-status`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyRotationStatus {
    pub key_rotation_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_period_in_days: Option<u64>,
}

/// `aws guardduty get-detector`, plus the `DetectorId` that `eksguard snapshot` adds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GuardDutyDetector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub features: Vec<GuardDutyFeature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_sources: Option<Value>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl GuardDutyDetector {
    pub fn feature_enabled(&self, name: &str) -> bool {
        self.features
            .iter()
            .any(|f| f.name == name && f.status.as_deref() == Some("ENABLED"))
    }

    pub fn name(&self) -> String {
        self.detector_id
            .clone()
            .or_else(|| self.tags.get("Name").cloned())
            .unwrap_or_else(|| "guardduty-detector".to_string())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GuardDutyFeature {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default)]
    pub additional_configuration: Vec<Value>,
}

/// The last segment of an ARN's resource part: `arn:aws:iam::1:role/a/b` -> `b`.
pub fn arn_name(arn: &str) -> &str {
    arn.rsplit(['/', ':']).next().unwrap_or(arn)
}
