//! More slim AWS state, in the AWS CLI v2 output shapes: EC2 instances and subnets (where nodes
//! run), CloudWatch log groups (where control-plane logs go), ECR repository and lifecycle
//! policies and registry scanning, and Amazon Inspector's account status.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::aws::{MetadataOptions, Tag};

/// An instance of `aws ec2 describe-instances` `Reservations[].Instances[]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ec2Instance {
    pub instance_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_options: Option<MetadataOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<InstanceState>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Ec2Instance {
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.value.as_str())
    }

    /// The EKS cluster this instance is a node of, from the tags EKS, eksctl, Karpenter and the
    /// node bootstrap put on nodes (`aws:eks:cluster-name`, `eks:cluster-name`,
    /// `kubernetes.io/cluster/NAME`).
    pub fn eks_cluster(&self) -> Option<&str> {
        self.tag("aws:eks:cluster-name")
            .or_else(|| self.tag("eks:cluster-name"))
            .or_else(|| {
                self.tags
                    .iter()
                    .find_map(|t| t.key.strip_prefix("kubernetes.io/cluster/"))
            })
    }

    /// Whether the instance is an EKS node (and so in scope of node rules).
    pub fn is_eks_node(&self) -> bool {
        self.eks_cluster().is_some()
            || self.tag("eks:nodegroup-name").is_some()
            || self.tag("karpenter.sh/nodepool").is_some()
    }

    /// Whether the instance is gone or going (its settings no longer matter).
    pub fn is_terminated(&self) -> bool {
        matches!(
            self.state.as_ref().and_then(|s| s.name.as_deref()),
            Some("terminated" | "shutting-down")
        )
    }

    /// `i-0abc (Name tag)` for messages.
    pub fn describe(&self) -> String {
        match self.tag("Name") {
            Some(n) if !n.is_empty() => format!("{} ({n})", self.instance_id),
            _ => self.instance_id.clone(),
        }
    }
}

/// A subnet of `aws ec2 describe-subnets` `Subnets[]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subnet {
    pub subnet_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub map_public_ip_on_launch: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_block: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// A log group of `aws logs describe-log-groups` `logGroups[]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGroup {
    pub log_group_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// Absent: logs never expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

impl LogGroup {
    /// The EKS cluster whose control-plane logs this group holds (`/aws/eks/NAME/cluster`).
    pub fn eks_cluster(&self) -> Option<&str> {
        self.log_group_name
            .strip_prefix("/aws/eks/")?
            .strip_suffix("/cluster")
            .filter(|n| !n.is_empty() && !n.contains('/'))
    }
}

/// `aws ecr get-repository-policy`: the policy is a JSON document in a string.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcrRepositoryPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_id: Option<String>,
    pub repository_name: String,
    #[serde(default)]
    pub policy_text: String,
}

impl EcrRepositoryPolicy {
    /// The parsed policy document (`None` when the text is not JSON).
    pub fn document(&self) -> Option<Value> {
        serde_json::from_str(&self.policy_text).ok()
    }
}

/// `aws ecr get-lifecycle-policy`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcrLifecyclePolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_id: Option<String>,
    pub repository_name: String,
    #[serde(default)]
    pub lifecycle_policy_text: String,
}

/// `aws ecr get-registry-scanning-configuration`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcrRegistryScanning {
    #[serde(default)]
    pub registry_id: String,
    #[serde(default)]
    pub scanning_configuration: RegistryScanningConfiguration,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryScanningConfiguration {
    /// `BASIC` or `ENHANCED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan_type: Option<String>,
    #[serde(default)]
    pub rules: Vec<RegistryScanningRule>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryScanningRule {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`.
    #[serde(default)]
    pub scan_frequency: String,
    #[serde(default)]
    pub repository_filters: Vec<RepositoryFilter>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepositoryFilter {
    #[serde(default)]
    pub filter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_type: Option<String>,
}

impl RegistryScanningRule {
    /// Whether the rule scans images without anyone asking.
    pub fn automated(&self) -> bool {
        matches!(
            self.scan_frequency.as_str(),
            "SCAN_ON_PUSH" | "CONTINUOUS_SCAN"
        )
    }

    /// Whether a repository name matches one of the rule's wildcard filters.
    pub fn matches(&self, repository: &str) -> bool {
        self.repository_filters
            .iter()
            .any(|f| wildcard_match(&f.filter, repository))
    }
}

impl EcrRegistryScanning {
    /// Whether some automated rule covers `repository`.
    pub fn scans_automatically(&self, repository: &str) -> bool {
        self.scanning_configuration
            .rules
            .iter()
            .any(|r| r.automated() && r.matches(repository))
    }
}

/// ECR's repository filter: `*` matches any run of characters.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == text;
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// An account of `aws inspector2 batch-get-account-status` `accounts[]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectorAccount {
    #[serde(default)]
    pub account_id: String,
    #[serde(default)]
    pub resource_state: std::collections::BTreeMap<String, InspectorStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<InspectorStatus>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectorStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

impl InspectorAccount {
    /// Status of scanning of one resource type (`ec2`, `ecr`, ...): `ENABLED`, `DISABLED`, ...
    pub fn scanning(&self, resource: &str) -> &str {
        self.resource_state
            .get(resource)
            .and_then(|s| s.status.as_deref())
            .unwrap_or("DISABLED")
    }
}

/// `aws cloudtrail describe-trails`: the trails that record this region's API calls (the CLI
/// includes multi-region trails of other home regions). Kept as one object per document, so an
/// empty list can be reported on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudTrailTrails {
    #[serde(default)]
    pub trail_list: Vec<Trail>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Trail {
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "TrailARN", skip_serializing_if = "Option::is_none")]
    pub trail_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_region: Option<String>,
    #[serde(default)]
    pub is_multi_region_trail: bool,
    #[serde(default)]
    pub include_global_service_events: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_organization_trail: Option<bool>,
}
