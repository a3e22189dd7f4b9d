use super::util::action_of;
use super::util::is_controller;
use super::util::sensitive_path;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::identity_of;
use crate::detect::detector::{
    Action, PROFILE_NAMESPACES, PROFILE_RESOURCES, Profile, hash, resource_key, verb_bit,
};
use crate::detect::event::Event;
use crate::detect::event::pod_spec;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Learns, per identity (user or service account), which sensitive actions it performs: reading
    /// secrets, creating roles and role bindings, exec into pods, deploying workloads, checking its
    /// own permissions. After the warm-up (`warmup_secs`, 24 hours of event time from the first event,
    /// or a `--state` file that already holds a baseline), the first time an identity performs an
    /// action it has not performed before is reported, with the GuardDuty AnomalousBehavior type it
    /// corresponds to. Workloads deployed with an image repository no workload used during the warm-up
    /// are named as such.
    ///
    /// An action the identity has performed before is still reported when something about it is
    /// new to the identity's baseline: the verb on that resource (an identity that only ever
    /// `get`s secrets now `list`s them) or the namespace (it reads secrets in a namespace it never
    /// acted in). The baseline holds, per identity, the verbs, `verb resource` pairs (64),
    /// namespaces (32), client programs and source networks of its successful requests; a full
    /// list is no longer judged on. Kubernetes components and EKS are not profiled. Baselines are
    /// bounded (`max_identities`, least recently seen evicted).
    ///
    /// ## Why is this bad?
    /// A credential doing something its owner never does is the clearest sign it is in someone else's
    /// hands, and the sensitive actions are exactly the ones an attacker needs.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/pods/exec","verb":"create","user":{"username":"bob","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"pods","namespace":"shop","name":"web-1","subresource":"exec","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":101}}
    /// ```
    pub static RULE = Rule {
        id: "AUD037",
        name: "anomalous-sensitive-action",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "An identity performed a sensitive action it had never performed before",
        remediation: "Confirm the action with the identity's owner; if it was not them, revoke the credential and investigate.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            guardduty: &["CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed", "PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated", "Execution:Kubernetes/AnomalousBehavior.ExecInPod", "PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer", "Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount", "Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed", "PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated", "Discovery:Kubernetes/AnomalousBehavior.PermissionChecked"],
            falco: &["Create Disallowed Pod"],
            urls: &["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.is_system_component() || !cx.state.warmed_up(ev.time, cx.opts) {
        return;
    }
    let Some(action) = action_of(ev) else { return };
    let profile = cx.state.profiles.get(ev.username());
    let known = profile.is_some_and(|p| p.actions & action.bit() != 0);
    let (what, gd_type) = match action {
        Action::SecretsAccessed => (
            "read secrets",
            "CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed",
        ),
        Action::RoleBindingCreated => (
            "created a role binding",
            "PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated",
        ),
        Action::RoleCreated => (
            "created a role",
            "PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated",
        ),
        Action::ExecInPod => (
            "executed a command in a pod",
            "Execution:Kubernetes/AnomalousBehavior.ExecInPod",
        ),
        Action::PermissionChecked => (
            "checked its own permissions",
            "Discovery:Kubernetes/AnomalousBehavior.PermissionChecked",
        ),
        Action::WorkloadDeployed => {
            let spec = pod_spec(ev).unwrap_or_default();
            if spec
                .all_containers()
                .any(crate::detect::event::Container::privileged)
            {
                (
                    "deployed a privileged workload",
                    "PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer",
                )
            } else if spec
                .volumes
                .iter()
                .filter_map(|v| v.host_path.as_ref())
                .any(|h| sensitive_path(&h.path))
            {
                (
                    "deployed a workload with a sensitive host mount",
                    "Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount",
                )
            } else if !is_controller(ev)
                && !cx.state.images.is_empty()
                && spec
                    .all_containers()
                    .any(|c| cx.state.images.get(c.repository()).is_none())
            {
                (
                    "deployed an image repository never deployed during the warm-up",
                    "Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed",
                )
            } else {
                (
                    "deployed a workload",
                    "Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed",
                )
            }
        }
    };
    let novelty = if !known || (what.starts_with("deployed an image") && !is_controller(ev)) {
        Some((String::new(), String::new()))
    } else if is_controller(ev) {
        None
    } else {
        profile.and_then(|p| novelty_of(ev, p))
    };
    let Some((key, detail)) = novelty else {
        return;
    };
    cx.fire(
        format!("{}|{gd_type}|{what}{key}", ev.username()),
        identity_of(ev),
        format!(
            "first time: {} {what}{detail} ({}; GuardDuty type {gd_type})",
            ev.username(),
            ev.target()
        ),
    );
}

/// What is new in a sensitive action the identity has performed before: the verb on that
/// resource (an identity that only ever `get`s one secret now `list`s them all), else the
/// namespace. Lists that are full are not judged (see [`Profile::is_new`]).
fn novelty_of(ev: &Event<'_>, p: &Profile) -> Option<(String, String)> {
    let pair = resource_key(ev.verb(), ev.resource(), ev.subresource());
    if Profile::is_new(&p.resources, pair, PROFILE_RESOURCES) {
        let elsewhere = if p.verbs & verb_bit(ev.verb()) == 0 {
            " nor on anything else"
        } else {
            ""
        };
        let what = if ev.subresource().is_empty() {
            ev.resource().to_string()
        } else {
            format!("{}/{}", ev.resource(), ev.subresource())
        };
        return Some((
            format!("|verb {}", ev.verb()),
            format!(
                " with verb `{}`, never used before on {what}{elsewhere}",
                ev.verb()
            ),
        ));
    }
    let ns = ev.namespace();
    if !ns.is_empty() && Profile::is_new(&p.namespaces, hash(ns), PROFILE_NAMESPACES) {
        return Some((
            format!("|namespace {ns}"),
            format!(" in namespace {ns}, where it had never acted before"),
        ));
    }
    None
}
