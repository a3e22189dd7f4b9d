//! What the audit detectors share: GuardDuty-style tactics and types, controller and system
//! identities, sensitive host paths, wording, and the learning step that builds the profiles the
//! anomaly detectors read. A leaf of `rules::aud`: the detectors import it, never the registry.

use crate::detect::detector::{Action, Options, Profile, Shared};
use crate::detect::event::{Event, WORKLOAD_RESOURCES};

/// The ATT&CK-style tactic GuardDuty files an API call under (its finding-type prefix).
pub(crate) fn tactic(ev: &Event<'_>) -> &'static str {
    let r = ev.resource();
    let sub = ev.subresource();
    let v = ev.verb();
    if matches!(sub, "exec" | "attach" | "portforward") {
        return "Execution";
    }
    if (r == "secrets" && ev.is_read()) || (r == "serviceaccounts" && sub == "token") {
        return "CredentialAccess";
    }
    if matches!(
        r,
        "selfsubjectaccessreviews" | "selfsubjectrulesreviews" | "subjectaccessreviews"
    ) || ev.is_read()
    {
        return "Discovery";
    }
    if (r == "events" && matches!(v, "delete" | "deletecollection"))
        || matches!(
            r,
            "validatingwebhookconfigurations" | "mutatingwebhookconfigurations" | "networkpolicies"
        )
    {
        return "DefenseEvasion";
    }
    let persistent = WORKLOAD_RESOURCES.contains(&r)
        || matches!(
            r,
            "roles" | "clusterroles" | "rolebindings" | "clusterrolebindings" | "serviceaccounts"
        );
    if persistent && matches!(v, "create" | "update" | "patch") {
        return "Persistence";
    }
    "Impact"
}

/// The GuardDuty finding type of `tactic` and `variant` (`TorIPCaller`, ...); GuardDuty files
/// exec/attach/port-forward under none of these families.
fn guardduty_type(tactic: &str, variant: &str) -> Option<String> {
    (tactic != "Execution").then(|| format!("{tactic}:Kubernetes/{variant}"))
}

/// `" (Discovery:Kubernetes/TorIPCaller)"` or nothing.
pub(crate) fn gd_suffix(tactic: &str, variant: &str) -> String {
    guardduty_type(tactic, variant)
        .map(|t| format!(" (GuardDuty type {t})"))
        .unwrap_or_default()
}

/// A Kubernetes controller creating objects on a user's behalf (pods of a ReplicaSet, ...),
/// or a node's kubelet.
pub(crate) fn is_controller(ev: &Event<'_>) -> bool {
    ev.is_system_component()
        || ev
            .service_account()
            .is_some_and(|(ns, name)| ns == "kube-system" && name.ends_with("-controller"))
}

/// The sensitive action an event is, for anomaly detection.
pub(crate) fn action_of(ev: &Event<'_>) -> Option<Action> {
    if !ev.succeeded() {
        return None;
    }
    Some(match (ev.resource(), ev.subresource(), ev.verb()) {
        ("secrets", "", "get" | "list" | "watch") => Action::SecretsAccessed,
        ("rolebindings" | "clusterrolebindings", "", "create") => Action::RoleBindingCreated,
        ("roles" | "clusterroles", "", "create") => Action::RoleCreated,
        ("pods", "exec", _) => Action::ExecInPod,
        ("selfsubjectaccessreviews" | "selfsubjectrulesreviews", _, "create") => {
            Action::PermissionChecked
        }
        (r, "", "create") if WORKLOAD_RESOURCES.contains(&r) => Action::WorkloadDeployed,
        _ => return None,
    })
}

/// Learn from an event after the detectors have judged it: the identity's baseline, and the
/// images deployed during the warm-up.
pub(crate) fn learn(ev: &Event<'_>, shared: &mut Shared, opts: &Options) {
    if ev.is_system_component() || ev.username().is_empty() {
        return;
    }
    let action = action_of(ev);
    let t = ev.time;
    if let Some(p) = shared
        .profiles
        .entry(ev.username(), opts.max_identities, || Profile {
            first_seen: t,
            ..Profile::default()
        })
    {
        if let Some(a) = action {
            p.actions |= a.bit();
        }
        if let Some(h) = crate::detect::detector::network_key(ev.source_ip()) {
            Profile::remember(
                &mut p.networks,
                h,
                crate::detect::detector::PROFILE_NETWORKS,
            );
        }
        let client = crate::detect::detector::client_of(&ev.user_agent);
        if !client.is_empty() {
            let h = crate::detect::detector::hash(client);
            Profile::remember(&mut p.clients, h, crate::detect::detector::PROFILE_CLIENTS);
        }
        // What it does: verbs, `verb resource` pairs and namespaces, from the requests that
        // succeeded (a denied request is not something the identity does).
        if ev.succeeded() && !ev.verb().is_empty() {
            p.verbs |= crate::detect::detector::verb_bit(ev.verb());
            if !ev.resource().is_empty() {
                let h = crate::detect::detector::resource_key(
                    ev.verb(),
                    ev.resource(),
                    ev.subresource(),
                );
                Profile::remember(
                    &mut p.resources,
                    h,
                    crate::detect::detector::PROFILE_RESOURCES,
                );
            }
            if !ev.namespace().is_empty() {
                let h = crate::detect::detector::hash(ev.namespace());
                Profile::remember(
                    &mut p.namespaces,
                    h,
                    crate::detect::detector::PROFILE_NAMESPACES,
                );
            }
        }
    }
    if action != Some(Action::WorkloadDeployed) || shared.warmed_up(t, opts) {
        return;
    }
    if let Some(spec) = crate::detect::event::pod_spec(ev) {
        for c in spec.all_containers() {
            shared
                .images
                .entry(c.repository(), opts.max_identities, || ());
        }
    }
}

/// Sensitive host paths (Falco's `sensitive_vol_mount` list).
const SENSITIVE_HOST_PATHS: [&str; 12] = [
    "/proc",
    "/var/run/docker.sock",
    "/",
    "/etc",
    "/root",
    "/var/run/crio/crio.sock",
    "/run/containerd/containerd.sock",
    "/home/admin",
    "/var/lib/kubelet",
    "/var/lib/kubelet/pki",
    "/etc/kubernetes",
    "/etc/kubernetes/manifests",
];

/// Whether a host path is sensitive (trailing slashes ignored).
pub(crate) fn sensitive_path(p: &str) -> bool {
    let t = p.trim_end_matches('/');
    let t = if t.is_empty() { "/" } else { t };
    SENSITIVE_HOST_PATHS.contains(&t)
}

/// A verb in the past tense, for messages.
pub fn past(verb: &str) -> &str {
    match verb {
        "create" => "created",
        "update" => "updated",
        "patch" => "patched",
        "delete" => "deleted",
        "deletecollection" => "deleted a collection of",
        "get" => "read",
        "list" => "listed",
        "watch" => "watched",
        other => other,
    }
}

/// `ClusterRole system:discovery`, `Role shop/reader`: the object of an event, for messages.
pub(crate) fn kind_name(ev: &Event<'_>) -> String {
    let kind = match ev.resource() {
        "roles" => "Role",
        "clusterroles" => "ClusterRole",
        "rolebindings" => "RoleBinding",
        "clusterrolebindings" => "ClusterRoleBinding",
        "deployments" => "Deployment",
        "services" => "Service",
        "configmaps" => "ConfigMap",
        "namespaces" => "Namespace",
        "serviceaccounts" => "ServiceAccount",
        other => other,
    };
    if ev.namespace().is_empty() {
        if kind == "Namespace" && !matches!(ev.name(), "kube-system" | "kube-public" | "default") {
            return format!("Namespace {} (not a system namespace)", ev.name());
        }
        format!("{kind} {}", ev.name())
    } else {
        format!("{kind} {}/{}", ev.namespace(), ev.name())
    }
}

/// Service accounts Kubernetes creates in kube-system itself (Falco's `known_sa_list`).
pub(crate) const KNOWN_SYSTEM_SERVICE_ACCOUNTS: [&str; 23] = [
    "coredns",
    "coredns-autoscaler",
    "cronjob-controller",
    "daemon-set-controller",
    "deployment-controller",
    "disruption-controller",
    "endpoint-controller",
    "endpointslice-controller",
    "endpointslicemirroring-controller",
    "generic-garbage-collector",
    "horizontal-pod-autoscaler",
    "job-controller",
    "namespace-controller",
    "node-controller",
    "persistent-volume-binder",
    "pod-garbage-collector",
    "pv-protection-controller",
    "pvc-protection-controller",
    "replicaset-controller",
    "resourcequota-controller",
    "root-ca-cert-publisher",
    "service-account-controller",
    "statefulset-controller",
];
