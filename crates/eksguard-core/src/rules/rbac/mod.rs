//! Kubernetes RBAC: roles and bindings.

pub mod binding_to_anonymous;
pub mod cluster_admin_binding;
pub mod default_service_account_bound;
pub mod pod_exec_access;
pub mod rbac_escalation_verbs;
pub mod secrets_read_access;
pub mod wildcard_rbac_rule;
