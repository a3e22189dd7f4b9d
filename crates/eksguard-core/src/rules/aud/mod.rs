//! Audit-log detectors (`AUD`): rules that judge Kubernetes audit events in `eksguard detect`.
//! Each file declares its rule (with `check: audit_events_only`, so `scan` never runs it) and its
//! detection function; [`DETECTORS`] registers the functions by rule, and [`CATALOG`] (the
//! detectors and [`learn`]) is what the detect engine is given: `detect` never names this
//! module.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod util;

pub mod admin_access_to_default_service_account;
pub mod anomalous_sensitive_action;
pub mod anonymous_access_granted;
pub mod anonymous_request_allowed;
pub mod attach_or_exec_pod;
pub mod auth_error_burst;
pub mod aws_auth_modified;
pub mod binding_to_cluster_admin;
pub mod cluster_object_created_or_deleted;
pub mod configmap_with_credentials;
pub mod default_admin_user_activity;
pub mod ephemeral_container_created;
pub mod exec_in_kube_system_pod;
pub mod exposed_dashboard;
pub mod host_namespace_pod_created;
pub mod identity_from_new_network_or_client;
pub mod ingress_without_tls_created;
pub mod malicious_ip_caller;
pub mod new_identity_after_warmup;
pub mod nodeport_service_created;
pub mod pod_created_in_kube_system;
pub mod port_forward;
pub mod privileged_container_created;
pub mod rbac_binding_changed;
pub mod rbac_role_changed;
pub mod role_with_pod_exec_created;
pub mod role_with_wildcard_created;
pub mod role_with_write_privileges_created;
pub mod secret_created_or_deleted;
pub mod secret_read;
pub mod secret_read_denied;
pub mod secrets_enumeration;
pub mod sensitive_mount_container_created;
pub mod service_account_created_in_kube_system;
pub mod service_account_token_created;
pub mod service_account_token_used_outside_cluster;
pub mod system_role_modified;
pub mod tor_ip_caller;
pub mod untrusted_node_join;

use crate::detect::Engine;
use crate::detect::detector::{Detector, Detectors, Options};
use crate::rule::Rule;

pub use util::*;

/// The built-in audit detectors and their learning step: the catalog the detect engine runs.
pub static CATALOG: Detectors = Detectors {
    detectors: DETECTORS,
    learn: util::learn,
};

/// The registered detector of `rule`, if it is an audit rule.
pub fn detector_of(rule: &Rule) -> Option<Detector> {
    CATALOG.of(rule)
}

impl Engine {
    /// An engine running the built-in detectors of `rules` (rules without a detector are
    /// ignored: they are not audit rules).
    pub fn new(rules: &[&'static Rule], opts: Options) -> Self {
        Self::with_detectors(&CATALOG, rules, opts)
    }
}

/// Every audit rule's detection function, in catalog order.
pub static DETECTORS: &[Detector] = &[
    Detector {
        rule: &anonymous_request_allowed::RULE,
        detect: anonymous_request_allowed::detect,
    },
    Detector {
        rule: &anonymous_access_granted::RULE,
        detect: anonymous_access_granted::detect,
    },
    Detector {
        rule: &admin_access_to_default_service_account::RULE,
        detect: admin_access_to_default_service_account::detect,
    },
    Detector {
        rule: &binding_to_cluster_admin::RULE,
        detect: binding_to_cluster_admin::detect,
    },
    Detector {
        rule: &exposed_dashboard::RULE,
        detect: exposed_dashboard::detect,
    },
    Detector {
        rule: &exec_in_kube_system_pod::RULE,
        detect: exec_in_kube_system_pod::detect,
    },
    Detector {
        rule: &attach_or_exec_pod::RULE,
        detect: attach_or_exec_pod::detect,
    },
    Detector {
        rule: &port_forward::RULE,
        detect: port_forward::detect,
    },
    Detector {
        rule: &ephemeral_container_created::RULE,
        detect: ephemeral_container_created::detect,
    },
    Detector {
        rule: &privileged_container_created::RULE,
        detect: privileged_container_created::detect,
    },
    Detector {
        rule: &sensitive_mount_container_created::RULE,
        detect: sensitive_mount_container_created::detect,
    },
    Detector {
        rule: &host_namespace_pod_created::RULE,
        detect: host_namespace_pod_created::detect,
    },
    Detector {
        rule: &pod_created_in_kube_system::RULE,
        detect: pod_created_in_kube_system::detect,
    },
    Detector {
        rule: &service_account_created_in_kube_system::RULE,
        detect: service_account_created_in_kube_system::detect,
    },
    Detector {
        rule: &system_role_modified::RULE,
        detect: system_role_modified::detect,
    },
    Detector {
        rule: &rbac_role_changed::RULE,
        detect: rbac_role_changed::detect,
    },
    Detector {
        rule: &role_with_wildcard_created::RULE,
        detect: role_with_wildcard_created::detect,
    },
    Detector {
        rule: &role_with_write_privileges_created::RULE,
        detect: role_with_write_privileges_created::detect,
    },
    Detector {
        rule: &role_with_pod_exec_created::RULE,
        detect: role_with_pod_exec_created::detect,
    },
    Detector {
        rule: &rbac_binding_changed::RULE,
        detect: rbac_binding_changed::detect,
    },
    Detector {
        rule: &aws_auth_modified::RULE,
        detect: aws_auth_modified::detect,
    },
    Detector {
        rule: &configmap_with_credentials::RULE,
        detect: configmap_with_credentials::detect,
    },
    Detector {
        rule: &secret_read::RULE,
        detect: secret_read::detect,
    },
    Detector {
        rule: &secret_read_denied::RULE,
        detect: secret_read_denied::detect,
    },
    Detector {
        rule: &secrets_enumeration::RULE,
        detect: secrets_enumeration::detect,
    },
    Detector {
        rule: &secret_created_or_deleted::RULE,
        detect: secret_created_or_deleted::detect,
    },
    Detector {
        rule: &cluster_object_created_or_deleted::RULE,
        detect: cluster_object_created_or_deleted::detect,
    },
    Detector {
        rule: &nodeport_service_created::RULE,
        detect: nodeport_service_created::detect,
    },
    Detector {
        rule: &ingress_without_tls_created::RULE,
        detect: ingress_without_tls_created::detect,
    },
    Detector {
        rule: &untrusted_node_join::RULE,
        detect: untrusted_node_join::detect,
    },
    Detector {
        rule: &default_admin_user_activity::RULE,
        detect: default_admin_user_activity::detect,
    },
    Detector {
        rule: &service_account_token_used_outside_cluster::RULE,
        detect: service_account_token_used_outside_cluster::detect,
    },
    Detector {
        rule: &service_account_token_created::RULE,
        detect: service_account_token_created::detect,
    },
    Detector {
        rule: &auth_error_burst::RULE,
        detect: auth_error_burst::detect,
    },
    Detector {
        rule: &tor_ip_caller::RULE,
        detect: tor_ip_caller::detect,
    },
    Detector {
        rule: &malicious_ip_caller::RULE,
        detect: malicious_ip_caller::detect,
    },
    Detector {
        rule: &anomalous_sensitive_action::RULE,
        detect: anomalous_sensitive_action::detect,
    },
    Detector {
        rule: &new_identity_after_warmup::RULE,
        detect: new_identity_after_warmup::detect,
    },
    Detector {
        rule: &identity_from_new_network_or_client::RULE,
        detect: identity_from_new_network_or_client::detect,
    },
];
