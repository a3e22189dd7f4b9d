//! Pod security: the fields of pod specs that decide what a compromised container can do to
//! its node and cluster.

pub mod admission_policy_engine_missing;
pub mod apparmor_unconfined;
pub mod capabilities_not_dropped;
pub mod container_may_run_as_root;
pub mod container_runtime_socket_mounted;
pub mod dangerous_capabilities;
pub mod default_service_account_used;
pub mod host_namespaces;
pub mod host_port;
pub mod hostpath_volume;
pub mod image_pull_policy_not_always;
pub mod namespace_enforces_privileged;
pub mod namespace_pss_without_audit_or_warn;
pub mod namespace_without_pss_enforce;
pub mod net_raw_capability;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod probe_or_lifecycle_host;
pub mod proc_mount_unmasked;
pub mod process_namespace_shared;
pub mod restricted_volume_type;
pub mod root_group;
pub mod run_as_low_uid;
pub mod seccomp_profile_missing;
pub mod seccomp_profile_unconfined;
pub mod selinux_options_forbidden;
pub mod sensitive_host_path_mounted;
pub mod service_account_token_automounted;
pub mod unsafe_sysctls;
pub mod windows_host_process;
pub mod workload_violates_namespace_pss;
pub mod writable_host_path;

use crate::inventory::Workload;

/// Whether the pod declares itself a Windows pod (`spec.os.name: windows`): Linux-only
/// settings (runAsNonRoot, capabilities, seccomp, allowPrivilegeEscalation) do not apply.
pub fn is_windows(w: &Workload) -> bool {
    w.spec.os.as_ref().is_some_and(|o| o.name == "windows")
}

/// Report every workload that fails the Pod Security Admission check `check` at the newest
/// policy version: the POD rules that mirror a PSA check use the evaluator rather than reading
/// the same fields a second way, so they agree with the cluster's admission to the letter.
pub fn report_pss_check(cx: &mut crate::rule::Context<'_>, check: &str) {
    use crate::pss::{Version, evaluate_check};
    for w in &cx.inv.workloads {
        if let Some(v) = evaluate_check(check, &w.template, &w.spec, Version::Latest) {
            let field = v
                .fields
                .first()
                .map_or_else(|| w.spec_path.to_string(), |f| w.pod_field(f));
            cx.report(w, format!("{}: {}", w.res, v.detail)).at(field);
        }
    }
}

/// Like [`report_pss_check`], with PSA's reason before the detail
/// (`forbidden sysctls (kernel.msgmax)`), for checks whose detail alone does not say what is wrong.
pub fn report_pss_reason(cx: &mut crate::rule::Context<'_>, check: &str) {
    use crate::pss::{Version, evaluate_check};
    for w in &cx.inv.workloads {
        if let Some(v) = evaluate_check(check, &w.template, &w.spec, Version::Latest) {
            let field = v
                .fields
                .first()
                .map_or_else(|| w.spec_path.to_string(), |f| w.pod_field(f));
            cx.report(w, format!("{}: {}", w.res, v.message()))
                .at(field);
        }
    }
}

/// A hostPath volume as one container mounts it.
pub struct HostMount<'a> {
    pub container: crate::inventory::ContainerView<'a>,
    /// Index of the mount in the container's `volumeMounts`.
    pub mount: usize,
    pub volume: &'a str,
    /// The host path, without trailing slashes (`/` stays `/`).
    pub path: &'a str,
    pub read_only: bool,
}

impl HostMount<'_> {
    /// Field path of the volume mount.
    pub fn field(&self) -> String {
        self.container
            .field(&format!("volumeMounts[{}]", self.mount))
    }
}

/// Every mount of a hostPath volume by any container (init and ephemeral included). A
/// hostPath volume no container mounts gives nothing to the pod and is not listed.
pub fn host_mounts(w: &Workload) -> Vec<HostMount<'_>> {
    let mut out = Vec::new();
    let volumes = w.spec.volumes.as_deref().unwrap_or_default();
    // Volumes by name, looked up once per mount: linear in the pod's size (a scan of the
    // volumes for each mount took 19 s for 60,000 of each). The first volume of a name wins,
    // as the scan did.
    let mut by_name: std::collections::HashMap<&str, &k8s_openapi::api::core::v1::Volume> =
        std::collections::HashMap::with_capacity(volumes.len());
    for v in volumes {
        by_name.entry(v.name.as_str()).or_insert(v);
    }
    for c in w.containers() {
        for (i, m) in c.volume_mounts.iter().enumerate() {
            let Some(hp) = by_name
                .get(m.name.as_str())
                .and_then(|v| v.host_path.as_ref())
            else {
                continue;
            };
            let trimmed = hp.path.trim_end_matches('/');
            out.push(HostMount {
                container: c.clone(),
                mount: i,
                volume: &m.name,
                path: if trimmed.is_empty() { "/" } else { trimmed },
                read_only: m.read_only == Some(true),
            });
        }
    }
    out
}

/// Whether a host path is a container runtime socket, or a directory that holds one: mounting
/// it lets the container drive the runtime and start privileged containers on the node.
pub fn is_runtime_socket(path: &str) -> bool {
    const SOCKETS: &[&str] = &[
        "docker.sock",
        "containerd.sock",
        "crio.sock",
        "cri-dockerd.sock",
        "dockershim.sock",
    ];
    const SOCKET_DIRS: &[&str] = &[
        "/run",
        "/var/run",
        "/run/containerd",
        "/var/run/containerd",
        "/run/crio",
        "/var/run/crio",
        "/run/docker",
        "/var/run/docker",
    ];
    let file = path.rsplit('/').next().unwrap_or_default();
    SOCKETS.contains(&file) || SOCKET_DIRS.contains(&path)
}
