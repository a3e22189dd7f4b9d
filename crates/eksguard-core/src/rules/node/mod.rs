//! Worker nodes: launch templates and node groups.

pub mod imds_hop_limit_above_one;
pub mod imdsv1_allowed;
pub mod node_volume_unencrypted;
pub mod ssh_access_enabled;

use std::collections::BTreeMap;

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
