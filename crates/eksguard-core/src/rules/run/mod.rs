//! Runtime security: detection on the nodes and immutable containers.

pub mod git_sync_custom_git_binary;
pub mod kubernetes_dashboard_deployed;
pub mod runtime_security_agent_missing;
pub mod ssh_port_exposed;
pub mod sudo_in_container_command;
pub mod tiller_deployed;
pub mod writable_root_filesystem;
