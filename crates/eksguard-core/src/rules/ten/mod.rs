//! Multi-tenancy: namespaces as tenant boundaries.

pub mod cpu_limit_missing;
pub mod ephemeral_storage_limit_missing;
pub mod memory_limit_missing;
pub mod namespace_without_limit_range;
pub mod namespace_without_resource_quota;
pub mod system_priority_class_used;
pub mod toleration_matches_all_taints;
pub mod workload_in_default_namespace;

use crate::inventory::{ContainerKind, Inventory, is_system_namespace};
use crate::rule::Context;

/// Whether a LimitRange of namespace `ns` gives containers a default limit for `resource`
/// (the LimitRanger admission plugin then fills it in for containers that set none).
pub fn limit_range_default(inv: &Inventory, ns: &str, resource: &str) -> bool {
    inv.limit_ranges
        .iter()
        .filter(|l| l.res.namespace.as_deref().unwrap_or("default") == ns)
        .filter_map(|l| l.spec.as_ref())
        .flat_map(|s| s.limits.iter())
        .any(|item| {
            item.type_ == "Container"
                && item
                    .default
                    .as_ref()
                    .is_some_and(|d| d.contains_key(resource))
        })
}

/// Report init and main containers of non-system workloads that set no `resource` limit and
/// get no default from a LimitRange of their namespace.
pub fn report_missing_limit(cx: &mut Context<'_>, resource: &str) {
    for w in &cx.inv.workloads {
        let ns = w.namespace();
        if is_system_namespace(ns) || limit_range_default(cx.inv, ns, resource) {
            continue;
        }
        for c in w.containers() {
            if c.kind == ContainerKind::Ephemeral {
                continue;
            }
            let set = c
                .resources
                .and_then(|r| r.limits.as_ref())
                .and_then(|l| l.get(resource))
                .is_some_and(|q| !q.0.trim().is_empty() && q.0.trim() != "0");
            if set {
                continue;
            }
            let message = format!(
                "{} of {} has no {resource} limit, and namespace {ns} has no LimitRange default for it",
                c.describe(),
                w.res
            );
            let at = c.field("resources");
            cx.report(w, message).at(at);
        }
    }
}
