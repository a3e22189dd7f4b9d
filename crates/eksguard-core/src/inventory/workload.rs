//! One view of every object that runs pods: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! Job and CronJob become a pod spec with its owner, namespace and source location.

use k8s_openapi::api::core::v1::{
    Capabilities, ContainerPort, EnvFromSource, EnvVar, PodSpec, ResourceRequirements,
    SecurityContext, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::source::{Located, ResourceRef, Source};

/// A workload: the pod spec it runs, where it is, where it came from.
#[derive(Debug, Clone)]
pub struct Workload {
    pub res: ResourceRef,
    pub src: Source,
    /// Metadata of the workload object itself.
    pub meta: ObjectMeta,
    /// Metadata of its pod template (the same as `meta` for a Pod).
    pub template: ObjectMeta,
    pub spec: PodSpec,
    /// Field path of the pod spec inside the object (`spec`, `spec.template.spec`, ...).
    pub spec_path: &'static str,
    /// The object's other fields as read: `apiVersion`, `kind`, the controller's spec beyond
    /// its pod template (`replicas`, `selector`, `schedule`, ...) and `status`; without
    /// `metadata` and the pod template, which `meta`, `template` and `spec` hold.
    /// [`Workload::object_json`] puts the object back together.
    pub rest: serde_json::Value,
}

impl Located for Workload {
    fn res(&self) -> &ResourceRef {
        &self.res
    }
    fn src(&self) -> &Source {
        &self.src
    }
}

/// Which list of the pod spec a container belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Main,
    Ephemeral,
}

impl ContainerKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Init => "init container",
            Self::Main => "container",
            Self::Ephemeral => "ephemeral container",
        }
    }
}

/// A container of any kind, with the fields rules read and its field path.
#[derive(Debug, Clone)]
pub struct ContainerView<'a> {
    pub kind: ContainerKind,
    pub name: &'a str,
    pub image: Option<&'a str>,
    pub security_context: Option<&'a SecurityContext>,
    pub env: &'a [EnvVar],
    pub env_from: &'a [EnvFromSource],
    pub ports: &'a [ContainerPort],
    pub resources: Option<&'a ResourceRequirements>,
    pub volume_mounts: &'a [VolumeMount],
    pub command: &'a [String],
    pub args: &'a [String],
    pub image_pull_policy: Option<&'a str>,
    /// Field path of the container in its object (`spec.template.spec.initContainers[0]`).
    pub path: String,
}

impl ContainerView<'_> {
    /// Field path of a field of this container.
    pub fn field(&self, sub: &str) -> String {
        format!("{}.{sub}", self.path)
    }

    /// `container "web"`, `init container "migrate"`.
    pub fn describe(&self) -> String {
        format!("{} \"{}\"", self.kind.label(), self.name)
    }

    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.security_context.and_then(|s| s.capabilities.as_ref())
    }
}

const EMPTY_ENV: &[EnvVar] = &[];
const EMPTY_ENV_FROM: &[EnvFromSource] = &[];
const EMPTY_PORTS: &[ContainerPort] = &[];
const EMPTY_MOUNTS: &[VolumeMount] = &[];
const EMPTY_STRINGS: &[String] = &[];

/// `value` without what a [`Workload`] holds typed: its `metadata`, and the `metadata` and
/// `spec` of the pod template whose spec is at `spec_path`. Copies only what it keeps.
pub(crate) fn workload_rest(value: &serde_json::Value, spec_path: &str) -> serde_json::Value {
    fn strip(v: &serde_json::Value, template: &[&str], root: bool) -> serde_json::Value {
        let serde_json::Value::Object(m) = v else {
            return v.clone();
        };
        let mut out = serde_json::Map::new();
        for (k, child) in m {
            let kept = match template.split_first() {
                _ if root && k == "metadata" => None,
                None if k == "spec" || k == "metadata" => None,
                Some((first, more)) if k == first => Some(strip(child, more, false)),
                _ => Some(child.clone()),
            };
            if let Some(c) = kept {
                out.insert(k.clone(), c);
            }
        }
        serde_json::Value::Object(out)
    }
    let segments: Vec<&str> = spec_path.split('.').collect();
    let template = segments.split_last().map_or(&[][..], |(_, t)| t);
    strip(value, template, true)
}

impl Workload {
    /// The whole object as JSON, as the input had it (less fields k8s-openapi does not know).
    pub fn object_json(&self) -> serde_json::Value {
        use serde_json::Value;
        fn to<T: serde::Serialize>(v: &T) -> Value {
            serde_json::to_value(v).unwrap_or(Value::Null)
        }
        let mut obj = match &self.rest {
            Value::Object(m) => m.clone(),
            _ => serde_json::Map::new(),
        };
        obj.insert("metadata".into(), to(&self.meta));
        let segments: Vec<&str> = self.spec_path.split('.').collect();
        let Some((last, template)) = segments.split_last() else {
            return Value::Object(obj);
        };
        let mut at = &mut obj;
        for seg in template {
            let next = at
                .entry((*seg).to_string())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if !next.is_object() {
                *next = Value::Object(serde_json::Map::new());
            }
            let Value::Object(m) = next else {
                return Value::Object(obj);
            };
            at = m;
        }
        if !template.is_empty() {
            at.insert("metadata".into(), to(&self.template));
        }
        at.insert((*last).to_string(), to(&self.spec));
        Value::Object(obj)
    }

    /// The namespace the workload runs in (`default` when the manifest leaves it out, as
    /// `kubectl apply` does without `-n`).
    pub fn namespace(&self) -> &str {
        self.res.namespace.as_deref().unwrap_or("default")
    }

    /// Whether the manifest names its namespace explicitly.
    pub fn namespace_explicit(&self) -> bool {
        self.res.namespace.is_some()
    }

    /// Field path of a pod spec field (`hostNetwork` -> `spec.template.spec.hostNetwork`).
    pub fn field(&self, sub: &str) -> String {
        format!("{}.{sub}", self.spec_path)
    }

    /// Field path, in this object, of a path relative to the pod (`containers[0].image`, or
    /// `metadata.annotations[...]` for the pod template's metadata).
    pub fn pod_field(&self, rel: &str) -> String {
        match rel.strip_prefix("metadata") {
            Some(rest) => match self.spec_path.strip_suffix(".spec") {
                Some(owner) => format!("{owner}.metadata{rest}"),
                None => rel.to_string(),
            },
            None => self.field(rel),
        }
    }

    /// The service account the pods run as (`default` when unset).
    pub fn service_account(&self) -> &str {
        self.spec
            .service_account_name
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
    }

    /// Every container: init, main and ephemeral.
    pub fn containers(&self) -> Vec<ContainerView<'_>> {
        // The three container types share the fields rules read but not a Rust type.
        macro_rules! views {
            ($out:ident, $list:expr, $kind:expr, $field:literal) => {
                for (i, c) in $list.iter().enumerate() {
                    $out.push(ContainerView {
                        kind: $kind,
                        name: &c.name,
                        image: c.image.as_deref(),
                        security_context: c.security_context.as_ref(),
                        env: c.env.as_deref().unwrap_or(EMPTY_ENV),
                        env_from: c.env_from.as_deref().unwrap_or(EMPTY_ENV_FROM),
                        ports: c.ports.as_deref().unwrap_or(EMPTY_PORTS),
                        resources: c.resources.as_ref(),
                        volume_mounts: c.volume_mounts.as_deref().unwrap_or(EMPTY_MOUNTS),
                        command: c.command.as_deref().unwrap_or(EMPTY_STRINGS),
                        args: c.args.as_deref().unwrap_or(EMPTY_STRINGS),
                        image_pull_policy: c.image_pull_policy.as_deref(),
                        path: format!("{}.{}[{i}]", self.spec_path, $field),
                    });
                }
            };
        }
        let mut out = Vec::new();
        views!(
            out,
            self.spec
                .init_containers
                .iter()
                .flatten()
                .collect::<Vec<_>>(),
            ContainerKind::Init,
            "initContainers"
        );
        views!(out, self.spec.containers, ContainerKind::Main, "containers");
        views!(
            out,
            self.spec
                .ephemeral_containers
                .iter()
                .flatten()
                .collect::<Vec<_>>(),
            ContainerKind::Ephemeral,
            "ephemeralContainers"
        );
        out
    }

    /// `runAsNonRoot` as the kubelet resolves it: the container's setting, else the pod's.
    pub fn effective_run_as_non_root(&self, c: &ContainerView<'_>) -> Option<bool> {
        c.security_context
            .and_then(|s| s.run_as_non_root)
            .or_else(|| {
                self.spec
                    .security_context
                    .as_ref()
                    .and_then(|s| s.run_as_non_root)
            })
    }

    /// `runAsUser` as the kubelet resolves it: the container's setting, else the pod's.
    pub fn effective_run_as_user(&self, c: &ContainerView<'_>) -> Option<i64> {
        c.security_context.and_then(|s| s.run_as_user).or_else(|| {
            self.spec
                .security_context
                .as_ref()
                .and_then(|s| s.run_as_user)
        })
    }

    /// Seccomp profile type as resolved for a container: its own, else the pod's.
    pub fn effective_seccomp<'a>(&'a self, c: &ContainerView<'a>) -> Option<&'a str> {
        c.security_context
            .and_then(|s| s.seccomp_profile.as_ref())
            .or_else(|| {
                self.spec
                    .security_context
                    .as_ref()
                    .and_then(|s| s.seccomp_profile.as_ref())
            })
            .map(|p| p.type_.as_str())
    }
}
