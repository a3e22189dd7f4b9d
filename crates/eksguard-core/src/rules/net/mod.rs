//! Network security: NetworkPolicies (through [`crate::netpol`]), Services, and the security
//! groups around nodes and pods.

pub mod mesh_mtls_not_strict;
pub mod namespace_without_default_deny_egress;
pub mod namespace_without_default_deny_ingress;
pub mod namespace_without_network_policy;
pub mod network_policies_not_enforced;
pub mod network_policy_allows_all_egress;
pub mod network_policy_allows_all_ingress;
pub mod network_policy_selects_no_pods;
pub mod node_security_group_open_to_world;
pub mod pod_security_group_open_to_world;
pub mod service_external_ips;
pub mod service_node_port;
pub mod workload_can_reach_imds;
pub mod workload_reachable_from_all_namespaces;

use crate::inventory::{Located, ResourceRef};
use crate::rule::Context;

/// Report a finding on namespace `ns`: at its Namespace object when the input has it, else
/// at its first workload.
pub fn report_namespace(cx: &mut Context<'_>, ns: &str, message: String) {
    let inv = cx.inv;
    let target: Option<&dyn Located> = match inv.namespace(ns) {
        Some(n) => Some(n),
        None => inv
            .workloads
            .iter()
            .find(|w| w.namespace() == ns)
            .map(|w| w as &dyn Located),
    };
    let Some(target) = target else { return };
    let res = ResourceRef {
        kind: "Namespace".into(),
        namespace: None,
        name: ns.to_string(),
        api_version: Some("v1".into()),
        arn: None,
    };
    cx.report(target, message).on(res);
}
