//! The catalog. One file per rule; this list is the registry, sorted by id within domain order.

pub mod util;

pub mod edge;
pub mod eks;
pub mod iam;
pub mod img;
pub mod log;
pub mod net;
pub mod node;
pub mod pod;
pub mod rbac;
pub mod run;
pub mod sec;
pub mod ten;

use crate::rule::Rule;

/// Every built-in rule, in catalog order.
pub static RULES: &[&Rule] = &[
    &eks::public_endpoint_open_to_world::RULE,
    &eks::private_endpoint_disabled::RULE,
    &eks::cluster_security_group_open_to_world::RULE,
    &eks::aws_auth_configmap_only_authentication::RULE,
    &eks::cluster_creator_admin_bootstrapped::RULE,
    &iam::aws_auth_maps_system_masters::RULE,
    &iam::aws_auth_maps_iam_users::RULE,
    &iam::aws_auth_wildcard_principal::RULE,
    &iam::irsa_trust_not_scoped_to_service_account::RULE,
    &iam::node_role_excess_permissions::RULE,
    &iam::aws_node_without_irsa::RULE,
    &iam::workload_role_with_admin_policy::RULE,
    &rbac::binding_to_anonymous::RULE,
    &rbac::cluster_admin_binding::RULE,
    &rbac::wildcard_rbac_rule::RULE,
    &rbac::secrets_read_access::RULE,
    &rbac::pod_exec_access::RULE,
    &rbac::rbac_escalation_verbs::RULE,
    &rbac::default_service_account_bound::RULE,
    &pod::privileged_container::RULE,
    &pod::host_namespaces::RULE,
    &pod::hostpath_volume::RULE,
    &pod::container_may_run_as_root::RULE,
    &pod::privilege_escalation_allowed::RULE,
    &pod::dangerous_capabilities::RULE,
    &pod::capabilities_not_dropped::RULE,
    &pod::service_account_token_automounted::RULE,
    &pod::default_service_account_used::RULE,
    &pod::seccomp_profile_missing::RULE,
    &pod::namespace_without_pss_enforce::RULE,
    &pod::host_port::RULE,
    &pod::namespace_enforces_privileged::RULE,
    &pod::workload_violates_namespace_pss::RULE,
    &pod::pod_security_baseline_violation::RULE,
    &net::namespace_without_network_policy::RULE,
    &net::node_security_group_open_to_world::RULE,
    &net::network_policy_allows_all_ingress::RULE,
    &node::imdsv1_allowed::RULE,
    &node::imds_hop_limit_above_one::RULE,
    &node::ssh_access_enabled::RULE,
    &node::node_volume_unencrypted::RULE,
    &img::image_mutable_tag::RULE,
    &img::ecr_tag_mutable::RULE,
    &img::ecr_scan_on_push_disabled::RULE,
    &img::image_not_pinned_by_digest::RULE,
    &img::ecr_repository_not_kms_encrypted::RULE,
    &sec::secrets_not_envelope_encrypted::RULE,
    &sec::secret_in_env_var::RULE,
    &sec::credential_in_env_value::RULE,
    &sec::credential_in_configmap::RULE,
    &sec::storage_class_unencrypted::RULE,
    &sec::kms_key_rotation_disabled::RULE,
    &sec::kms_key_not_usable::RULE,
    &log::control_plane_audit_logs_disabled::RULE,
    &log::control_plane_logs_incomplete::RULE,
    &log::guardduty_eks_protection_disabled::RULE,
    &ten::workload_in_default_namespace::RULE,
    &ten::namespace_without_resource_quota::RULE,
    &run::runtime_security_agent_missing::RULE,
    &run::writable_root_filesystem::RULE,
    &edge::load_balancer_without_tls::RULE,
    &edge::ingress_without_tls::RULE,
    &edge::load_balancer_open_to_world::RULE,
];

/// Find a rule by id or name (case-insensitive), or by a peer tool's id (`CKV_K8S_16`,
/// `C-0057`, a CIS EKS id, a GuardDuty finding type, ...).
pub fn find(query: &str) -> Vec<&'static Rule> {
    let q = query.trim();
    if let Some(r) = RULES
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(q) || r.name.eq_ignore_ascii_case(q))
    {
        return vec![*r];
    }
    RULES
        .iter()
        .copied()
        .filter(|r| {
            r.references
                .peer_ids()
                .iter()
                .any(|(_, id)| id.eq_ignore_ascii_case(q))
        })
        .collect()
}
