//! Loaders: text (one file, or stdin) to inventory. Every document is classified by its content
//! (Kubernetes `apiVersion`/`kind`, or the top-level keys of an AWS CLI output), never by its
//! file name. A document that is neither is listed as skipped; one that fails to parse or has a
//! field of the wrong type is an error naming file and line. Nothing is dropped silently.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::text::{self, Document, FieldLines, Limits, push_index, push_key};
use super::{
    EcrRepository, EksCluster, GuardDutyDetector, IamRole, IamUser, Input, Inventory,
    KeyRotationStatus, KmsKey, LaunchTemplateVersion, LoadError, ManagedPolicy, Nodegroup, Obj,
    ResourceRef, SecurityGroup, Skipped, Source, Workload, is_system_namespace,
};

/// Options for loading text.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    pub limits: Limits,
}

/// Load the documents of one file (already read into memory) into a new inventory.
pub fn load_text(path: &str, text: &str, opts: &LoadOptions) -> Inventory {
    let mut inv = Inventory::default();
    let path: Arc<str> = path.into();
    let (docs, errors) = text::parse(text, &opts.limits);
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

fn load_document(inv: &mut Inventory, path: &Arc<str>, doc: Document) {
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
                "document is a {}, not a Kubernetes object or AWS CLI output",
                type_name(&value)
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
                            "List item is a {}, not a Kubernetes object",
                            type_name(&other)
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

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "mapping",
    }
}

fn is_kubernetes(o: &Map<String, Value>) -> bool {
    o.get("apiVersion").is_some_and(Value::is_string) && o.get("kind").is_some_and(Value::is_string)
}

/// Deserialize `value` into `T`; on failure, an error naming the field and its line.
fn typed<T: DeserializeOwned>(
    cx: &Ctx<'_>,
    src: &Source,
    what: &str,
    value: Value,
) -> Result<T, LoadError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut field = String::new();
        for seg in e.path() {
            match seg {
                serde_path_to_error::Segment::Seq { index } => push_index(&mut field, *index),
                serde_path_to_error::Segment::Map { key } => push_key(&mut field, key),
                _ => {}
            }
        }
        let (line, _) = src.lines_of(&field);
        let line = (line > 0).then_some(line);
        let inner = e.into_inner().to_string();
        let message = if field.is_empty() {
            format!("{what}: {inner}")
        } else {
            format!("{what}: field `{field}`: {inner}")
        };
        cx.error(line, message)
    })
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
        // Never keep secret values: keys are enough for every rule.
        for field in ["data", "stringData"] {
            if let Some(Value::Object(m)) = obj.get_mut(field) {
                for v in m.values_mut() {
                    *v = Value::String(String::new());
                }
            }
        }
    }
    let value = Value::Object(obj);

    macro_rules! push {
        ($list:ident, $ty:ty, $input:expr, $namespaced:expr) => {{
            match typed::<$ty>(cx, &src, &what, value) {
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
            match typed::<$ty>(cx, &src, &what, value) {
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
        ("v1", "Secret") => push!(secrets, core::Secret, Input::ConfigMaps, true),
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
            match typed::<$ty>(cx, &src, concat!("`", $key, "`"), value) {
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
                match typed::<$ty>(cx, &src, concat!("`", $key, "`"), value) {
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
            Value::Object(obj),
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
    let guardduty = obj.contains_key("DetectorId")
        || (obj.contains_key("Status")
            && (obj.contains_key("FindingPublishingFrequency") || obj.contains_key("ServiceRole")));
    if guardduty {
        let src = cx.source_at("", start, end);
        match typed::<GuardDutyDetector>(cx, &src, "get-detector output", Value::Object(obj)) {
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
