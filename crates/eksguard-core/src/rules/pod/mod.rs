//! Pod security: the fields of pod specs that decide what a compromised container can do to
//! its node and cluster.

pub mod capabilities_not_dropped;
pub mod container_may_run_as_root;
pub mod dangerous_capabilities;
pub mod default_service_account_used;
pub mod host_namespaces;
pub mod host_port;
pub mod hostpath_volume;
pub mod namespace_without_pss_enforce;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod seccomp_profile_missing;
pub mod service_account_token_automounted;

use crate::inventory::Workload;

/// Whether the pod declares itself a Windows pod (`spec.os.name: windows`): Linux-only
/// settings (runAsNonRoot, capabilities, seccomp, allowPrivilegeEscalation) do not apply.
pub fn is_windows(w: &Workload) -> bool {
    w.spec.os.as_ref().is_some_and(|o| o.name == "windows")
}

/// Capabilities the Pod Security Standards baseline level allows containers to add.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];
