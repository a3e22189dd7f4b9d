//! The 19 Pod Security Admission checks, per policy version, with upstream ids and wording.
//! Each check mirrors `k8s.io/pod-security-admission/policy/check_*.go`; the conformance test
//! runs all 4,537 upstream fixtures against them.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{
    ContainerPort, Lifecycle, LifecycleHandler, PodSpec, Probe, SecurityContext,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::level::{Level, Violation};
use crate::inventory::text::push_key;

/// A check: id, level, its versions (minimum minor version -> logic) and the baseline checks it
/// replaces at the restricted level.
pub struct Check {
    pub id: &'static str,
    pub level: Level,
    /// Sorted by minimum version; the entry with the highest minimum <= the requested version applies.
    versions: &'static [(u32, CheckFn)],
    pub overrides: &'static [&'static str],
}

type CheckFn = fn(&Pod<'_>) -> Option<Violation>;

impl Check {
    fn at(&self, minor: u32) -> Option<CheckFn> {
        self.versions
            .iter()
            .rev()
            .find(|(min, _)| *min <= minor)
            .map(|(_, f)| *f)
    }

    /// Whether the check exists at this version.
    pub fn applies(&self, minor: u32) -> bool {
        self.at(minor).is_some()
    }

    /// Run the check at `minor`; `None` when it passes or does not exist at that version.
    pub fn run(&self, meta: &ObjectMeta, spec: &PodSpec, minor: u32) -> Option<Violation> {
        self.run_on(&Pod::new(meta, spec), minor)
    }

    pub(super) fn run_on(&self, pod: &Pod<'_>, minor: u32) -> Option<Violation> {
        let f = self.at(minor)?;
        f(pod).map(|mut v| {
            v.check = self.id;
            v
        })
    }
}

/// Every check, baseline first, each level sorted by id (the order PSA reports them in).
pub static CHECKS: &[Check] = &[
    Check {
        id: "appArmorProfile",
        level: Level::Baseline,
        versions: &[(0, app_armor_profile)],
        overrides: &[],
    },
    Check {
        id: "capabilities_baseline",
        level: Level::Baseline,
        versions: &[(0, capabilities_baseline)],
        overrides: &[],
    },
    Check {
        id: "hostNamespaces",
        level: Level::Baseline,
        versions: &[(0, host_namespaces)],
        overrides: &[],
    },
    Check {
        id: "hostPathVolumes",
        level: Level::Baseline,
        versions: &[(0, host_path_volumes)],
        overrides: &[],
    },
    Check {
        id: "hostPorts",
        level: Level::Baseline,
        versions: &[(0, host_ports)],
        overrides: &[],
    },
    Check {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        versions: &[(34, host_probes_and_host_lifecycle)],
        overrides: &[],
    },
    Check {
        id: "privileged",
        level: Level::Baseline,
        versions: &[(0, privileged)],
        overrides: &[],
    },
    Check {
        id: "procMount",
        level: Level::Baseline,
        versions: &[(0, proc_mount), (35, proc_mount_1_35)],
        overrides: &[],
    },
    Check {
        id: "seLinuxOptions",
        level: Level::Baseline,
        versions: &[(0, se_linux_options_1_0), (31, se_linux_options_1_31)],
        overrides: &[],
    },
    Check {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        versions: &[
            (0, seccomp_baseline_annotations),
            (19, seccomp_baseline_fields),
        ],
        overrides: &[],
    },
    Check {
        id: "sysctls",
        level: Level::Baseline,
        versions: &[
            (0, sysctls_1_0),
            (27, sysctls_1_27),
            (29, sysctls_1_29),
            (32, sysctls_1_32),
            (37, sysctls_1_37),
        ],
        overrides: &[],
    },
    Check {
        id: "windowsHostProcess",
        level: Level::Baseline,
        versions: &[(0, windows_host_process)],
        overrides: &[],
    },
    Check {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        versions: &[
            (8, allow_privilege_escalation),
            (25, allow_privilege_escalation_1_25),
        ],
        overrides: &[],
    },
    Check {
        id: "capabilities_restricted",
        level: Level::Restricted,
        versions: &[
            (22, capabilities_restricted),
            (25, capabilities_restricted_1_25),
        ],
        overrides: &["capabilities_baseline"],
    },
    Check {
        id: "procMount_restricted",
        level: Level::Restricted,
        versions: &[(35, proc_mount)],
        overrides: &["procMount"],
    },
    Check {
        id: "restrictedVolumes",
        level: Level::Restricted,
        versions: &[(0, restricted_volumes)],
        overrides: &["hostPathVolumes"],
    },
    Check {
        id: "runAsNonRoot",
        level: Level::Restricted,
        versions: &[(0, run_as_non_root), (35, run_as_non_root_1_35)],
        overrides: &[],
    },
    Check {
        id: "runAsUser",
        level: Level::Restricted,
        versions: &[(23, run_as_user), (35, run_as_user_1_35)],
        overrides: &[],
    },
    Check {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        versions: &[(19, seccomp_restricted), (25, seccomp_restricted_1_25)],
        overrides: &["seccompProfile_baseline"],
    },
];

/// A container of any kind, as PSA's `visitContainers` sees it.
struct C<'a> {
    name: &'a str,
    sc: Option<&'a SecurityContext>,
    ports: &'a [ContainerPort],
    probes: [Option<&'a Probe>; 3],
    lifecycle: Option<&'a Lifecycle>,
    /// `initContainers`, `containers` or `ephemeralContainers`, and the index in it: the
    /// field path is only built when a violation names it.
    list: &'static str,
    index: usize,
}

impl C<'_> {
    fn field(&self, sub: &str) -> String {
        format!("{}[{}].{sub}", self.list, self.index)
    }
}

/// A pod as the checks see it, built once per evaluation.
pub(super) struct Pod<'a> {
    meta: &'a ObjectMeta,
    spec: &'a PodSpec,
    /// Init containers, then containers, then ephemeral containers.
    containers: Vec<C<'a>>,
}

impl<'a> Pod<'a> {
    pub(super) fn new(meta: &'a ObjectMeta, spec: &'a PodSpec) -> Self {
        let mut containers = Vec::with_capacity(
            spec.containers.len() + spec.init_containers.as_ref().map_or(0, Vec::len),
        );
        macro_rules! visit {
            ($list:expr, $name:literal) => {
                for (i, c) in $list.enumerate() {
                    containers.push(C {
                        name: &c.name,
                        sc: c.security_context.as_ref(),
                        ports: c.ports.as_deref().unwrap_or_default(),
                        probes: [
                            c.liveness_probe.as_ref(),
                            c.readiness_probe.as_ref(),
                            c.startup_probe.as_ref(),
                        ],
                        lifecycle: c.lifecycle.as_ref(),
                        list: $name,
                        index: i,
                    });
                }
            };
        }
        visit!(spec.init_containers.iter().flatten(), "initContainers");
        visit!(spec.containers.iter(), "containers");
        visit!(
            spec.ephemeral_containers.iter().flatten(),
            "ephemeralContainers"
        );
        Self {
            meta,
            spec,
            containers,
        }
    }

    fn windows(&self) -> bool {
        self.spec.os.as_ref().is_some_and(|o| o.name == "windows")
    }

    fn user_namespace(&self) -> bool {
        self.spec.host_users == Some(false)
    }

    fn psc(&self) -> Option<&'a k8s_openapi::api::core::v1::PodSecurityContext> {
        self.spec.security_context.as_ref()
    }
}

fn plural(one: &'static str, many: &'static str, n: usize) -> &'static str {
    if n == 1 { one } else { many }
}

/// `"a", "b"`: PSA's joinQuote.
fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let inner: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("\"{}\"", inner.join("\", \""))
}

/// Go's `%q` for annotation values.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                use std::fmt::Write;
                let _ = if (c as u32) < 0x80 {
                    write!(out, "\\x{:02x}", c as u32)
                } else {
                    write!(out, "\\u{:04x}", c as u32)
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn containers_phrase(names: &[&str]) -> String {
    format!(
        "{} {}",
        plural("container", "containers", names.len()),
        join_quote(names)
    )
}

#[allow(clippy::unnecessary_wraps)] // every check returns Option<Violation>
fn violation(
    reason: impl Into<String>,
    detail: impl Into<String>,
    fields: Vec<String>,
) -> Option<Violation> {
    Some(Violation {
        check: "",
        reason: reason.into(),
        detail: detail.into(),
        fields,
    })
}

fn annotation_field(key: &str) -> String {
    let mut p = String::from("metadata.annotations");
    push_key(&mut p, key);
    p
}

// ---------------------------------------------------------------- baseline

fn app_armor_profile(p: &Pod<'_>) -> Option<Violation> {
    let allowed = |t: &str| t == "RuntimeDefault" || t == "Localhost";
    let mut setters: Vec<String> = Vec::new();
    let mut bad_values: BTreeSet<String> = BTreeSet::new();
    let mut fields = Vec::new();
    if let Some(a) = p.psc().and_then(|s| s.app_armor_profile.as_ref())
        && !allowed(&a.type_)
    {
        setters.push("pod".into());
        bad_values.insert(a.type_.clone());
        fields.push("securityContext.appArmorProfile.type".into());
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if let Some(a) = c.sc.and_then(|s| s.app_armor_profile.as_ref())
            && !allowed(&a.type_)
        {
            bad.push(c.name);
            bad_values.insert(a.type_.clone());
            fields.push(c.field("securityContext.appArmorProfile.type"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    let mut annotations: Vec<String> = Vec::new();
    for (k, v) in p.meta.annotations.iter().flatten() {
        if k.starts_with("container.apparmor.security.beta.kubernetes.io/")
            && !(v.is_empty() || v == "runtime/default" || v.starts_with("localhost/"))
        {
            annotations.push(format!("{k}={}", go_quote(v)));
            fields.push(annotation_field(k));
        }
    }
    annotations.sort();
    let mut list: Vec<String> = bad_values.into_iter().collect();
    if !annotations.is_empty() {
        setters.push(plural("annotation", "annotations", annotations.len()).into());
        list.extend(annotations);
    }
    if setters.is_empty() {
        return None;
    }
    violation(
        plural(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            list.len(),
        ),
        format!(
            "{} must not set AppArmor profile type to {}",
            setters.join(" and "),
            join_quote(&list)
        ),
        fields,
    )
}

const BASELINE_CAPS: &[&str] = &[
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

fn capabilities_baseline(p: &Pod<'_>) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut caps = BTreeSet::new();
    let mut fields = Vec::new();
    for c in &p.containers {
        let Some(add) =
            c.sc.and_then(|s| s.capabilities.as_ref())
                .and_then(|k| k.add.as_ref())
        else {
            continue;
        };
        let mut found = false;
        for (i, cap) in add.iter().enumerate() {
            if !BASELINE_CAPS.contains(&cap.as_str()) {
                caps.insert(cap.as_str());
                fields.push(c.field(&format!("securityContext.capabilities.add[{i}]")));
                found = true;
            }
        }
        if found {
            bad.push(c.name);
        }
    }
    if bad.is_empty() {
        return None;
    }
    let caps: Vec<&str> = caps.into_iter().collect();
    violation(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&bad),
            join_quote(&caps)
        ),
        fields,
    )
}

fn host_namespaces(p: &Pod<'_>) -> Option<Violation> {
    let mut items = Vec::new();
    let mut fields = Vec::new();
    for (on, name) in [
        (p.spec.host_network, "hostNetwork"),
        (p.spec.host_pid, "hostPID"),
        (p.spec.host_ipc, "hostIPC"),
    ] {
        if on == Some(true) {
            items.push(format!("{name}=true"));
            fields.push(name.to_string());
        }
    }
    if items.is_empty() {
        return None;
    }
    violation("host namespaces", items.join(", "), fields)
}

fn host_path_volumes(p: &Pod<'_>) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut fields = Vec::new();
    for (i, v) in p.spec.volumes.iter().flatten().enumerate() {
        if v.host_path.is_some() {
            bad.push(v.name.as_str());
            fields.push(format!("volumes[{i}].hostPath"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    violation(
        "hostPath volumes",
        format!(
            "{} {}",
            plural("volume", "volumes", bad.len()),
            join_quote(&bad)
        ),
        fields,
    )
}

fn host_ports(p: &Pod<'_>) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut ports = BTreeSet::new();
    let mut fields = Vec::new();
    for c in &p.containers {
        let mut found = false;
        for (i, port) in c.ports.iter().enumerate() {
            if let Some(hp) = port.host_port.filter(|hp| *hp != 0) {
                ports.insert(hp.to_string());
                fields.push(c.field(&format!("ports[{i}].hostPort")));
                found = true;
            }
        }
        if found {
            bad.push(c.name);
        }
    }
    if bad.is_empty() {
        return None;
    }
    let ports: Vec<String> = ports.into_iter().collect();
    violation(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad),
            plural("uses", "use", bad.len()),
            plural("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
        fields,
    )
}

fn host_probes_and_host_lifecycle(p: &Pod<'_>) -> Option<Violation> {
    let mut bad = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    let mut fields = Vec::new();
    for c in &p.containers {
        let mut check = |host: Option<&String>, field: String| {
            if let Some(h) = host.filter(|h| !h.is_empty()) {
                bad.insert(c.name);
                hosts.insert(h.clone());
                fields.push(field);
            }
        };
        for (probe, name) in
            c.probes
                .iter()
                .zip(["livenessProbe", "readinessProbe", "startupProbe"])
        {
            if let Some(probe) = probe {
                check(
                    probe.http_get.as_ref().and_then(|h| h.host.as_ref()),
                    c.field(&format!("{name}.httpGet.host")),
                );
                check(
                    probe.tcp_socket.as_ref().and_then(|h| h.host.as_ref()),
                    c.field(&format!("{name}.tcpSocket.host")),
                );
            }
        }
        if let Some(l) = c.lifecycle {
            for (handler, name) in [
                (l.post_start.as_ref(), "postStart"),
                (l.pre_stop.as_ref(), "preStop"),
            ] {
                let Some(h): Option<&LifecycleHandler> = handler else {
                    continue;
                };
                check(
                    h.http_get.as_ref().and_then(|x| x.host.as_ref()),
                    c.field(&format!("lifecycle.{name}.httpGet.host")),
                );
                check(
                    h.tcp_socket.as_ref().and_then(|x| x.host.as_ref()),
                    c.field(&format!("lifecycle.{name}.tcpSocket.host")),
                );
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    let bad: Vec<&str> = bad.into_iter().collect();
    let hosts: Vec<String> = hosts.into_iter().collect();
    violation(
        "probe or lifecycle host",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad),
            plural("uses", "use", bad.len()),
            plural(
                "probe or lifecycle host",
                "probe or lifecycle hosts",
                hosts.len()
            ),
            join_quote(&hosts)
        ),
        fields,
    )
}

fn privileged(p: &Pod<'_>) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut fields = Vec::new();
    for c in &p.containers {
        if c.sc.and_then(|s| s.privileged) == Some(true) {
            bad.push(c.name);
            fields.push(c.field("securityContext.privileged"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    violation(
        "privileged",
        format!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&bad)
        ),
        fields,
    )
}

fn proc_mount(p: &Pod<'_>) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut values = BTreeSet::new();
    let mut fields = Vec::new();
    for c in &p.containers {
        if let Some(pm) = c.sc.and_then(|s| s.proc_mount.as_deref())
            && pm != "Default"
        {
            bad.push(c.name);
            values.insert(pm);
            fields.push(c.field("securityContext.procMount"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    let values: Vec<&str> = values.into_iter().collect();
    violation(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&bad),
            join_quote(&values)
        ),
        fields,
    )
}

fn proc_mount_1_35(p: &Pod<'_>) -> Option<Violation> {
    if p.user_namespace() {
        None
    } else {
        proc_mount(p)
    }
}

fn se_linux_options(p: &Pod<'_>, allowed_types: &[&str]) -> Option<Violation> {
    let mut bad_types = BTreeSet::new();
    let mut set_user = false;
    let mut set_role = false;
    let mut valid = |o: &k8s_openapi::api::core::v1::SELinuxOptions| {
        let mut ok = true;
        let ty = o.type_.as_deref().unwrap_or_default();
        if !allowed_types.contains(&ty) {
            bad_types.insert(ty.to_string());
            ok = false;
        }
        if o.user.as_deref().is_some_and(|u| !u.is_empty()) {
            set_user = true;
            ok = false;
        }
        if o.role.as_deref().is_some_and(|r| !r.is_empty()) {
            set_role = true;
            ok = false;
        }
        ok
    };
    let mut setters: Vec<String> = Vec::new();
    let mut fields = Vec::new();
    if let Some(o) = p.psc().and_then(|s| s.se_linux_options.as_ref())
        && !valid(o)
    {
        setters.push("pod".into());
        fields.push("securityContext.seLinuxOptions".into());
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if let Some(o) = c.sc.and_then(|s| s.se_linux_options.as_ref())
            && !valid(o)
        {
            bad.push(c.name);
            fields.push(c.field("securityContext.seLinuxOptions"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    let mut data = Vec::new();
    if !bad_types.is_empty() {
        let types: Vec<String> = bad_types.into_iter().collect();
        data.push(format!(
            "{} {}",
            plural("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if set_user {
        data.push("user may not be set".to_string());
    }
    if set_role {
        data.push("role may not be set".to_string());
    }
    violation(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters.join(" and "),
            data.join("; ")
        ),
        fields,
    )
}

fn se_linux_options_1_0(p: &Pod<'_>) -> Option<Violation> {
    se_linux_options(
        p,
        &["", "container_t", "container_init_t", "container_kvm_t"],
    )
}

fn se_linux_options_1_31(p: &Pod<'_>) -> Option<Violation> {
    se_linux_options(
        p,
        &[
            "",
            "container_t",
            "container_init_t",
            "container_kvm_t",
            "container_engine_t",
        ],
    )
}

fn seccomp_baseline_annotations(p: &Pod<'_>) -> Option<Violation> {
    let valid =
        |v: &str| v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
    let annotations = p.meta.annotations.as_ref();
    let mut bad = BTreeSet::new();
    let mut fields = Vec::new();
    let mut keys = vec!["seccomp.security.alpha.kubernetes.io/pod".to_string()];
    keys.extend(
        p.containers
            .iter()
            .map(|c| format!("container.seccomp.security.alpha.kubernetes.io/{}", c.name)),
    );
    for k in keys {
        if let Some(v) = annotations.and_then(|a| a.get(&k))
            && !valid(v)
        {
            bad.insert(format!("{k}={}", go_quote(v)));
            fields.push(annotation_field(&k));
        }
    }
    if bad.is_empty() {
        return None;
    }
    let list: Vec<String> = bad.into_iter().collect();
    violation(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            plural("annotation", "annotations", list.len()),
            list.join(", ")
        ),
        fields,
    )
}

fn seccomp_valid(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

fn seccomp_baseline_fields(p: &Pod<'_>) -> Option<Violation> {
    let mut setters: Vec<String> = Vec::new();
    let mut vals = BTreeSet::new();
    let mut fields = Vec::new();
    if let Some(s) = p.psc().and_then(|s| s.seccomp_profile.as_ref())
        && !seccomp_valid(&s.type_)
    {
        setters.push("pod".into());
        vals.insert(s.type_.clone());
        fields.push("securityContext.seccompProfile.type".into());
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if let Some(s) = c.sc.and_then(|s| s.seccomp_profile.as_ref())
            && !seccomp_valid(&s.type_)
        {
            bad.push(c.name);
            vals.insert(s.type_.clone());
            fields.push(c.field("securityContext.seccompProfile.type"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    let vals: Vec<String> = vals.into_iter().collect();
    violation(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.join(" and "),
            join_quote(&vals)
        ),
        fields,
    )
}

const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SYSCTLS_1_37: &[&str] = &[
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

fn sysctls(p: &Pod<'_>, allowed: &[&[&str]]) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut fields = Vec::new();
    for (i, s) in p
        .psc()
        .and_then(|s| s.sysctls.as_ref())
        .into_iter()
        .flatten()
        .enumerate()
    {
        if !allowed.iter().any(|set| set.contains(&s.name.as_str())) {
            bad.push(s.name.as_str());
            fields.push(format!("securityContext.sysctls[{i}].name"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    violation("forbidden sysctls", bad.join(", "), fields)
}

fn sysctls_1_0(p: &Pod<'_>) -> Option<Violation> {
    sysctls(p, &[SYSCTLS_1_0])
}
fn sysctls_1_27(p: &Pod<'_>) -> Option<Violation> {
    sysctls(p, &[SYSCTLS_1_0, SYSCTLS_1_27])
}
fn sysctls_1_29(p: &Pod<'_>) -> Option<Violation> {
    sysctls(p, &[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29])
}
fn sysctls_1_32(p: &Pod<'_>) -> Option<Violation> {
    sysctls(p, &[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29, SYSCTLS_1_32])
}
fn sysctls_1_37(p: &Pod<'_>) -> Option<Violation> {
    sysctls(
        p,
        &[
            SYSCTLS_1_0,
            SYSCTLS_1_27,
            SYSCTLS_1_29,
            SYSCTLS_1_32,
            SYSCTLS_1_37,
        ],
    )
}

fn windows_host_process(p: &Pod<'_>) -> Option<Violation> {
    let mut setters: Vec<String> = Vec::new();
    let mut fields = Vec::new();
    if p.psc()
        .and_then(|s| s.windows_options.as_ref())
        .and_then(|w| w.host_process)
        == Some(true)
    {
        setters.push("pod".into());
        fields.push("securityContext.windowsOptions.hostProcess".into());
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if c.sc
            .and_then(|s| s.windows_options.as_ref())
            .and_then(|w| w.host_process)
            == Some(true)
        {
            bad.push(c.name);
            fields.push(c.field("securityContext.windowsOptions.hostProcess"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    violation(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
        fields,
    )
}

// ---------------------------------------------------------------- restricted

fn allow_privilege_escalation(p: &Pod<'_>) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut fields = Vec::new();
    for c in &p.containers {
        if c.sc.and_then(|s| s.allow_privilege_escalation) != Some(false) {
            bad.push(c.name);
            fields.push(c.field("securityContext.allowPrivilegeEscalation"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    violation(
        "allowPrivilegeEscalation != false",
        format!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad)
        ),
        fields,
    )
}

fn allow_privilege_escalation_1_25(p: &Pod<'_>) -> Option<Violation> {
    if p.windows() {
        None
    } else {
        allow_privilege_escalation(p)
    }
}

fn capabilities_restricted(p: &Pod<'_>) -> Option<Violation> {
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut caps = BTreeSet::new();
    let mut fields = Vec::new();
    for c in &p.containers {
        let Some(k) = c.sc.and_then(|s| s.capabilities.as_ref()) else {
            missing_drop.push(c.name);
            fields.push(c.field("securityContext.capabilities"));
            continue;
        };
        if !k.drop.iter().flatten().any(|d| d == "ALL") {
            missing_drop.push(c.name);
            fields.push(c.field("securityContext.capabilities.drop"));
        }
        let mut found = false;
        for (i, cap) in k.add.iter().flatten().enumerate() {
            if cap != "NET_BIND_SERVICE" {
                caps.insert(cap.as_str());
                fields.push(c.field(&format!("securityContext.capabilities.add[{i}]")));
                found = true;
            }
        }
        if found {
            adding.push(c.name);
        }
    }
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        let caps: Vec<&str> = caps.into_iter().collect();
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            join_quote(&caps)
        ));
    }
    if details.is_empty() {
        return None;
    }
    violation("unrestricted capabilities", details.join("; "), fields)
}

fn capabilities_restricted_1_25(p: &Pod<'_>) -> Option<Violation> {
    if p.windows() {
        None
    } else {
        capabilities_restricted(p)
    }
}

fn restricted_volumes(p: &Pod<'_>) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut types = BTreeSet::new();
    let mut fields = Vec::new();
    for (i, v) in p.spec.volumes.iter().flatten().enumerate() {
        let restricted: [(&str, bool); 21] = [
            ("hostPath", v.host_path.is_some()),
            ("gcePersistentDisk", v.gce_persistent_disk.is_some()),
            ("awsElasticBlockStore", v.aws_elastic_block_store.is_some()),
            ("gitRepo", v.git_repo.is_some()),
            ("nfs", v.nfs.is_some()),
            ("iscsi", v.iscsi.is_some()),
            ("glusterfs", v.glusterfs.is_some()),
            ("rbd", v.rbd.is_some()),
            ("flexVolume", v.flex_volume.is_some()),
            ("cinder", v.cinder.is_some()),
            ("cephfs", v.cephfs.is_some()),
            ("flocker", v.flocker.is_some()),
            ("fc", v.fc.is_some()),
            ("azureFile", v.azure_file.is_some()),
            ("vsphereVolume", v.vsphere_volume.is_some()),
            ("quobyte", v.quobyte.is_some()),
            ("azureDisk", v.azure_disk.is_some()),
            ("photonPersistentDisk", v.photon_persistent_disk.is_some()),
            ("portworxVolume", v.portworx_volume.is_some()),
            ("scaleIO", v.scale_io.is_some()),
            ("storageos", v.storageos.is_some()),
        ];
        let allowed = v.config_map.is_some()
            || v.csi.is_some()
            || v.downward_api.is_some()
            || v.empty_dir.is_some()
            || v.ephemeral.is_some()
            || v.image.is_some()
            || v.persistent_volume_claim.is_some()
            || v.projected.is_some()
            || v.secret.is_some();
        if allowed {
            continue;
        }
        // A volume with no source at all is defaulted to emptyDir by the API server.
        if let Some((ty, _)) = restricted.iter().find(|(_, present)| *present) {
            bad.push(v.name.as_str());
            types.insert(*ty);
            fields.push(format!("volumes[{i}].{ty}"));
        }
    }
    if bad.is_empty() {
        return None;
    }
    let types: Vec<&str> = types.into_iter().collect();
    violation(
        "restricted volume types",
        format!(
            "{} {} {} {} {}",
            plural("volume", "volumes", bad.len()),
            join_quote(&bad),
            plural("uses", "use", bad.len()),
            plural(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&types)
        ),
        fields,
    )
}

fn run_as_non_root(p: &Pod<'_>) -> Option<Violation> {
    let mut setters: Vec<String> = Vec::new();
    let mut fields = Vec::new();
    let pod = p.psc().and_then(|s| s.run_as_non_root);
    if pod == Some(false) {
        setters.push("pod".into());
        fields.push("securityContext.runAsNonRoot".into());
    }
    let pod_ok = pod == Some(true);
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_fields = Vec::new();
    for c in &p.containers {
        match c.sc.and_then(|s| s.run_as_non_root) {
            Some(false) => {
                explicit.push(c.name);
                fields.push(c.field("securityContext.runAsNonRoot"));
            }
            None if !pod_ok => {
                implicit.push(c.name);
                implicit_fields.push(c.field("securityContext.runAsNonRoot"));
            }
            Some(true) | None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        return violation(
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.join(" and ")
            ),
            fields,
        );
    }
    if !implicit.is_empty() {
        return violation(
            "runAsNonRoot != true",
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_phrase(&implicit)
            ),
            implicit_fields,
        );
    }
    None
}

fn run_as_non_root_1_35(p: &Pod<'_>) -> Option<Violation> {
    if p.user_namespace() {
        None
    } else {
        run_as_non_root(p)
    }
}

fn run_as_user(p: &Pod<'_>) -> Option<Violation> {
    let mut setters: Vec<String> = Vec::new();
    let mut fields = Vec::new();
    if p.psc().and_then(|s| s.run_as_user) == Some(0) {
        setters.push("pod".into());
        fields.push("securityContext.runAsUser".into());
    }
    let mut bad = Vec::new();
    for c in &p.containers {
        if c.sc.and_then(|s| s.run_as_user) == Some(0) {
            bad.push(c.name);
            fields.push(c.field("securityContext.runAsUser"));
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    violation(
        "runAsUser=0",
        format!("{} must not set runAsUser=0", setters.join(" and ")),
        fields,
    )
}

fn run_as_user_1_35(p: &Pod<'_>) -> Option<Violation> {
    if p.user_namespace() {
        None
    } else {
        run_as_user(p)
    }
}

fn seccomp_restricted(p: &Pod<'_>) -> Option<Violation> {
    let mut setters: Vec<String> = Vec::new();
    let mut vals = BTreeSet::new();
    let mut fields = Vec::new();
    let mut pod_set = false;
    if let Some(s) = p.psc().and_then(|s| s.seccomp_profile.as_ref()) {
        if seccomp_valid(&s.type_) {
            pod_set = true;
        } else {
            setters.push("pod".into());
            vals.insert(s.type_.clone());
            fields.push("securityContext.seccompProfile.type".into());
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut implicit_fields = Vec::new();
    for c in &p.containers {
        match c.sc.and_then(|s| s.seccomp_profile.as_ref()) {
            Some(s) if !seccomp_valid(&s.type_) => {
                explicit.push(c.name);
                vals.insert(s.type_.clone());
                fields.push(c.field("securityContext.seccompProfile.type"));
            }
            None if !pod_set => {
                implicit.push(c.name);
                implicit_fields.push(c.field("securityContext.seccompProfile"));
            }
            Some(_) | None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if !setters.is_empty() {
        let vals: Vec<String> = vals.into_iter().collect();
        return violation(
            "seccompProfile",
            format!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                join_quote(&vals)
            ),
            fields,
        );
    }
    if !implicit.is_empty() {
        return violation(
            "seccompProfile",
            format!(
                "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                containers_phrase(&implicit)
            ),
            implicit_fields,
        );
    }
    None
}

fn seccomp_restricted_1_25(p: &Pod<'_>) -> Option<Violation> {
    if p.windows() {
        None
    } else {
        seccomp_restricted(p)
    }
}
