//! Runtime security: detection on the nodes and immutable containers.

pub mod runtime_security_agent_missing;
pub mod writable_root_filesystem;
