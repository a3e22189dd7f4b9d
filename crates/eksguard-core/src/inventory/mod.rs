//! The inventory: one immutable model of everything a scan read, Kubernetes and AWS, with the
//! place each object came from. Sources build it; rules only read it.

pub mod aws;
pub mod aws_more;
pub mod eks_access;
pub mod iam;
pub mod kubelet;
mod load;
mod source;
pub mod text;
pub mod value;
mod workload;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use k8s_openapi::api::core::v1::{
    ConfigMap, LimitRange, Namespace, ResourceQuota, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;
use serde_json::Value;

pub use self::aws::*;
pub use self::aws_more::*;
pub use self::eks_access::*;
pub use self::kubelet::KubeletConfig;
pub use self::load::{LAST_APPLIED, LoadOptions, load_bytes, load_text, redact_secret};
pub use self::source::{Located, Obj, ResourceRef, Source};
pub use self::text::{FieldLines, Limits};
pub use self::workload::{ContainerKind, ContainerView, Workload};

/// Namespaces that Kubernetes and EKS own.
pub const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

pub fn is_system_namespace(ns: &str) -> bool {
    SYSTEM_NAMESPACES.contains(&ns)
}

/// A kind of input that rules need. A rule whose inputs are absent is *not evaluated*.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    Namespaces,
    Workloads,
    /// Workloads of kube-system: the input is a whole cluster, not one application.
    ClusterWorkloads,
    ServiceAccounts,
    Roles,
    RoleBindings,
    /// Roles or bindings: either lets the RBAC analysis say who holds what.
    Rbac,
    ConfigMaps,
    /// Secret objects (metadata: names, types, annotations).
    Secrets,
    /// The data keys of Secrets (never their values). Live scans read Secrets' metadata only.
    SecretKeys,
    AwsAuth,
    Services,
    Ingresses,
    /// Services or Ingresses: either configures load balancers.
    LoadBalancers,
    NetworkPolicies,
    /// Istio security policies (`security.istio.io` PeerAuthentication).
    MeshPolicies,
    StorageClasses,
    ResourceQuotas,
    EksCluster,
    Nodegroups,
    LaunchTemplates,
    /// Node groups or launch templates: either tells how nodes are configured.
    NodeConfig,
    SecurityGroups,
    Iam,
    EcrRepositories,
    KmsKeys,
    KmsKeyRotation,
    GuardDuty,
    /// `list-access-entries` or `describe-access-entry` output.
    AccessEntries,
    AccessPolicies,
    PodIdentity,
    Addons,
    FargateProfiles,
    AccessKeys,
    /// The aws-auth ConfigMap or access entries: either tells who may reach the cluster.
    ClusterAccess,
    /// ServiceAccounts, Pod Identity associations or add-ons: what gives workloads IAM roles.
    WorkloadRoles,
    /// Live kubelet configurations (`/api/v1/nodes/NAME/proxy/configz`).
    KubeletConfigs,
    Ec2Instances,
    Subnets,
    LogGroups,
    EcrRepositoryPolicies,
    EcrLifecyclePolicies,
    EcrRegistryScanning,
    Inspector,
    /// Karpenter `EC2NodeClass` objects (`karpenter.k8s.aws`).
    KarpenterNodeClasses,
    CloudTrail,
}

impl Input {
    /// What the user provides to make this input present.
    pub fn how_to_provide(self) -> &'static str {
        match self {
            Self::Namespaces => "Namespace objects",
            Self::Workloads => {
                "workloads (Pods, Deployments, StatefulSets, DaemonSets, Jobs, CronJobs)"
            }
            Self::ClusterWorkloads => {
                "a whole-cluster view (kube-system workloads), e.g. a live scan or `kubectl get -A` output"
            }
            Self::ServiceAccounts => "ServiceAccount objects",
            Self::Roles => "Role or ClusterRole objects",
            Self::RoleBindings => "RoleBinding or ClusterRoleBinding objects",
            Self::Rbac => "Role, ClusterRole, RoleBinding or ClusterRoleBinding objects",
            Self::ConfigMaps => "ConfigMap objects",
            Self::Secrets => "Secret objects (metadata is enough)",
            Self::SecretKeys => {
                "Secret objects with their data keys, e.g. `kubectl get secrets -A -o yaml` (values are dropped at load; a live scan never reads them)"
            }
            Self::AwsAuth => "the kube-system/aws-auth ConfigMap",
            Self::Services => "Service objects",
            Self::Ingresses => "Ingress objects",
            Self::LoadBalancers => "Service or Ingress objects",
            Self::NetworkPolicies => "NetworkPolicy objects",
            Self::MeshPolicies => "Istio PeerAuthentication objects (security.istio.io)",
            Self::StorageClasses => "StorageClass objects",
            Self::ResourceQuotas => "ResourceQuota objects",
            Self::EksCluster => "`aws eks describe-cluster` output",
            Self::Nodegroups => "`aws eks describe-nodegroup` output",
            Self::LaunchTemplates => "`aws ec2 describe-launch-template-versions` output",
            Self::NodeConfig => {
                "`aws eks describe-nodegroup` or `aws ec2 describe-launch-template-versions` output"
            }
            Self::SecurityGroups => "`aws ec2 describe-security-groups` output",
            Self::Iam => "`aws iam get-account-authorization-details` output",
            Self::EcrRepositories => "`aws ecr describe-repositories` output",
            Self::KmsKeys => "`aws kms describe-key` output",
            Self::KmsKeyRotation => "`aws kms get-key-rotation-status` output",
            Self::GuardDuty => "`aws guardduty get-detector` output",
            Self::AccessEntries => {
                "`aws eks list-access-entries` or `aws eks describe-access-entry` output"
            }
            Self::AccessPolicies => "`aws eks list-associated-access-policies` output",
            Self::PodIdentity => {
                "`aws eks describe-pod-identity-association` or `list-pod-identity-associations` output"
            }
            Self::Addons => "`aws eks describe-addon` output",
            Self::FargateProfiles => "`aws eks describe-fargate-profile` output",
            Self::AccessKeys => "`aws iam list-access-keys` output",
            Self::ClusterAccess => {
                "the kube-system/aws-auth ConfigMap or EKS access entries (`aws eks describe-access-entry`)"
            }
            Self::WorkloadRoles => {
                "ServiceAccount objects, `aws eks describe-pod-identity-association` or `aws eks describe-addon` output"
            }
            Self::KubeletConfigs => {
                "`kubectl get --raw /api/v1/nodes/NAME/proxy/configz` output (one per node, optionally with a top-level \"node\": NAME)"
            }
            Self::Ec2Instances => "`aws ec2 describe-instances` output",
            Self::Subnets => "`aws ec2 describe-subnets` output",
            Self::LogGroups => "`aws logs describe-log-groups` output",
            Self::EcrRepositoryPolicies => "`aws ecr get-repository-policy` output",
            Self::EcrLifecyclePolicies => "`aws ecr get-lifecycle-policy` output",
            Self::EcrRegistryScanning => "`aws ecr get-registry-scanning-configuration` output",
            Self::Inspector => "`aws inspector2 batch-get-account-status` output",
            Self::KarpenterNodeClasses => "Karpenter EC2NodeClass objects",
            Self::CloudTrail => "`aws cloudtrail describe-trails` output",
        }
    }
}

/// A document that is neither a Kubernetes object nor a recognised AWS CLI output.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u32>,
    pub reason: String,
}

/// An input that could not be read, parsed or understood.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct LoadError {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Everything a scan read.
/// Call `$m!(list, ...)` with the inventory's typed Kubernetes object lists (each a `Vec<Obj<T>>`
/// with `res`, `src`, `metadata` and `value`; workloads and `other` are separate). Every walk over
/// "all Kubernetes objects" (identities, suppression annotations, policy input) takes the lists
/// from here, so that a kind added to the inventory cannot be missed by one of them.
#[macro_export]
macro_rules! kube_object_lists {
    ($m:ident) => {
        $m!(
            namespaces,
            service_accounts,
            roles,
            cluster_roles,
            role_bindings,
            cluster_role_bindings,
            config_maps,
            secrets,
            services,
            ingresses,
            network_policies,
            storage_classes,
            resource_quotas,
            limit_ranges
        )
    };
}

/// Call `$m!(list, ...)` with the inventory's AWS object lists (each a `Vec<Obj<T>>`), the
/// counterpart of [`kube_object_lists!`].
#[macro_export]
macro_rules! aws_object_lists {
    ($m:ident) => {
        $m!(
            clusters,
            nodegroups,
            launch_templates,
            security_groups,
            iam_roles,
            iam_users,
            iam_policies,
            ecr_repositories,
            kms_keys,
            key_rotations,
            guardduty_detectors,
            access_entries,
            access_policies,
            pod_identity_associations,
            addons,
            fargate_profiles,
            access_keys,
            kubelet_configs,
            instances,
            subnets,
            log_groups,
            ecr_repository_policies,
            ecr_lifecycle_policies,
            ecr_registry_scanning,
            inspector_accounts,
            cloudtrail_trails
        )
    };
}

#[derive(Debug, Default)]
pub struct Inventory {
    pub namespaces: Vec<Obj<Namespace>>,
    pub workloads: Vec<Workload>,
    pub service_accounts: Vec<Obj<ServiceAccount>>,
    pub roles: Vec<Obj<Role>>,
    pub cluster_roles: Vec<Obj<ClusterRole>>,
    pub role_bindings: Vec<Obj<RoleBinding>>,
    pub cluster_role_bindings: Vec<Obj<ClusterRoleBinding>>,
    pub config_maps: Vec<Obj<ConfigMap>>,
    /// Secrets with their values removed at load: only names and keys are kept.
    pub secrets: Vec<Obj<Secret>>,
    pub services: Vec<Obj<Service>>,
    pub ingresses: Vec<Obj<Ingress>>,
    pub network_policies: Vec<Obj<NetworkPolicy>>,
    pub storage_classes: Vec<Obj<StorageClass>>,
    pub resource_quotas: Vec<Obj<ResourceQuota>>,
    pub limit_ranges: Vec<Obj<LimitRange>>,
    /// Kubernetes objects of other kinds (custom resources, ...), as JSON.
    pub other: Vec<Obj<Value>>,

    pub clusters: Vec<Obj<EksCluster>>,
    pub nodegroups: Vec<Obj<Nodegroup>>,
    pub launch_templates: Vec<Obj<LaunchTemplateVersion>>,
    pub security_groups: Vec<Obj<SecurityGroup>>,
    pub iam_roles: Vec<Obj<IamRole>>,
    pub iam_users: Vec<Obj<IamUser>>,
    pub iam_policies: Vec<Obj<ManagedPolicy>>,
    pub ecr_repositories: Vec<Obj<EcrRepository>>,
    pub kms_keys: Vec<Obj<KmsKey>>,
    pub key_rotations: Vec<Obj<KeyRotationStatus>>,
    pub guardduty_detectors: Vec<Obj<GuardDutyDetector>>,
    pub access_entries: Vec<Obj<AccessEntry>>,
    pub access_policies: Vec<Obj<AssociatedAccessPolicies>>,
    pub pod_identity_associations: Vec<Obj<PodIdentityAssociation>>,
    pub addons: Vec<Obj<EksAddon>>,
    pub fargate_profiles: Vec<Obj<FargateProfile>>,
    pub access_keys: Vec<Obj<AccessKey>>,
    pub kubelet_configs: Vec<Obj<KubeletConfig>>,
    pub instances: Vec<Obj<Ec2Instance>>,
    pub subnets: Vec<Obj<Subnet>>,
    pub log_groups: Vec<Obj<LogGroup>>,
    pub ecr_repository_policies: Vec<Obj<EcrRepositoryPolicy>>,
    pub ecr_lifecycle_policies: Vec<Obj<EcrLifecyclePolicy>>,
    pub ecr_registry_scanning: Vec<Obj<EcrRegistryScanning>>,
    pub inspector_accounts: Vec<Obj<InspectorAccount>>,
    pub cloudtrail_trails: Vec<Obj<CloudTrailTrails>>,

    pub skipped: Vec<Skipped>,
    pub errors: Vec<LoadError>,
    present: BTreeSet<Input>,
    /// Inputs a live source tried and could not read, with the reason (access denied, no
    /// credentials, an API that does not exist): their rules are *not evaluated* with it.
    pub unavailable: BTreeMap<Input, String>,
    /// Number of documents read.
    pub documents: usize,
    /// NetworkPolicies by namespace (indices into `network_policies`), built on first use:
    /// policies only select pods of their own namespace, so analyses look there only.
    policies_by_namespace: std::sync::OnceLock<std::collections::HashMap<String, Vec<usize>>>,
    /// Namespace objects by name (index into `namespaces`), with the length of `namespaces`
    /// when it was built: rules look a workload's namespace up once per workload.
    namespaces_by_name: std::sync::OnceLock<(usize, std::collections::HashMap<String, usize>)>,
}

impl Inventory {
    /// Record that an input kind was read (even if it held no objects, as a live list can).
    pub fn mark_present(&mut self, input: Input) {
        if matches!(input, Input::Nodegroups | Input::LaunchTemplates) {
            self.present.insert(Input::NodeConfig);
        }
        if matches!(input, Input::Services | Input::Ingresses) {
            self.present.insert(Input::LoadBalancers);
        }
        if matches!(
            input,
            Input::AwsAuth | Input::AccessEntries | Input::AccessPolicies
        ) {
            self.present.insert(Input::ClusterAccess);
        }
        if matches!(
            input,
            Input::ServiceAccounts | Input::PodIdentity | Input::Addons
        ) {
            self.present.insert(Input::WorkloadRoles);
        }
        if matches!(input, Input::Roles | Input::RoleBindings) {
            self.present.insert(Input::Rbac);
        }
        self.present.insert(input);
    }

    pub fn has(&self, input: Input) -> bool {
        self.present.contains(&input)
    }

    /// The Namespace object named `name`, when the input has it.
    pub fn namespace(&self, name: &str) -> Option<&Obj<Namespace>> {
        let (len, index) = self.namespaces_by_name.get_or_init(|| {
            let mut m = std::collections::HashMap::with_capacity(self.namespaces.len());
            for (i, n) in self.namespaces.iter().enumerate() {
                m.entry(n.res.name.clone()).or_insert(i);
            }
            (self.namespaces.len(), m)
        });
        if *len != self.namespaces.len() {
            // Namespaces were added since the index was built: look the slow way.
            return self.namespaces.iter().find(|n| n.res.name == name);
        }
        index
            .get(name)
            .and_then(|i| self.namespaces.get(*i))
            .filter(|n| n.res.name == name)
    }

    /// The NetworkPolicies of namespace `ns`.
    pub fn network_policies_in(&self, ns: &str) -> impl Iterator<Item = &Obj<NetworkPolicy>> {
        let index = self.policies_by_namespace.get_or_init(|| {
            let mut m: std::collections::HashMap<String, Vec<usize>> =
                std::collections::HashMap::new();
            for (i, p) in self.network_policies.iter().enumerate() {
                let ns = p.res.namespace.as_deref().unwrap_or("default");
                m.entry(ns.to_string()).or_default().push(i);
            }
            m
        });
        index
            .get(ns)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| self.network_policies.get(*i))
    }

    /// Drop workloads whose controller is also in the inventory: a Pod of a ReplicaSet of a
    /// Deployment is reported once, on the Deployment, not three times (live clusters and
    /// `kubectl get all` list all three). A workload whose controller is absent is kept.
    /// Returns how many were dropped.
    pub fn drop_controlled_workloads(&mut self) -> usize {
        let present: BTreeSet<(String, String, String)> = self
            .workloads
            .iter()
            .map(|w| {
                (
                    w.res.kind.clone(),
                    w.namespace().to_string(),
                    w.res.name.clone(),
                )
            })
            .collect();
        let before = self.workloads.len();
        self.workloads.retain(|w| {
            let ns = w.namespace();
            !w.meta.owner_references.iter().flatten().any(|o| {
                o.controller == Some(true)
                    && present.contains(&(o.kind.clone(), ns.to_string(), o.name.clone()))
            })
        });
        before - self.workloads.len()
    }

    /// Record that a source could not read `input`, and why (the first reason wins).
    pub fn mark_unavailable(&mut self, input: Input, reason: impl Into<String>) {
        self.unavailable
            .entry(input)
            .or_insert_with(|| reason.into());
    }

    pub fn present(&self) -> impl Iterator<Item = Input> + '_ {
        self.present.iter().copied()
    }

    /// Append everything of `other` (loaders build one inventory per file, in parallel).
    pub fn extend(&mut self, other: Inventory) {
        let Inventory {
            namespaces,
            workloads,
            service_accounts,
            roles,
            cluster_roles,
            role_bindings,
            cluster_role_bindings,
            config_maps,
            secrets,
            services,
            ingresses,
            network_policies,
            storage_classes,
            resource_quotas,
            limit_ranges,
            other: others,
            clusters,
            nodegroups,
            launch_templates,
            security_groups,
            iam_roles,
            iam_users,
            iam_policies,
            ecr_repositories,
            kms_keys,
            key_rotations,
            guardduty_detectors,
            access_entries,
            access_policies,
            pod_identity_associations,
            addons,
            fargate_profiles,
            access_keys,
            kubelet_configs,
            instances,
            subnets,
            log_groups,
            ecr_repository_policies,
            ecr_lifecycle_policies,
            ecr_registry_scanning,
            inspector_accounts,
            cloudtrail_trails,
            skipped,
            errors,
            present,
            unavailable,
            documents,
            policies_by_namespace: _,
            namespaces_by_name: _,
        } = other; // every field named: a new one fails to compile until it is merged here
        self.policies_by_namespace = std::sync::OnceLock::new();
        self.namespaces_by_name = std::sync::OnceLock::new();
        self.namespaces.extend(namespaces);
        self.workloads.extend(workloads);
        self.service_accounts.extend(service_accounts);
        self.roles.extend(roles);
        self.cluster_roles.extend(cluster_roles);
        self.role_bindings.extend(role_bindings);
        self.cluster_role_bindings.extend(cluster_role_bindings);
        self.config_maps.extend(config_maps);
        self.secrets.extend(secrets);
        self.services.extend(services);
        self.ingresses.extend(ingresses);
        self.network_policies.extend(network_policies);
        self.storage_classes.extend(storage_classes);
        self.resource_quotas.extend(resource_quotas);
        self.limit_ranges.extend(limit_ranges);
        self.other.extend(others);
        self.clusters.extend(clusters);
        self.nodegroups.extend(nodegroups);
        self.launch_templates.extend(launch_templates);
        self.security_groups.extend(security_groups);
        self.iam_roles.extend(iam_roles);
        self.iam_users.extend(iam_users);
        self.iam_policies.extend(iam_policies);
        self.ecr_repositories.extend(ecr_repositories);
        self.kms_keys.extend(kms_keys);
        self.key_rotations.extend(key_rotations);
        self.guardduty_detectors.extend(guardduty_detectors);
        self.access_entries.extend(access_entries);
        self.access_policies.extend(access_policies);
        self.pod_identity_associations
            .extend(pod_identity_associations);
        self.addons.extend(addons);
        self.fargate_profiles.extend(fargate_profiles);
        self.access_keys.extend(access_keys);
        self.kubelet_configs.extend(kubelet_configs);
        self.instances.extend(instances);
        self.subnets.extend(subnets);
        self.log_groups.extend(log_groups);
        self.ecr_repository_policies.extend(ecr_repository_policies);
        self.ecr_lifecycle_policies.extend(ecr_lifecycle_policies);
        self.ecr_registry_scanning.extend(ecr_registry_scanning);
        self.inspector_accounts.extend(inspector_accounts);
        self.cloudtrail_trails.extend(cloudtrail_trails);
        self.skipped.extend(skipped);
        self.errors.extend(errors);
        self.present.extend(present);
        for (input, why) in unavailable {
            self.unavailable.entry(input).or_insert(why);
        }
        self.documents += documents;
    }

    /// The identity of every object (Kubernetes and AWS) in the inventory.
    pub fn resources(&self) -> Vec<&ResourceRef> {
        let mut out: Vec<&ResourceRef> =
            Vec::with_capacity(self.workloads.len() + self.services.len());
        out.extend(self.workloads.iter().map(|w| &w.res));
        macro_rules! add {
            ($($list:ident),*) => {$( out.extend(self.$list.iter().map(|o| &o.res)); )*};
        }
        crate::kube_object_lists!(add);
        add!(other);
        crate::aws_object_lists!(add);
        out
    }

    /// Number of objects (Kubernetes and AWS) in the inventory.
    pub fn object_count(&self) -> usize {
        self.resources().len()
    }

    /// The `kube-system/aws-auth` ConfigMap, if loaded.
    pub fn aws_auth(&self) -> Option<&Obj<ConfigMap>> {
        self.config_maps
            .iter()
            .find(|c| c.res.name == "aws-auth" && c.res.namespace.as_deref() == Some("kube-system"))
    }

    /// The IAM role with this ARN (or role name), if loaded.
    pub fn iam_role(&self, arn: &str) -> Option<&Obj<IamRole>> {
        let name = arn_name(arn);
        self.iam_roles
            .iter()
            .find(|r| r.arn == arn)
            .or_else(|| self.iam_roles.iter().find(|r| r.role_name == name))
    }

    /// The customer-managed policy with this ARN, if loaded.
    pub fn iam_policy(&self, arn: &str) -> Option<&Obj<ManagedPolicy>> {
        self.iam_policies.iter().find(|p| p.arn == arn)
    }

    /// Names of the namespaces the inventory knows of: declared ones and those objects use.
    pub fn namespace_names(&self) -> BTreeSet<&str> {
        let mut out: BTreeSet<&str> = self
            .namespaces
            .iter()
            .map(|n| n.res.name.as_str())
            .collect();
        out.extend(self.workloads.iter().map(Workload::namespace));
        out
    }
}
