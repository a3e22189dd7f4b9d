//! Network security: NetworkPolicies and the security groups around nodes.

pub mod namespace_without_network_policy;
pub mod network_policy_allows_all_ingress;
pub mod node_security_group_open_to_world;
