//! Loaders: text (one file, or stdin) to inventory. Every document is classified by its content
//! (Kubernetes `apiVersion`/`kind`, or the top-level keys of an AWS CLI output), never by its
//! file name. A document that is neither is listed as skipped; one that fails to parse or has a
//! field of the wrong type is an error naming file and line. Nothing is dropped silently.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::safe_error::{kind_of, type_error};

use super::text::{self, Document, FieldLines, Limits, push_index, push_key};
use super::{
    AccessEntry, AccessKey, AssociatedAccessPolicies, CloudTrailTrails, Ec2Instance,
    EcrLifecyclePolicy, EcrRegistryScanning, EcrRepository, EcrRepositoryPolicy, EksAddon,
    EksCluster, FargateProfile, GuardDutyDetector, IamRole, IamUser, Input, InspectorAccount,
    Inventory, KeyRotationStatus, KmsKey, KubeletConfig, LaunchTemplateVersion, LoadError,
    LogGroup, ManagedPolicy, Nodegroup, Obj, PodIdentityAssociation, ResourceRef, SecurityGroup,
    Skipped, Source, Subnet, Workload, is_system_namespace,
};

/// Options for loading text.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub limits: Limits,
}

/// Load the documents of one file (already read into memory) into a new inventory.
pub fn load_text(path: &str, text: &str, opts: &LoadOptions) -> Inventory {
    load_parsed(path, text::parse(text, &opts.limits))
}

/// Load the documents of one file read as bytes, like [`load_text`]. The bytes are split into
/// documents before they are decoded: a document that is not UTF-8 is an error naming the line
/// of its first bad byte, and every other document is loaded.
pub fn load_bytes(path: &str, bytes: &[u8], opts: &LoadOptions) -> Inventory {
    load_parsed(path, text::parse_bytes(bytes, &opts.limits))
}

fn load_parsed(path: &str, parsed: (Vec<Document>, Vec<text::TextError>)) -> Inventory {
    let mut inv = Inventory::default();
    let path: Arc<str> = path.into();
    let (docs, errors) = parsed;
    for e in errors {
        inv.errors.push(LoadError {
            path: path.to_string(),
            line: e.line,
            message: e.message,
        });
    }
    for doc in docs {
        inv.documents += 1;
        load_document(&mut inv, &path, doc);
    }
    inv
}

struct Ctx<'a> {
    path: &'a Arc<str>,
    fields: Arc<FieldLines>,
}

impl Ctx<'_> {
    fn source(&self, base: &str, start: u32, end: u32) -> Source {
        Source {
            path: self.path.clone(),
            start_line: start,
            end_line: end,
            base: base.into(),
            fields: self.fields.clone(),
        }
    }

    /// Source of the value at `base`, with its own line span when known.
    fn source_at(&self, base: &str, doc_start: u32, doc_end: u32) -> Source {
        let (s, e) = if base.is_empty() {
            (doc_start, doc_end)
        } else {
            self.fields.get(base).unwrap_or((doc_start, doc_end))
        };
        self.source(base, s, e)
    }

    fn error(&self, line: Option<u32>, message: String) -> LoadError {
        LoadError {
            path: self.path.to_string(),
            line,
            message,
        }
    }
}

pub(super) fn load_document(inv: &mut Inventory, path: &Arc<str>, doc: Document) {
    let Document {
        value,
        start_line,
        end_line,
        fields,
    } = doc;
    let cx = Ctx {
        path,
        fields: Arc::new(fields),
    };
    let Value::Object(mut obj) = value else {
        inv.skipped.push(Skipped {
            path: path.to_string(),
            start_line: Some(start_line),
            reason: format!(
                "document is {}, not a Kubernetes object or AWS CLI output",
                kind_of(&value)
            ),
        });
        return;
    };

    if is_kubernetes(&obj) {
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if kind.ends_with("List") && obj.get("items").is_some_and(Value::is_array) {
            let api_version = obj
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or("v1")
                .to_string();
            let item_kind = kind.trim_end_matches("List").to_string();
            let Some(Value::Array(items)) = obj.remove("items") else {
                return;
            };
            if items.is_empty() {
                // An empty typed list from the API (`NetworkPolicyList`, as a live scan or its
                // snapshot holds) still says that the cluster has none of the kind.
                if let Some(input) = empty_list_input(&api_version, &item_kind) {
                    inv.mark_present(input);
                }
                return;
            }
            for (i, mut item) in items.into_iter().enumerate() {
                let mut base = String::from("items");
                push_index(&mut base, i);
                let src = cx.source_at(&base, start_line, end_line);
                if let Value::Object(o) = &mut item {
                    // Typed lists from the API (`PodList`) omit the items' kind.
                    if !item_kind.is_empty() && !o.contains_key("kind") {
                        o.insert("kind".into(), Value::String(item_kind.clone()));
                        o.insert("apiVersion".into(), Value::String(api_version.clone()));
                    }
                }
                match item {
                    Value::Object(o) if is_kubernetes(&o) => load_kubernetes(inv, &cx, o, src),
                    other => inv.skipped.push(Skipped {
                        path: path.to_string(),
                        start_line: Some(src.start_line),
                        reason: format!(
                            "List item is {}, not a Kubernetes object",
                            kind_of(&other)
                        ),
                    }),
                }
            }
            return;
        }
        let src = cx.source("", start_line, end_line);
        load_kubernetes(inv, &cx, obj, src);
        return;
    }
    load_aws(inv, &cx, obj, start_line, end_line);
}

/// The input an empty typed list of `kind` items provides.
fn empty_list_input(api_version: &str, kind: &str) -> Option<Input> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    Some(match (group, kind) {
        ("", "Pod") | ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => {
            Input::Workloads
        }
        ("batch", "Job" | "CronJob") => Input::Workloads,
        ("", "Namespace") => Input::Namespaces,
        ("", "ServiceAccount") => Input::ServiceAccounts,
        ("", "ConfigMap") => Input::ConfigMaps,
        ("", "Secret") => Input::Secrets,
        ("", "Service") => Input::Services,
        ("", "ResourceQuota" | "LimitRange") => Input::ResourceQuotas,
        ("rbac.authorization.k8s.io", "Role" | "ClusterRole") => Input::Roles,
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => Input::RoleBindings,
        ("networking.k8s.io", "Ingress") => Input::Ingresses,
        ("networking.k8s.io", "NetworkPolicy") => Input::NetworkPolicies,
        ("storage.k8s.io", "StorageClass") => Input::StorageClasses,
        ("security.istio.io", "PeerAuthentication") => Input::MeshPolicies,
        ("karpenter.k8s.aws", "EC2NodeClass") => Input::KarpenterNodeClasses,
        _ => return None,
    })
}

fn is_kubernetes(o: &Map<String, Value>) -> bool {
    o.get("apiVersion").is_some_and(Value::is_string) && o.get("kind").is_some_and(Value::is_string)
}

/// Deserialize `value` into `T`; on failure, an error naming the field, its line, what was
/// expected and the type found, never the value (it may be a password: see [`crate::safe_error`]).
fn typed<T: DeserializeOwned>(
    cx: &Ctx<'_>,
    src: &Source,
    what: &str,
    value: &Value,
) -> Result<T, LoadError> {
    // Fast path: no path tracking (serde_path_to_error allocates every map key it passes).
    // Only a value that fails is deserialized again, tracked, for the field the error names.
    if let Ok(t) = T::deserialize(value) {
        return Ok(t);
    }
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(t) => Ok(t),
        Err(e) => {
            let mut field = String::new();
            let mut at = Some(value);
            for seg in e.path() {
                match seg {
                    serde_path_to_error::Segment::Seq { index } => {
                        push_index(&mut field, *index);
                        at = at.and_then(|v| v.get(*index));
                    }
                    serde_path_to_error::Segment::Map { key } => {
                        push_key(&mut field, key);
                        at = at.and_then(|v| v.get(key.as_str()));
                    }
                    _ => {}
                }
            }
            let (line, _) = src.lines_of(&field);
            let line = (line > 0).then_some(line);
            let inner = type_error(&e.into_inner().to_string(), at);
            let message = if field.is_empty() {
                format!("{what}: {inner}")
            } else {
                format!("{what}: field `{field}`: {inner}")
            };
            Err(cx.error(line, message))
        }
    }
}

/// The annotation `kubectl apply` writes: the whole object as last applied, which on a Secret
/// holds every value.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Remove the values of a Secret object (`kind: Secret`), keeping its keys: every value of
/// `data` and `stringData` becomes the empty string, and the `last-applied-configuration`
/// annotation (a copy of the values) is dropped. Keys are enough for every rule; nothing that
/// reads the object afterwards (rules, reports, Rego policies, errors) can see a value. Called
/// on every Secret the file loader reads and on every Secret admitted for review.
pub fn redact_secret(obj: &mut Map<String, Value>) {
    for field in ["data", "stringData"] {
        if let Some(Value::Object(m)) = obj.get_mut(field) {
            for v in m.values_mut() {
                *v = Value::String(String::new());
            }
        }
    }
    if let Some(Value::Object(meta)) = obj.get_mut("metadata")
        && let Some(Value::Object(annotations)) = meta.get_mut("annotations")
    {
        annotations.remove(LAST_APPLIED);
    }
}

fn k8s_ref(kind: &str, api_version: &str, meta: &ObjectMeta, namespaced: bool) -> ResourceRef {
    ResourceRef {
        kind: kind.to_string(),
        namespace: if namespaced {
            meta.namespace.clone().filter(|n| !n.is_empty())
        } else {
            None
        },
        name: meta
            .name
            .clone()
            .or_else(|| meta.generate_name.as_ref().map(|g| format!("{g}*")))
            .unwrap_or_default(),
        api_version: Some(api_version.to_string()),
        arn: None,
    }
}

fn load_kubernetes(inv: &mut Inventory, cx: &Ctx<'_>, mut obj: Map<String, Value>, src: Source) {
    use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
    use k8s_openapi::api::{networking::v1 as net, rbac::v1 as rbac, storage::v1 as storage};

    let api_version = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let name = obj
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)")
        .to_string();
    let what = format!("{kind} {name}");

    if kind == "Secret" {
        // A Secret read with its data (a file, `kubectl get -o yaml`) tells which keys it holds;
        // a live scan reads metadata only and never has them.
        if ["data", "stringData"].iter().any(|f| obj.contains_key(*f)) {
            inv.mark_present(Input::SecretKeys);
        }
        redact_secret(&mut obj);
    }
    let value = Value::Object(obj);

    macro_rules! push {
        ($list:ident, $ty:ty, $input:expr, $namespaced:expr) => {{
            match typed::<$ty>(cx, &src, &what, &value) {
                Ok(v) => {
                    let res = k8s_ref(&kind, &api_version, &v.metadata, $namespaced);
                    inv.mark_present($input);
                    inv.$list.push(Obj { value: v, res, src });
                }
                Err(e) => inv.errors.push(e),
            }
        }};
    }
    macro_rules! workload {
        ($ty:ty, $spec_path:expr, |$v:ident, $m:ident| $parts:expr) => {{
            let rest = super::workload::workload_rest(&value, $spec_path);
            match typed::<$ty>(cx, &src, &what, &value) {
                #[allow(unused_mut)]
                Ok(mut $v) => {
                    let $m = std::mem::take(&mut $v.metadata);
                    let res = k8s_ref(&kind, &api_version, &$m, true);
                    let parts: Option<(ObjectMeta, k8s_openapi::api::core::v1::PodSpec)> = $parts;
                    match parts {
                        Some((template, spec)) => {
                            inv.mark_present(super::Input::Workloads);
                            if res.namespace.as_deref().is_some_and(is_system_namespace) {
                                inv.mark_present(super::Input::ClusterWorkloads);
                            }
                            inv.workloads.push(Workload {
                                res,
                                src,
                                meta: $m,
                                template,
                                spec,
                                spec_path: $spec_path,
                                rest,
                            });
                        }
                        None => inv.errors.push(cx.error(
                            Some(src.start_line),
                            format!("{what}: has no pod template spec"),
                        )),
                    }
                }
                Err(e) => inv.errors.push(e),
            }
        }};
    }

    match (api_version.as_str(), kind.as_str()) {
        ("apps/v1", "Deployment") => workload!(apps::Deployment, "spec.template.spec", |v, _m| {
            let t = v.spec.template;
            t.spec.map(|s| (t.metadata.unwrap_or_default(), s))
        }),
        ("apps/v1", "StatefulSet") => {
            workload!(apps::StatefulSet, "spec.template.spec", |v, _m| {
                let t = v.spec.template;
                t.spec.map(|s| (t.metadata.unwrap_or_default(), s))
            });
        }
        ("apps/v1", "DaemonSet") => workload!(apps::DaemonSet, "spec.template.spec", |v, _m| {
            let t = v.spec.template;
            t.spec.map(|s| (t.metadata.unwrap_or_default(), s))
        }),
        ("apps/v1", "ReplicaSet") => workload!(apps::ReplicaSet, "spec.template.spec", |v, _m| {
            v.spec
                .template
                .and_then(|t| Some((t.metadata.unwrap_or_default(), t.spec?)))
        }),
        ("batch/v1", "Job") => workload!(batch::Job, "spec.template.spec", |v, _m| {
            v.spec
                .and_then(|s| Some((s.template.metadata.unwrap_or_default(), s.template.spec?)))
        }),
        ("batch/v1", "CronJob") => workload!(
            batch::CronJob,
            "spec.jobTemplate.spec.template.spec",
            |v, _m| {
                v.spec
                    .job_template
                    .spec
                    .and_then(|s| Some((s.template.metadata.unwrap_or_default(), s.template.spec?)))
            }
        ),
        ("v1", "Pod") => workload!(core::Pod, "spec", |v, m| v.spec.map(|s| (m.clone(), s))),
        ("v1", "Namespace") => push!(namespaces, core::Namespace, Input::Namespaces, false),
        ("v1", "ServiceAccount") => push!(
            service_accounts,
            core::ServiceAccount,
            Input::ServiceAccounts,
            true
        ),
        ("v1", "ConfigMap") => {
            let is_aws_auth = name == "aws-auth"
                && value.pointer("/metadata/namespace").and_then(Value::as_str)
                    == Some("kube-system");
            if is_aws_auth {
                inv.mark_present(Input::AwsAuth);
            }
            push!(config_maps, core::ConfigMap, Input::ConfigMaps, true);
        }
        ("v1", "Secret") => push!(secrets, core::Secret, Input::Secrets, true),
        ("v1", "Service") => push!(services, core::Service, Input::Services, true),
        ("v1", "ResourceQuota") => push!(
            resource_quotas,
            core::ResourceQuota,
            Input::ResourceQuotas,
            true
        ),
        ("v1", "LimitRange") => push!(limit_ranges, core::LimitRange, Input::ResourceQuotas, true),
        ("rbac.authorization.k8s.io/v1", "Role") => push!(roles, rbac::Role, Input::Roles, true),
        ("rbac.authorization.k8s.io/v1", "ClusterRole") => {
            push!(cluster_roles, rbac::ClusterRole, Input::Roles, false);
        }
        ("rbac.authorization.k8s.io/v1", "RoleBinding") => {
            push!(role_bindings, rbac::RoleBinding, Input::RoleBindings, true);
        }
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") => {
            push!(
                cluster_role_bindings,
                rbac::ClusterRoleBinding,
                Input::RoleBindings,
                false
            );
        }
        ("networking.k8s.io/v1", "Ingress") => {
            push!(ingresses, net::Ingress, Input::Ingresses, true);
        }
        ("networking.k8s.io/v1", "NetworkPolicy") => {
            push!(
                network_policies,
                net::NetworkPolicy,
                Input::NetworkPolicies,
                true
            );
        }
        ("storage.k8s.io/v1", "StorageClass") => push!(
            storage_classes,
            storage::StorageClass,
            Input::StorageClasses,
            false
        ),
        _ => {
            let meta: ObjectMeta = value
                .get("metadata")
                .cloned()
                .and_then(|m| serde_json::from_value(m).ok())
                .unwrap_or_default();
            let res = k8s_ref(&kind, &api_version, &meta, true);
            if kind == "PeerAuthentication" && api_version.starts_with("security.istio.io/") {
                inv.mark_present(Input::MeshPolicies);
            }
            if kind == "EC2NodeClass" && api_version.starts_with("karpenter.k8s.aws/") {
                inv.mark_present(Input::KarpenterNodeClasses);
            }
            inv.other.push(Obj { value, res, src });
        }
    }
}

/// The AWS CLI outputs eksguard recognises, by their top-level keys.
fn load_aws(inv: &mut Inventory, cx: &Ctx<'_>, mut obj: Map<String, Value>, start: u32, end: u32) {
    macro_rules! one {
        ($key:literal, $ty:ty, $list:ident, $input:expr, |$v:ident| $res:expr) => {{
            let Some(value) = obj.remove($key) else {
                return;
            };
            let src = cx.source_at($key, start, end);
            match typed::<$ty>(cx, &src, concat!("`", $key, "`"), &value) {
                Ok($v) => {
                    let res = $res;
                    inv.mark_present($input);
                    inv.$list.push(Obj {
                        value: $v,
                        res,
                        src,
                    });
                }
                Err(e) => inv.errors.push(e),
            }
            return;
        }};
    }
    macro_rules! many {
        ($key:literal, $ty:ty, $list:ident, $input:expr, |$v:ident| $res:expr) => {{
            inv.mark_present($input);
            let Some(Value::Array(items)) = obj.remove($key) else {
                return;
            };
            for (i, value) in items.into_iter().enumerate() {
                let mut base = String::from($key);
                push_index(&mut base, i);
                let src = cx.source_at(&base, start, end);
                match typed::<$ty>(cx, &src, concat!("`", $key, "`"), &value) {
                    Ok($v) => {
                        let res = $res;
                        inv.$list.push(Obj {
                            value: $v,
                            res,
                            src,
                        });
                    }
                    Err(e) => inv.errors.push(e),
                }
            }
        }};
    }
    let is_obj = |o: &Map<String, Value>, k: &str| o.get(k).is_some_and(Value::is_object);
    let is_arr = |o: &Map<String, Value>, k: &str| o.get(k).is_some_and(Value::is_array);
    if let Some(manifest) = obj.get("eksguard_snapshot").filter(|v| v.is_object()) {
        // The manifest `eksguard snapshot` writes: what the live scan could not read, so a scan
        // of the snapshot reports the same rules as not evaluated, with the same reasons.
        let entries = manifest
            .get("unavailable")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (i, e) in entries.iter().enumerate() {
            let input = e
                .get("input")
                .cloned()
                .and_then(|v| serde_json::from_value::<Input>(v).ok());
            let reason = e.get("reason").and_then(Value::as_str);
            match (input, reason) {
                (Some(input), Some(reason)) => inv.mark_unavailable(input, reason),
                _ => inv.errors.push(cx.error(
                    Some(start),
                    format!("eksguard_snapshot.unavailable[{i}]: expected {{\"input\", \"reason\"}} naming a known input"),
                )),
            }
        }
        return;
    }

    if is_obj(&obj, "cluster") && obj["cluster"].get("name").is_some() {
        one!("cluster", EksCluster, clusters, Input::EksCluster, |v| {
            ResourceRef::aws("EKSCluster", &v.name, v.arn.as_deref())
        });
    }
    if is_obj(&obj, "nodegroup") && obj["nodegroup"].get("nodegroupName").is_some() {
        one!("nodegroup", Nodegroup, nodegroups, Input::Nodegroups, |v| {
            ResourceRef::aws(
                "EKSNodegroup",
                &v.nodegroup_name,
                v.nodegroup_arn.as_deref(),
            )
        });
    }
    if is_arr(&obj, "LaunchTemplateVersions") {
        many!(
            "LaunchTemplateVersions",
            LaunchTemplateVersion,
            launch_templates,
            Input::LaunchTemplates,
            |v| { ResourceRef::aws("LaunchTemplate", &v.launch_template_name, None) }
        );
        return;
    }
    if is_arr(&obj, "SecurityGroups") {
        many!(
            "SecurityGroups",
            SecurityGroup,
            security_groups,
            Input::SecurityGroups,
            |v| {
                let name = if v.group_name.is_empty() {
                    v.group_id.clone()
                } else {
                    v.group_name.clone()
                };
                ResourceRef::aws("SecurityGroup", &name, None)
            }
        );
        return;
    }
    if ["RoleDetailList", "UserDetailList", "GroupDetailList"]
        .iter()
        .any(|k| is_arr(&obj, k))
    {
        many!("RoleDetailList", IamRole, iam_roles, Input::Iam, |v| {
            ResourceRef::aws("IAMRole", &v.role_name, Some(&v.arn))
        });
        many!("UserDetailList", IamUser, iam_users, Input::Iam, |v| {
            ResourceRef::aws("IAMUser", &v.user_name, Some(&v.arn))
        });
        many!("Policies", ManagedPolicy, iam_policies, Input::Iam, |v| {
            ResourceRef::aws("IAMPolicy", &v.policy_name, Some(&v.arn))
        });
        return;
    }
    if is_obj(&obj, "Role") && obj["Role"].get("RoleName").is_some() {
        // `aws iam get-role`: a role without its permission policies.
        one!(
            "Role",
            IamRole,
            iam_roles,
            Input::Iam,
            |v| ResourceRef::aws("IAMRole", &v.role_name, Some(&v.arn))
        );
    }
    if load_eks_access(inv, cx, &mut obj, start, end) {
        return;
    }
    if is_arr(&obj, "repositories") {
        many!(
            "repositories",
            EcrRepository,
            ecr_repositories,
            Input::EcrRepositories,
            |v| { ResourceRef::aws("ECRRepository", &v.repository_name, Some(&v.repository_arn)) }
        );
        return;
    }
    if is_obj(&obj, "KeyMetadata") {
        one!("KeyMetadata", KmsKey, kms_keys, Input::KmsKeys, |v| {
            ResourceRef::aws("KMSKey", &v.key_id, Some(&v.arn))
        });
    }
    if obj.get("KeyRotationEnabled").is_some_and(Value::is_boolean) {
        let src = cx.source_at("", start, end);
        match typed::<KeyRotationStatus>(
            cx,
            &src,
            "get-key-rotation-status output",
            &Value::Object(obj),
        ) {
            Ok(v) => {
                let id = v.key_id.clone().unwrap_or_default();
                let res = ResourceRef::aws(
                    "KMSKey",
                    super::arn_name(&id),
                    Some(&id)
                        .filter(|a| a.starts_with("arn:"))
                        .map(String::as_str),
                );
                inv.mark_present(Input::KmsKeyRotation);
                inv.key_rotations.push(Obj { value: v, res, src });
            }
            Err(e) => inv.errors.push(e),
        }
        return;
    }
    // Documents that are one object as a whole (no wrapping key).
    macro_rules! whole {
        ($what:literal, $ty:ty, $list:ident, $input:expr, |$v:ident| $res:expr) => {{
            let src = cx.source_at("", start, end);
            match typed::<$ty>(cx, &src, $what, &Value::Object(obj)) {
                Ok($v) => {
                    let res = $res;
                    inv.mark_present($input);
                    inv.$list.push(Obj {
                        value: $v,
                        res,
                        src,
                    });
                }
                Err(e) => inv.errors.push(e),
            }
            return;
        }};
    }
    let is_str = |o: &Map<String, Value>, k: &str| o.get(k).is_some_and(Value::is_string);
    if is_obj(&obj, "kubeletconfig") {
        let stem = file_stem(cx.path);
        whole!(
            "kubelet configz output",
            KubeletConfig,
            kubelet_configs,
            Input::KubeletConfigs,
            |v| ResourceRef::aws("Node", v.node.as_deref().unwrap_or(stem), None)
        );
    }
    if is_arr(&obj, "Reservations") {
        load_instances(inv, cx, &mut obj, start, end);
        return;
    }
    if is_arr(&obj, "Subnets") {
        many!("Subnets", Subnet, subnets, Input::Subnets, |v| {
            ResourceRef::aws("Subnet", &v.subnet_id, None)
        });
        return;
    }
    if is_arr(&obj, "logGroups") {
        many!("logGroups", LogGroup, log_groups, Input::LogGroups, |v| {
            ResourceRef::aws("LogGroup", &v.log_group_name, v.arn.as_deref())
        });
        return;
    }
    // A repository without a repository or lifecycle policy: ECR answers
    // `RepositoryPolicyNotFoundException` / `LifecyclePolicyNotFoundException`, which
    // `eksguard snapshot` records as the output with a null text. The input was read; the
    // repository has none.
    if is_str(&obj, "repositoryName") && obj.get("policyText").is_some_and(Value::is_null) {
        inv.mark_present(Input::EcrRepositoryPolicies);
        return;
    }
    if is_str(&obj, "repositoryName") && obj.get("lifecyclePolicyText").is_some_and(Value::is_null)
    {
        inv.mark_present(Input::EcrLifecyclePolicies);
        return;
    }
    if is_str(&obj, "repositoryName") && is_str(&obj, "policyText") {
        whole!(
            "get-repository-policy output",
            EcrRepositoryPolicy,
            ecr_repository_policies,
            Input::EcrRepositoryPolicies,
            |v| ResourceRef::aws("ECRRepository", &v.repository_name, None)
        );
    }
    if is_str(&obj, "repositoryName") && is_str(&obj, "lifecyclePolicyText") {
        whole!(
            "get-lifecycle-policy output",
            EcrLifecyclePolicy,
            ecr_lifecycle_policies,
            Input::EcrLifecyclePolicies,
            |v| ResourceRef::aws("ECRRepository", &v.repository_name, None)
        );
    }
    if is_obj(&obj, "scanningConfiguration") && obj.contains_key("registryId") {
        whole!(
            "get-registry-scanning-configuration output",
            EcrRegistryScanning,
            ecr_registry_scanning,
            Input::EcrRegistryScanning,
            |v| ResourceRef::aws("ECRRegistry", &v.registry_id, None)
        );
    }
    if is_arr(&obj, "accounts")
        && obj["accounts"]
            .as_array()
            .is_some_and(|a| a.iter().all(|x| x.get("resourceState").is_some()))
    {
        many!(
            "accounts",
            InspectorAccount,
            inspector_accounts,
            Input::Inspector,
            |v| ResourceRef::aws("InspectorAccount", &v.account_id, None)
        );
        return;
    }
    if is_arr(&obj, "trailList") {
        // A region's trail list has no name of its own: it is named by its file.
        let stem = file_stem(cx.path);
        whole!(
            "describe-trails output",
            CloudTrailTrails,
            cloudtrail_trails,
            Input::CloudTrail,
            |v| ResourceRef::aws("CloudTrail", stem, None)
        );
    }
    let guardduty = obj.contains_key("DetectorId")
        || (obj.contains_key("Status")
            && (obj.contains_key("FindingPublishingFrequency") || obj.contains_key("ServiceRole")));
    if guardduty {
        let src = cx.source_at("", start, end);
        match typed::<GuardDutyDetector>(cx, &src, "get-detector output", &Value::Object(obj)) {
            Ok(v) => {
                let res = ResourceRef::aws("GuardDutyDetector", &v.name(), None);
                inv.mark_present(Input::GuardDuty);
                inv.guardduty_detectors.push(Obj { value: v, res, src });
            }
            Err(e) => inv.errors.push(e),
        }
        return;
    }

    let mut keys: Vec<&str> = obj.keys().map(String::as_str).take(6).collect();
    if obj.len() > 6 {
        keys.push("...");
    }
    inv.skipped.push(Skipped {
        path: cx.path.to_string(),
        start_line: Some(start),
        reason: format!(
            "not a Kubernetes object or a recognised AWS CLI output (top-level keys: {})",
            if keys.is_empty() {
                "none".to_string()
            } else {
                keys.join(", ")
            }
        ),
    });
}

/// EKS access entries, access policies, Pod Identity associations, add-ons, Fargate profiles
/// and IAM access keys, by their top-level keys. Returns whether the document was one of them.
fn load_eks_access(
    inv: &mut Inventory,
    cx: &Ctx<'_>,
    obj: &mut Map<String, Value>,
    start: u32,
    end: u32,
) -> bool {
    let is_obj_with = |o: &Map<String, Value>, k: &str, field: &str| {
        o.get(k).is_some_and(|v| v.get(field).is_some())
    };
    let is_arr = |o: &Map<String, Value>, k: &str| o.get(k).is_some_and(Value::is_array);
    macro_rules! push {
        ($list:ident, $ty:ty, $input:expr, $what:expr, $src:expr, $value:expr, |$v:ident| $res:expr) => {{
            let src = $src;
            match typed::<$ty>(cx, &src, $what, &$value) {
                Ok($v) => {
                    let res = $res;
                    inv.mark_present($input);
                    inv.$list.push(Obj {
                        value: $v,
                        res,
                        src,
                    });
                }
                Err(e) => inv.errors.push(e),
            }
        }};
    }
    let entry_ref = |v: &AccessEntry| {
        ResourceRef::aws(
            "EKSAccessEntry",
            super::arn_name(&v.principal_arn),
            Some(&v.principal_arn),
        )
    };
    let association_ref = |v: &PodIdentityAssociation| ResourceRef {
        kind: "EKSPodIdentityAssociation".into(),
        namespace: Some(v.namespace.clone()),
        name: v.service_account.clone(),
        api_version: None,
        arn: v.association_arn.clone(),
    };

    if is_arr(obj, "accessEntries") {
        // `list-access-entries`: principal ARNs only.
        inv.mark_present(Input::AccessEntries);
        if let Some(Value::Array(items)) = obj.remove("accessEntries") {
            for (i, item) in items.into_iter().enumerate() {
                let Value::String(arn) = item else {
                    continue;
                };
                let mut base = String::from("accessEntries");
                push_index(&mut base, i);
                let value = AccessEntry {
                    principal_arn: arn,
                    listed_only: true,
                    ..AccessEntry::default()
                };
                let res = entry_ref(&value);
                inv.access_entries.push(Obj {
                    value,
                    res,
                    src: cx.source_at(&base, start, end),
                });
            }
        }
        return true;
    }
    if is_obj_with(obj, "accessEntry", "principalArn") {
        let value = obj.remove("accessEntry").unwrap_or_default();
        push!(
            access_entries,
            AccessEntry,
            Input::AccessEntries,
            "`accessEntry`",
            cx.source_at("accessEntry", start, end),
            value,
            |v| entry_ref(&v)
        );
        return true;
    }
    if is_arr(obj, "associatedAccessPolicies") && obj.contains_key("principalArn") {
        let value = Value::Object(std::mem::take(obj));
        push!(
            access_policies,
            AssociatedAccessPolicies,
            Input::AccessPolicies,
            "list-associated-access-policies output",
            cx.source_at("", start, end),
            value,
            |v| ResourceRef::aws(
                "EKSAccessEntry",
                super::arn_name(&v.principal_arn),
                Some(&v.principal_arn)
            )
        );
        return true;
    }
    if is_obj_with(obj, "association", "serviceAccount") {
        let value = obj.remove("association").unwrap_or_default();
        push!(
            pod_identity_associations,
            PodIdentityAssociation,
            Input::PodIdentity,
            "`association`",
            cx.source_at("association", start, end),
            value,
            |v| association_ref(&v)
        );
        return true;
    }
    if is_arr(obj, "associations") {
        inv.mark_present(Input::PodIdentity);
        if let Some(Value::Array(items)) = obj.remove("associations") {
            for (i, value) in items.into_iter().enumerate() {
                let mut base = String::from("associations");
                push_index(&mut base, i);
                push!(
                    pod_identity_associations,
                    PodIdentityAssociation,
                    Input::PodIdentity,
                    "`associations`",
                    cx.source_at(&base, start, end),
                    value,
                    |v| association_ref(&v)
                );
            }
        }
        return true;
    }
    if is_obj_with(obj, "addon", "addonName") {
        let value = obj.remove("addon").unwrap_or_default();
        push!(
            addons,
            EksAddon,
            Input::Addons,
            "`addon`",
            cx.source_at("addon", start, end),
            value,
            |v| ResourceRef::aws("EKSAddon", &v.addon_name, v.addon_arn.as_deref())
        );
        return true;
    }
    if is_obj_with(obj, "fargateProfile", "fargateProfileName") {
        let value = obj.remove("fargateProfile").unwrap_or_default();
        push!(
            fargate_profiles,
            FargateProfile,
            Input::FargateProfiles,
            "`fargateProfile`",
            cx.source_at("fargateProfile", start, end),
            value,
            |v| ResourceRef::aws(
                "EKSFargateProfile",
                &v.fargate_profile_name,
                v.fargate_profile_arn.as_deref()
            )
        );
        return true;
    }
    if is_arr(obj, "AccessKeyMetadata") {
        inv.mark_present(Input::AccessKeys);
        if let Some(Value::Array(items)) = obj.remove("AccessKeyMetadata") {
            for (i, value) in items.into_iter().enumerate() {
                let mut base = String::from("AccessKeyMetadata");
                push_index(&mut base, i);
                push!(
                    access_keys,
                    AccessKey,
                    Input::AccessKeys,
                    "`AccessKeyMetadata`",
                    cx.source_at(&base, start, end),
                    value,
                    |v| ResourceRef::aws("IAMUser", &v.user_name, None)
                );
            }
        }
        return true;
    }
    false
}

/// The file name without directories and its last extension: how a document without a name of its own
/// (a node's configz output) is named.
fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// `aws ec2 describe-instances`: every instance of every reservation.
fn load_instances(
    inv: &mut Inventory,
    cx: &Ctx<'_>,
    obj: &mut Map<String, Value>,
    start: u32,
    end: u32,
) {
    inv.mark_present(Input::Ec2Instances);
    let Some(Value::Array(reservations)) = obj.remove("Reservations") else {
        return;
    };
    for (r, reservation) in reservations.into_iter().enumerate() {
        let Value::Object(mut reservation) = reservation else {
            continue;
        };
        let Some(Value::Array(instances)) = reservation.remove("Instances") else {
            continue;
        };
        for (i, value) in instances.into_iter().enumerate() {
            let mut base = String::from("Reservations");
            push_index(&mut base, r);
            base.push_str(".Instances");
            push_index(&mut base, i);
            let src = cx.source_at(&base, start, end);
            match typed::<Ec2Instance>(cx, &src, "`Reservations[].Instances`", &value) {
                Ok(v) => {
                    let res = ResourceRef::aws("EC2Instance", &v.instance_id, None);
                    inv.instances.push(Obj { value: v, res, src });
                }
                Err(e) => inv.errors.push(e),
            }
        }
    }
}
