//! Worker nodes: launch templates, node groups, running instances and kubelet configuration.

pub mod imds_hop_limit_above_one;
pub mod imdsv1_allowed;
pub mod inspector_ec2_scanning_disabled;
pub mod instance_imds_hop_limit_above_one;
pub mod instance_imdsv1_allowed;
pub mod karpenter_node_class_amazon_linux_2;
pub mod karpenter_node_class_imds_exposed;
pub mod karpenter_node_class_public_ip;
pub mod karpenter_node_class_volume_unencrypted;
pub mod kubelet_anonymous_auth_enabled;
pub mod kubelet_authorization_always_allow;
pub mod kubelet_client_ca_missing;
pub mod kubelet_iptables_util_chains_disabled;
pub mod kubelet_read_only_port_enabled;
pub mod kubelet_server_certificate_not_rotated;
pub mod kubelet_streaming_timeout_disabled;
pub mod node_instance_public_ip;
pub mod node_user_data_credentials;
pub mod node_volume_unencrypted;
pub mod nodegroup_amazon_linux_2;
pub mod nodegroup_custom_ami;
pub mod nodegroup_in_public_subnet;
pub mod nodegroup_version_behind_cluster;
pub mod ssh_access_enabled;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::inventory::{Inventory, LaunchTemplateVersion, Obj};

/// The launch-template versions nodes actually use: the version a node group names, else the
/// template's default version, else its newest. Older versions in the input are history, not
/// configuration, and are not reported.
pub fn effective_launch_templates(inv: &Inventory) -> Vec<&Obj<LaunchTemplateVersion>> {
    let mut by_template: BTreeMap<&str, Vec<&Obj<LaunchTemplateVersion>>> = BTreeMap::new();
    for lt in &inv.launch_templates {
        let key = if lt.launch_template_id.is_empty() {
            lt.launch_template_name.as_str()
        } else {
            lt.launch_template_id.as_str()
        };
        by_template.entry(key).or_default().push(lt);
    }
    let mut out = Vec::new();
    for versions in by_template.into_values() {
        let first = versions[0];
        let wanted = inv.nodegroups.iter().find_map(|ng| {
            let r = ng.launch_template.as_ref()?;
            let same = r.id.as_deref() == Some(first.launch_template_id.as_str())
                || r.name.as_deref() == Some(first.launch_template_name.as_str());
            if same {
                r.version.as_deref()?.parse::<u64>().ok()
            } else {
                None
            }
        });
        let chosen = wanted
            .and_then(|v| versions.iter().find(|x| x.version_number == v))
            .or_else(|| versions.iter().find(|x| x.default_version))
            .or_else(|| versions.iter().max_by_key(|x| x.version_number));
        if let Some(v) = chosen {
            out.push(*v);
        }
    }
    out
}

/// Karpenter `EC2NodeClass` objects (any `karpenter.k8s.aws` version), as JSON.
pub fn karpenter_node_classes(inv: &Inventory) -> impl Iterator<Item = &Obj<Value>> {
    inv.other.iter().filter(|o| {
        o.res.kind == "EC2NodeClass"
            && o.res
                .api_version
                .as_deref()
                .is_some_and(|v| v.starts_with("karpenter.k8s.aws/"))
    })
}
