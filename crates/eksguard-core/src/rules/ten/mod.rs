//! Multi-tenancy: namespaces as tenant boundaries.

pub mod namespace_without_resource_quota;
pub mod workload_in_default_namespace;
