//! RBAC analysis: who may do what, and through which binding and role.
//!
//! [`Rbac::new`] resolves every RoleBinding and ClusterRoleBinding of an inventory to the policy
//! rules it grants: Roles are looked up in the binding's namespace, ClusterRoles in the input or,
//! failing that, among Kubernetes' default ClusterRoles (`cluster-admin`, `admin`, `edit`,
//! `view`, `system:*`), and aggregated ClusterRoles get the union of the rules of every
//! ClusterRole their `aggregationRule` selects. A binding whose role cannot be found is listed in
//! [`Rbac::unresolved`], never dropped silently.
//!
//! Matching follows the Kubernetes RBAC authorizer: `*` in verbs, apiGroups and resources,
//! `resource/subresource` and `*/subresource`, `resourceNames` (which never restrict `create`),
//! and `nonResourceURLs` with a trailing `*` (granted only by ClusterRoleBindings). A RoleBinding
//! grants only inside its namespace and never grants cluster-scoped resources (except the
//! binding's own Namespace object).
//!
//! [`who_can`] answers "who can VERB RESOURCE in NAMESPACE?" with one [`Grant`] per subject,
//! binding and policy rule; [`Rbac::permissions_of`] lists the effective permissions of one
//! subject, including those it holds through the groups every identity implicitly belongs to
//! (`system:authenticated`, `system:serviceaccounts`, `system:serviceaccounts:NS`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;

use crate::inventory::{Inventory, LoadOptions, Located, Obj, load_text};

/// Kubernetes' default ClusterRoles, parsed once from the embedded bootstrap policy.
fn default_cluster_roles() -> &'static [Obj<ClusterRole>] {
    static ROLES: LazyLock<Vec<Obj<ClusterRole>>> = LazyLock::new(|| {
        load_text(
            "builtin:kubernetes-default-clusterroles",
            include_str!("defaults.yaml"),
            &LoadOptions::default(),
        )
        .cluster_roles
    });
    &ROLES
}

/// Whether Kubernetes' default ClusterRole `role` (with what it aggregates from the other
/// defaults) allows `verb` on `target`.
pub fn default_role_allows(role: &str, verb: &str, target: &Target) -> bool {
    ClusterRoles::defaults()
        .rules(role)
        .unwrap_or_default()
        .iter()
        .any(|r| rule_allows(r.rule, verb, target).is_some())
}

/// Whether `name` is one of Kubernetes' default ClusterRoles known to eksguard.
pub fn is_default_cluster_role(name: &str) -> bool {
    default_cluster_roles()
        .iter()
        .any(|r| r.metadata.name.as_deref() == Some(name))
}

/// Roles and bindings that Kubernetes and EKS create and manage: `system:*`, `eks:*`, labelled
/// `kubernetes.io/bootstrapping: rbac-defaults` or `eks.amazonaws.com/component`.
pub fn is_platform_object(meta: &ObjectMeta) -> bool {
    let name = meta.name.as_deref().unwrap_or_default();
    let label = |k: &str| meta.labels.as_ref().and_then(|l| l.get(k));
    name.starts_with("system:")
        || name.starts_with("eks:")
        || label("kubernetes.io/bootstrapping").is_some_and(|v| v == "rbac-defaults")
        || label("eks.amazonaws.com/component").is_some()
}

/// Groups that hold every identity of a kind: not a system identity, a very broad audience.
pub const BROAD_GROUPS: &[&str] = &[
    "system:authenticated",
    "system:unauthenticated",
    "system:serviceaccounts",
];

// ---------------------------------------------------------------------------------------------
// Subjects and references

/// Who is granted: a User, a Group or a ServiceAccount (with its namespace).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SubjectRef {
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl SubjectRef {
    pub fn user(name: &str) -> Self {
        Self {
            kind: "User".into(),
            name: name.into(),
            namespace: None,
        }
    }

    pub fn group(name: &str) -> Self {
        Self {
            kind: "Group".into(),
            name: name.into(),
            namespace: None,
        }
    }

    pub fn service_account(namespace: &str, name: &str) -> Self {
        Self {
            kind: "ServiceAccount".into(),
            name: name.into(),
            namespace: Some(namespace.into()),
        }
    }

    /// The subject of a binding; a ServiceAccount without a namespace is in the binding's.
    pub fn of(s: &Subject, binding_ns: Option<&str>) -> Self {
        if s.kind == "ServiceAccount" {
            let ns = s.namespace.as_deref().or(binding_ns).unwrap_or("default");
            Self::service_account(ns, &s.name)
        } else {
            Self {
                kind: s.kind.clone(),
                name: s.name.clone(),
                namespace: None,
            }
        }
    }

    /// The groups this identity belongs to without being listed anywhere: every service account
    /// is in `system:serviceaccounts`, `system:serviceaccounts:NS` and `system:authenticated`;
    /// every user but `system:anonymous` is in `system:authenticated`.
    pub fn implicit_groups(&self) -> Vec<String> {
        match self.kind.as_str() {
            "ServiceAccount" => {
                let ns = self.namespace.as_deref().unwrap_or("default");
                vec![
                    "system:serviceaccounts".into(),
                    format!("system:serviceaccounts:{ns}"),
                    "system:authenticated".into(),
                ]
            }
            "User" if self.name == "system:anonymous" => vec!["system:unauthenticated".into()],
            "User" => vec!["system:authenticated".into()],
            _ => Vec::new(),
        }
    }

    /// An identity of Kubernetes or EKS itself: `system:*` and `eks:*` users and groups (the
    /// broad groups excepted) and service accounts of kube-system.
    pub fn is_platform(&self) -> bool {
        if self.kind == "ServiceAccount" {
            return self.namespace.as_deref() == Some("kube-system");
        }
        if self.name == "system:serviceaccounts:kube-system" {
            return true;
        }
        let broad = BROAD_GROUPS.contains(&self.name.as_str())
            || self.name == "system:anonymous"
            || self.name.starts_with("system:serviceaccounts:");
        !broad && (self.name.starts_with("system:") || self.name.starts_with("eks:"))
    }
}

impl fmt::Display for SubjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// A Role, ClusterRole, RoleBinding or ClusterRoleBinding, by kind, namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjRef {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl fmt::Display for ObjRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// Where a grant applies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantScope {
    /// A ClusterRoleBinding: every namespace and the cluster-scoped resources.
    Cluster,
    /// A RoleBinding: only this namespace.
    Namespace(String),
}

impl fmt::Display for GrantScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cluster => f.write_str("cluster-wide"),
            Self::Namespace(ns) => write!(f, "namespace {ns}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Queries

/// What is asked for: an API resource (with optional subresource, API group and object name), or
/// a non-resource URL such as `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Resource {
        group: String,
        resource: String,
        subresource: String,
        name: Option<String>,
    },
    NonResource(String),
}

impl Target {
    /// A resource of `group` (`""` for the core group), e.g. `Target::resource("", "pods", "exec")`.
    pub fn resource(group: &str, resource: &str, subresource: &str) -> Self {
        Self::Resource {
            group: group.into(),
            resource: resource.into(),
            subresource: subresource.into(),
            name: None,
        }
    }

    /// Restrict the target to one object name.
    #[must_use]
    pub fn named(self, n: &str) -> Self {
        match self {
            Self::Resource {
                group,
                resource,
                subresource,
                ..
            } => Self::Resource {
                group,
                resource,
                subresource,
                name: Some(n.into()),
            },
            other @ Self::NonResource(_) => other,
        }
    }

    /// Whether a RoleBinding can grant this target at all.
    fn namespaced(&self) -> bool {
        match self {
            Self::Resource { resource, .. } => !is_cluster_scoped(resource),
            Self::NonResource(_) => false,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NonResource(p) => f.write_str(p),
            Self::Resource {
                group,
                resource,
                subresource,
                name,
            } => {
                f.write_str(resource)?;
                if !group.is_empty() {
                    write!(f, ".{group}")?;
                }
                if !subresource.is_empty() {
                    write!(f, "/{subresource}")?;
                }
                if let Some(n) = name {
                    write!(f, " {n}")?;
                }
                Ok(())
            }
        }
    }
}

/// The API group of the built-in resources, as `kubectl` finds it by discovery.
pub fn default_group(resource: &str) -> &'static str {
    match resource {
        "deployments" | "daemonsets" | "statefulsets" | "replicasets" | "controllerrevisions" => {
            "apps"
        }
        "jobs" | "cronjobs" => "batch",
        "ingresses" | "networkpolicies" | "ingressclasses" => "networking.k8s.io",
        "roles" | "rolebindings" | "clusterroles" | "clusterrolebindings" => {
            "rbac.authorization.k8s.io"
        }
        "mutatingwebhookconfigurations"
        | "validatingwebhookconfigurations"
        | "validatingadmissionpolicies"
        | "validatingadmissionpolicybindings"
        | "mutatingadmissionpolicies"
        | "mutatingadmissionpolicybindings" => "admissionregistration.k8s.io",
        "certificatesigningrequests" | "signers" | "clustertrustbundles" => "certificates.k8s.io",
        "storageclasses"
        | "csidrivers"
        | "csinodes"
        | "volumeattachments"
        | "csistoragecapacities" => "storage.k8s.io",
        "customresourcedefinitions" => "apiextensions.k8s.io",
        "apiservices" => "apiregistration.k8s.io",
        "horizontalpodautoscalers" => "autoscaling",
        "poddisruptionbudgets" => "policy",
        "leases" => "coordination.k8s.io",
        "priorityclasses" => "scheduling.k8s.io",
        "runtimeclasses" => "node.k8s.io",
        "endpointslices" => "discovery.k8s.io",
        "tokenreviews" | "uids" | "userextras" => "authentication.k8s.io",
        "subjectaccessreviews"
        | "selfsubjectaccessreviews"
        | "selfsubjectrulesreviews"
        | "localsubjectaccessreviews" => "authorization.k8s.io",
        "flowschemas" | "prioritylevelconfigurations" => "flowcontrol.apiserver.k8s.io",
        _ => "",
    }
}

/// Resources that exist outside namespaces (a RoleBinding cannot grant them).
pub fn is_cluster_scoped(resource: &str) -> bool {
    matches!(
        resource,
        "nodes"
            | "persistentvolumes"
            | "componentstatuses"
            | "clusterroles"
            | "clusterrolebindings"
            | "storageclasses"
            | "csidrivers"
            | "csinodes"
            | "volumeattachments"
            | "certificatesigningrequests"
            | "signers"
            | "clustertrustbundles"
            | "mutatingwebhookconfigurations"
            | "validatingwebhookconfigurations"
            | "validatingadmissionpolicies"
            | "validatingadmissionpolicybindings"
            | "mutatingadmissionpolicies"
            | "mutatingadmissionpolicybindings"
            | "customresourcedefinitions"
            | "apiservices"
            | "priorityclasses"
            | "runtimeclasses"
            | "ingressclasses"
            | "podsecuritypolicies"
            | "tokenreviews"
            | "subjectaccessreviews"
            | "selfsubjectaccessreviews"
            | "selfsubjectrulesreviews"
            | "selfsubjectreviews"
            | "flowschemas"
            | "prioritylevelconfigurations"
            | "users"
            | "groups"
            | "uids"
            | "userextras"
    )
}

impl FromStr for Target {
    type Err = String;

    /// `pods`, `pods/exec`, `deployments.apps`, `deployments.apps/scale`; a path with a leading
    /// `/` is a non-resource URL (`/metrics`). Built-in resources given without a group get their
    /// group as `kubectl` would find it (`deployments` is in `apps`).
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty resource".into());
        }
        if s.starts_with('/') {
            return Ok(Self::NonResource(s.to_string()));
        }
        let (base, sub) = s.split_once('/').unwrap_or((s, ""));
        if sub.contains('/') {
            return Err(format!(
                "`{s}`: expected RESOURCE[.GROUP][/SUBRESOURCE], e.g. pods/exec or deployments.apps"
            ));
        }
        let (resource, group) = if let Some((r, g)) = base.split_once('.') {
            (r.to_ascii_lowercase(), g.to_ascii_lowercase())
        } else {
            let r = base.to_ascii_lowercase();
            let g = default_group(&r).to_string();
            (r, g)
        };
        if resource.is_empty() {
            return Err(format!("`{s}`: no resource name"));
        }
        Ok(Self::Resource {
            group,
            resource,
            subresource: sub.to_ascii_lowercase(),
            name: None,
        })
    }
}

/// How a policy rule matches a request: fully, or only for some object names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    All,
    /// Only these object names (`resourceNames`) when the query named no object.
    Names(Vec<String>),
}

fn has(list: &[String], item: &str) -> bool {
    list.iter().any(|v| v == "*" || v == item)
}

/// Whether `rule` allows `verb` on `target`, as the Kubernetes RBAC authorizer decides.
pub fn rule_allows(rule: &PolicyRule, verb: &str, target: &Target) -> Option<Match> {
    if !has(&rule.verbs, verb) {
        return None;
    }
    match target {
        Target::NonResource(path) => {
            let urls = rule.non_resource_urls.as_deref().unwrap_or_default();
            urls.iter()
                .any(|u| {
                    u == "*"
                        || u == path
                        || u.strip_suffix('*').is_some_and(|p| path.starts_with(p))
                })
                .then_some(Match::All)
        }
        Target::Resource {
            group,
            resource,
            subresource,
            name,
        } => {
            if !has(rule.api_groups.as_deref().unwrap_or_default(), group) {
                return None;
            }
            let combined = if subresource.is_empty() {
                resource.clone()
            } else {
                format!("{resource}/{subresource}")
            };
            let resources = rule.resources.as_deref().unwrap_or_default();
            let res_ok = resources.iter().any(|r| {
                r == "*"
                    || *r == combined
                    || (!subresource.is_empty()
                        && r.strip_prefix("*/").is_some_and(|s| s == subresource))
            });
            if !res_ok {
                return None;
            }
            let names = rule.resource_names.as_deref().unwrap_or_default();
            if names.is_empty() {
                return Some(Match::All);
            }
            match name {
                Some(n) => names.iter().any(|x| x == n).then_some(Match::All),
                // A created object has no name yet: resourceNames never allow create.
                None if matches!(verb, "create" | "deletecollection") => None,
                None => Some(Match::Names(names.to_vec())),
            }
        }
    }
}

/// Whether a policy rule grants everything: `*` verbs on `*` resources of `*` API groups.
pub fn is_full_wildcard(rule: &PolicyRule) -> bool {
    let all = |l: Option<&[String]>| l.unwrap_or_default().iter().any(|v| v == "*");
    rule.verbs.iter().any(|v| v == "*")
        && all(rule.api_groups.as_deref())
        && all(rule.resources.as_deref())
}

// ---------------------------------------------------------------------------------------------
// The analysis

/// One policy rule a binding grants, with the role that holds it.
#[derive(Debug, Clone, Copy)]
pub struct RuleRef<'a> {
    pub rule: &'a PolicyRule,
    /// Index of the rule in `source`'s `rules`.
    pub index: usize,
    /// The role whose `rules` hold it (the aggregated member for an aggregated ClusterRole).
    pub source: &'a ObjectMeta,
    pub source_kind: &'static str,
    /// Whether `source` comes from Kubernetes' defaults rather than the input.
    pub builtin: bool,
}

/// A RoleBinding or ClusterRoleBinding, resolved.
pub struct Binding<'a> {
    pub target: &'a dyn Located,
    pub meta: &'a ObjectMeta,
    pub role_ref: &'a RoleRef,
    pub subjects: &'a [Subject],
    /// `None` for a ClusterRoleBinding.
    pub namespace: Option<&'a str>,
    /// The rules it grants (empty when the role is unresolved).
    pub rules: Vec<RuleRef<'a>>,
    pub resolved: bool,
    /// The binding itself is Kubernetes' or EKS's own.
    pub platform: bool,
}

impl Binding<'_> {
    pub fn obj_ref(&self) -> ObjRef {
        ObjRef {
            kind: self.target.res().kind.clone(),
            namespace: self.namespace.map(str::to_string),
            name: self.meta.name.clone().unwrap_or_default(),
        }
    }

    pub fn role_obj_ref(&self) -> ObjRef {
        ObjRef {
            kind: self.role_ref.kind.clone(),
            namespace: (self.role_ref.kind == "Role")
                .then(|| self.namespace.map(str::to_string))
                .flatten(),
            name: self.role_ref.name.clone(),
        }
    }

    pub fn scope(&self) -> GrantScope {
        match self.namespace {
            Some(ns) => GrantScope::Namespace(ns.to_string()),
            None => GrantScope::Cluster,
        }
    }

    /// Whether the binding applies to a request for `target` in `namespace` (`None`: any).
    fn applies(&self, target: &Target, namespace: Option<&str>) -> bool {
        let Some(bns) = self.namespace else {
            return true;
        };
        if let Some(ns) = namespace
            && ns != bns
        {
            return false;
        }
        match target {
            Target::NonResource(_) => false,
            // A RoleBinding reaches its own Namespace object, and no other cluster-scoped one.
            Target::Resource { resource, name, .. } if resource == "namespaces" => {
                name.as_deref().is_none_or(|n| n == bns)
            }
            t @ Target::Resource { .. } => t.namespaced(),
        }
    }
}

/// A binding whose role is not in the input and is not a Kubernetes default.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unresolved {
    pub binding: ObjRef,
    pub role: ObjRef,
    pub reason: String,
}

/// One way a subject holds a permission.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Grant {
    pub subject: SubjectRef,
    pub binding: ObjRef,
    pub role: ObjRef,
    /// The ClusterRole whose rules hold the permission, when it is aggregated into `role`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregated_from: Option<ObjRef>,
    /// Index of the policy rule in the `rules` of `aggregated_from` (or `role`).
    pub rule_index: usize,
    pub scope: GrantScope,
    /// When non-empty, the permission holds only for these object names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// The role's rules come from Kubernetes' defaults, not from the input.
    pub builtin_role: bool,
    /// The binding or the subject is Kubernetes' or EKS's own (not a finding).
    pub platform: bool,
    /// The policy rule grants everything (`*` on `*`).
    pub wildcard: bool,
    /// Index of the binding in [`Rbac::bindings`].
    #[serde(skip)]
    pub binding_index: usize,
    /// Index of the subject in the binding's `subjects`.
    #[serde(skip)]
    pub subject_index: usize,
}

impl Grant {
    /// `rules[2]` or `rules[0] of ClusterRole system:aggregate-to-edit`.
    pub fn rule_path(&self) -> String {
        match &self.aggregated_from {
            Some(src) => format!("rules[{}] of {src}", self.rule_index),
            None => format!("rules[{}]", self.rule_index),
        }
    }
}

/// The RBAC graph of an inventory.
pub struct Rbac<'a> {
    pub bindings: Vec<Binding<'a>>,
    pub unresolved: Vec<Unresolved>,
    /// Names of the input's ClusterRoles and `namespace/name` of its Roles that some binding
    /// grants, directly or through aggregation.
    used: BTreeSet<(Option<String>, String)>,
}

fn selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let ml_ok = sel
        .match_labels
        .as_ref()
        .is_none_or(|m| m.iter().all(|(k, v)| labels.get(k) == Some(v)));
    let me_ok = sel
        .match_expressions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .all(|e| {
            let values = e.values.as_deref().unwrap_or_default();
            let value = labels.get(&e.key);
            match e.operator.as_str() {
                "In" => value.is_some_and(|v| values.contains(v)),
                "NotIn" => value.is_none_or(|v| !values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        });
    ml_ok && me_ok
}

struct ClusterRoles<'a> {
    /// Input roles first; defaults only for names the input lacks.
    by_name: BTreeMap<&'a str, (&'a Obj<ClusterRole>, bool)>,
}

impl ClusterRoles<'static> {
    fn defaults() -> Self {
        let mut by_name = BTreeMap::new();
        for r in default_cluster_roles() {
            if let Some(n) = r.metadata.name.as_deref() {
                by_name.insert(n, (r, true));
            }
        }
        Self { by_name }
    }
}

impl<'a> ClusterRoles<'a> {
    fn new(inv: &'a Inventory) -> Self {
        let mut by_name: BTreeMap<&'a str, (&'a Obj<ClusterRole>, bool)> =
            ClusterRoles::defaults().by_name;
        for r in &inv.cluster_roles {
            if let Some(n) = r.metadata.name.as_deref() {
                by_name.insert(n, (r, false));
            }
        }
        Self { by_name }
    }

    /// The rules of ClusterRole `name`, with those of every ClusterRole its aggregation rule
    /// selects (transitively); `None` when there is no such role.
    fn rules(&self, name: &str) -> Option<Vec<RuleRef<'a>>> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        if !self.by_name.contains_key(name) {
            return None;
        }
        self.collect(name, &mut out, &mut seen);
        Some(out)
    }

    fn collect(&self, name: &str, out: &mut Vec<RuleRef<'a>>, seen: &mut BTreeSet<String>) {
        if !seen.insert(name.to_string()) {
            return;
        }
        let Some(&(role, builtin)) = self.by_name.get(name) else {
            return;
        };
        for (index, rule) in role.rules.as_deref().unwrap_or_default().iter().enumerate() {
            out.push(RuleRef {
                rule,
                index,
                source: &role.metadata,
                source_kind: "ClusterRole",
                builtin,
            });
        }
        let selectors = role
            .aggregation_rule
            .as_ref()
            .and_then(|a| a.cluster_role_selectors.as_deref())
            .unwrap_or_default();
        if selectors.is_empty() {
            return;
        }
        let empty = BTreeMap::new();
        for (&other, &(r, _)) in &self.by_name {
            if other == name {
                continue;
            }
            let labels = r.metadata.labels.as_ref().unwrap_or(&empty);
            if selectors.iter().any(|s| selector_matches(s, labels)) {
                self.collect(other, out, seen);
            }
        }
    }
}

impl<'a> Rbac<'a> {
    /// Resolve every binding of `inv`.
    pub fn new(inv: &'a Inventory) -> Self {
        let cluster_roles = ClusterRoles::new(inv);
        let mut bindings = Vec::new();
        let mut unresolved = Vec::new();
        let mut used = BTreeSet::new();
        // Aggregated roles such as `edit` are bound many times: resolve each name once.
        let mut resolved: BTreeMap<String, Option<Vec<RuleRef<'a>>>> = BTreeMap::new();
        // Roles by (namespace, name): a binding finds its Role without a scan of every Role.
        // The first of duplicates wins, as the linear search it replaces did.
        let mut roles_by_name: std::collections::HashMap<(&'a str, &'a str), &'a _> =
            std::collections::HashMap::with_capacity(inv.roles.len());
        for r in &inv.roles {
            if let Some(name) = r.metadata.name.as_deref() {
                roles_by_name
                    .entry((r.metadata.namespace.as_deref().unwrap_or("default"), name))
                    .or_insert(r);
            }
        }

        let mut add = |target: &'a dyn Located,
                       meta: &'a ObjectMeta,
                       role_ref: &'a RoleRef,
                       subjects: &'a [Subject],
                       namespace: Option<&'a str>| {
            let (rules, reason) = match (role_ref.kind.as_str(), namespace) {
                ("ClusterRole", _) => match resolved
                    .entry(role_ref.name.clone())
                    .or_insert_with(|| cluster_roles.rules(&role_ref.name))
                    .clone()
                {
                    Some(r) => (r, None),
                    None => (
                        Vec::new(),
                        Some(
                            "no ClusterRole of this name in the input, and not a Kubernetes default",
                        ),
                    ),
                },
                ("Role", Some(ns)) => {
                    let role = roles_by_name.get(&(ns, role_ref.name.as_str())).copied();
                    match role {
                        Some(r) => (
                            r.rules
                                .as_deref()
                                .unwrap_or_default()
                                .iter()
                                .enumerate()
                                .map(|(index, rule)| RuleRef {
                                    rule,
                                    index,
                                    source: &r.metadata,
                                    source_kind: "Role",
                                    builtin: false,
                                })
                                .collect(),
                            None,
                        ),
                        None => (
                            Vec::new(),
                            Some("no Role of this name in the binding's namespace in the input"),
                        ),
                    }
                }
                ("Role", None) => (
                    Vec::new(),
                    Some("a ClusterRoleBinding cannot refer to a Role"),
                ),
                _ => (
                    Vec::new(),
                    Some("roleRef.kind is neither Role nor ClusterRole"),
                ),
            };
            for r in &rules {
                let ns = (r.source_kind == "Role")
                    .then(|| {
                        r.source
                            .namespace
                            .clone()
                            .or_else(|| Some("default".into()))
                    })
                    .flatten();
                used.insert((ns, r.source.name.clone().unwrap_or_default()));
            }
            let b = Binding {
                target,
                meta,
                role_ref,
                subjects,
                namespace,
                rules,
                resolved: reason.is_none(),
                platform: is_platform_object(meta),
            };
            if let Some(reason) = reason {
                unresolved.push(Unresolved {
                    binding: b.obj_ref(),
                    role: b.role_obj_ref(),
                    reason: reason.to_string(),
                });
            }
            bindings.push(b);
        };

        for b in &inv.cluster_role_bindings {
            add(
                b,
                &b.metadata,
                &b.role_ref,
                b.subjects.as_deref().unwrap_or_default(),
                None,
            );
        }
        for b in &inv.role_bindings {
            add(
                b,
                &b.metadata,
                &b.role_ref,
                b.subjects.as_deref().unwrap_or_default(),
                Some(b.metadata.namespace.as_deref().unwrap_or("default")),
            );
        }
        unresolved.sort();
        Self {
            bindings,
            unresolved,
            used,
        }
    }

    /// Whether some binding grants the rules of this Role (namespace given) or ClusterRole.
    pub fn is_bound(&self, namespace: Option<&str>, name: &str) -> bool {
        self.used
            .contains(&(namespace.map(str::to_string), name.to_string()))
    }

    fn grant(
        &self,
        binding_index: usize,
        subject_index: usize,
        rule: &RuleRef<'_>,
        how: Match,
    ) -> Option<Grant> {
        let binding = self.bindings.get(binding_index)?;
        let subject = SubjectRef::of(binding.subjects.get(subject_index)?, binding.namespace);
        let role = binding.role_obj_ref();
        let source_name = rule.source.name.clone().unwrap_or_default();
        let aggregated_from = (rule.source_kind == "ClusterRole"
            && (role.kind != "ClusterRole" || role.name != source_name))
            .then(|| ObjRef {
                kind: "ClusterRole".into(),
                namespace: None,
                name: source_name,
            });
        Some(Grant {
            platform: binding.platform || subject.is_platform(),
            subject,
            binding: binding.obj_ref(),
            role,
            aggregated_from,
            rule_index: rule.index,
            scope: binding.scope(),
            resource_names: match how {
                Match::All => Vec::new(),
                Match::Names(names) => names,
            },
            builtin_role: rule.builtin,
            wildcard: is_full_wildcard(rule.rule),
            binding_index,
            subject_index,
        })
    }

    /// Every grant of `verb` on `target` applying in `namespace` (`None`: in any namespace, and
    /// cluster-wide), one per subject, binding and matching policy rule; sorted.
    pub fn who_can(&self, verb: &str, target: &Target, namespace: Option<&str>) -> Vec<Grant> {
        let mut out = Vec::new();
        for (bi, b) in self.bindings.iter().enumerate() {
            if !b.applies(target, namespace) {
                continue;
            }
            for r in &b.rules {
                let Some(m) = rule_allows(r.rule, verb, target) else {
                    continue;
                };
                for si in 0..b.subjects.len() {
                    out.extend(self.grant(bi, si, r, m.clone()));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Every policy rule `subject` holds, directly or through its implicit groups, with the
    /// binding that grants it.
    pub fn permissions_of(&self, subject: &SubjectRef) -> Vec<Grant> {
        let groups = subject.implicit_groups();
        let mut out = Vec::new();
        for (bi, b) in self.bindings.iter().enumerate() {
            for (si, s) in b.subjects.iter().enumerate() {
                let sr = SubjectRef::of(s, b.namespace);
                let member = sr == *subject || (sr.kind == "Group" && groups.contains(&sr.name));
                if !member {
                    continue;
                }
                for r in &b.rules {
                    out.extend(self.grant(bi, si, r, Match::All));
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// Who can `verb` `target` in `namespace` (`None`: anywhere) according to the RBAC objects of
/// `inv` and Kubernetes' default ClusterRoles.
pub fn who_can(
    inv: &Inventory,
    verb: &str,
    target: &Target,
    namespace: Option<&str>,
) -> Vec<Grant> {
    Rbac::new(inv).who_can(verb, target, namespace)
}

#[cfg(test)]
mod tests;
