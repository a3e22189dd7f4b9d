//! The Kubernetes kinds a live scan lists: every kind the rules read, once each, cluster-wide.

use eksguard_core::inventory::Input;

/// One listable kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindSpec {
    /// API group; empty for the core group.
    pub group: &'static str,
    /// Versions eksguard reads, preferred first. Built-in kinds have exactly one.
    pub versions: &'static [&'static str],
    /// Resource name in URLs (`deployments`).
    pub plural: &'static str,
    /// Kind of each item (`Deployment`).
    pub kind: &'static str,
    /// The input a successful list provides; `None` for kinds rules read without one (custom
    /// resources that only add findings, PersistentVolumes).
    pub input: Option<Input>,
    /// A custom resource that may not be installed: its absence is a note, not a failure.
    pub optional: bool,
}

impl KindSpec {
    /// `deployments.apps`, `pods`: how RBAC and kubectl name the resource.
    pub fn resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `apps/v1`, `v1`.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{version}", self.group)
        }
    }

    /// The cluster-wide list path.
    pub fn path(&self, version: &str) -> String {
        if self.group.is_empty() {
            format!("/api/{version}/{}", self.plural)
        } else {
            format!("/apis/{}/{version}/{}", self.group, self.plural)
        }
    }

    /// Request label for counting (`GET apps/v1 deployments`).
    pub fn label(&self, version: &str) -> String {
        format!("GET {} {}", self.api_version(version), self.plural)
    }

    /// Snapshot file stem (`apps.v1.deployments`, `v1.pods`).
    pub fn file_stem(&self, version: &str) -> String {
        if self.group.is_empty() {
            format!("{version}.{}", self.plural)
        } else {
            format!("{}.{version}.{}", self.group, self.plural)
        }
    }
}

const fn builtin(
    group: &'static str,
    version: &'static [&'static str],
    plural: &'static str,
    kind: &'static str,
    input: Option<Input>,
) -> KindSpec {
    KindSpec {
        group,
        versions: version,
        plural,
        kind,
        input,
        optional: false,
    }
}

const fn custom(
    group: &'static str,
    versions: &'static [&'static str],
    plural: &'static str,
    kind: &'static str,
    input: Option<Input>,
) -> KindSpec {
    KindSpec {
        group,
        versions,
        plural,
        kind,
        input,
        optional: true,
    }
}

const V1: &[&str] = &["v1"];

/// Secrets: listed separately, metadata only.
pub const SECRETS: KindSpec = builtin("", V1, "secrets", "Secret", Some(Input::Secrets));

/// Nodes: listed (metadata only) only to read each node's kubelet configuration.
pub const NODES: KindSpec = builtin("", V1, "nodes", "Node", None);

/// Every kind listed with its full objects. Secrets are listed apart ([`SECRETS`]).
pub const KINDS: &[KindSpec] = &[
    builtin("", V1, "namespaces", "Namespace", Some(Input::Namespaces)),
    builtin("", V1, "pods", "Pod", Some(Input::Workloads)),
    builtin(
        "",
        V1,
        "serviceaccounts",
        "ServiceAccount",
        Some(Input::ServiceAccounts),
    ),
    builtin("", V1, "configmaps", "ConfigMap", Some(Input::ConfigMaps)),
    builtin("", V1, "services", "Service", Some(Input::Services)),
    builtin(
        "",
        V1,
        "resourcequotas",
        "ResourceQuota",
        Some(Input::ResourceQuotas),
    ),
    builtin(
        "",
        V1,
        "limitranges",
        "LimitRange",
        Some(Input::ResourceQuotas),
    ),
    builtin("", V1, "persistentvolumes", "PersistentVolume", None),
    builtin(
        "apps",
        V1,
        "deployments",
        "Deployment",
        Some(Input::Workloads),
    ),
    builtin(
        "apps",
        V1,
        "statefulsets",
        "StatefulSet",
        Some(Input::Workloads),
    ),
    builtin(
        "apps",
        V1,
        "daemonsets",
        "DaemonSet",
        Some(Input::Workloads),
    ),
    builtin(
        "apps",
        V1,
        "replicasets",
        "ReplicaSet",
        Some(Input::Workloads),
    ),
    builtin("batch", V1, "jobs", "Job", Some(Input::Workloads)),
    builtin("batch", V1, "cronjobs", "CronJob", Some(Input::Workloads)),
    builtin(
        "rbac.authorization.k8s.io",
        V1,
        "roles",
        "Role",
        Some(Input::Roles),
    ),
    builtin(
        "rbac.authorization.k8s.io",
        V1,
        "clusterroles",
        "ClusterRole",
        Some(Input::Roles),
    ),
    builtin(
        "rbac.authorization.k8s.io",
        V1,
        "rolebindings",
        "RoleBinding",
        Some(Input::RoleBindings),
    ),
    builtin(
        "rbac.authorization.k8s.io",
        V1,
        "clusterrolebindings",
        "ClusterRoleBinding",
        Some(Input::RoleBindings),
    ),
    builtin(
        "networking.k8s.io",
        V1,
        "ingresses",
        "Ingress",
        Some(Input::Ingresses),
    ),
    builtin(
        "networking.k8s.io",
        V1,
        "networkpolicies",
        "NetworkPolicy",
        Some(Input::NetworkPolicies),
    ),
    builtin(
        "storage.k8s.io",
        V1,
        "storageclasses",
        "StorageClass",
        Some(Input::StorageClasses),
    ),
    custom(
        "security.istio.io",
        &["v1", "v1beta1"],
        "peerauthentications",
        "PeerAuthentication",
        Some(Input::MeshPolicies),
    ),
    custom(
        "vpcresources.k8s.aws",
        &["v1beta1"],
        "securitygrouppolicies",
        "SecurityGroupPolicy",
        None,
    ),
    custom(
        "karpenter.k8s.aws",
        &["v1", "v1beta1"],
        "ec2nodeclasses",
        "EC2NodeClass",
        Some(Input::KarpenterNodeClasses),
    ),
    custom(
        "crd.projectcalico.org",
        V1,
        "networkpolicies",
        "NetworkPolicy",
        None,
    ),
    custom(
        "crd.projectcalico.org",
        V1,
        "globalnetworkpolicies",
        "GlobalNetworkPolicy",
        None,
    ),
];
