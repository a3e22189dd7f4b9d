//! Who can reach the cluster from AWS, and as what.
//!
//! EKS authenticates IAM principals through two sources: the `kube-system/aws-auth` ConfigMap
//! (`mapRoles`, `mapUsers`) and EKS access entries (with their Kubernetes groups, username and
//! associated access policies). The cluster's `authenticationMode` decides which sources count,
//! and for a principal present in both, the access entry wins. [`Identity::resolve`] merges
//! both into one [`Principal`] per IAM principal, resolved to Kubernetes groups, and
//! [`Identity::admin_paths`] says whether (and how) that principal is effectively a cluster
//! administrator: `system:masters`, `AmazonEKSClusterAdminPolicy` at cluster scope, or a
//! ClusterRoleBinding of one of its groups (or its username) to a cluster-admin ClusterRole.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::api::rbac::v1::PolicyRule;
use serde_json::Value;

use crate::inventory::text::{Limits, parse};
use crate::inventory::{
    AccessEntry, AssociatedAccessPolicy, Inventory, Located, Obj, ResourceRef, arn_name,
};

/// Tag (on an access entry or on the IAM role) that declares a principal the documented
/// break-glass administrator: rules that list cluster administrators leave it out.
pub const BREAK_GLASS_TAG: &str = "eksguard.io/break-glass";

/// `arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`.
pub const CLUSTER_ADMIN_POLICY: &str = "AmazonEKSClusterAdminPolicy";

/// Groups EKS itself gives to nodes (and Fargate pods' kubelets).
pub const NODE_GROUPS: &[&str] = &[
    "system:nodes",
    "system:bootstrappers",
    "system:node-proxier",
];

/// One entry of `mapRoles` / `mapUsers` in the aws-auth ConfigMap.
#[derive(Debug, Clone)]
pub struct AuthEntry {
    /// `rolearn` or `userarn`.
    pub arn: String,
    pub username: Option<String>,
    pub groups: Vec<String>,
    /// `data.mapRoles` or `data.mapUsers`.
    pub field: &'static str,
    pub is_user: bool,
}

impl AuthEntry {
    /// The IAM principal the entry maps, as a finding resource.
    pub fn resource(&self) -> ResourceRef {
        ResourceRef::aws(
            if self.is_user { "IAMUser" } else { "IAMRole" },
            arn_name(&self.arn),
            Some(&self.arn),
        )
    }
}

/// The entries of the aws-auth ConfigMap (entries that do not parse are left out: the
/// authenticator ignores them too).
pub fn aws_auth_entries(inv: &Inventory) -> Option<(&Obj<ConfigMap>, Vec<AuthEntry>)> {
    let cm = inv.aws_auth()?;
    let mut out = Vec::new();
    let data = cm.data.as_ref();
    for (field, key, arn_key, is_user) in [
        ("data.mapRoles", "mapRoles", "rolearn", false),
        ("data.mapUsers", "mapUsers", "userarn", true),
    ] {
        let Some(text) = data.and_then(|d| d.get(key)) else {
            continue;
        };
        let (docs, _) = parse(text, &Limits::default());
        for doc in docs {
            let Value::Array(items) = doc.value else {
                continue;
            };
            for item in items {
                let Some(arn) = item.get(arn_key).and_then(Value::as_str) else {
                    continue;
                };
                out.push(AuthEntry {
                    arn: arn.to_string(),
                    username: item
                        .get("username")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    groups: item
                        .get("groups")
                        .and_then(Value::as_array)
                        .map(|g| {
                            g.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                    field,
                    is_user,
                });
            }
        }
    }
    Some((cm, out))
}

/// The ARN the authenticator compares: role ARNs lose their path (aws-auth matches
/// `arn:aws:iam::ACCOUNT:role/NAME` whatever the role's path), and an STS assumed-role
/// session ARN becomes its role's ARN. Other ARNs are returned unchanged.
pub fn normalize_principal_arn(arn: &str) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts.as_slice() else {
        return arn.to_string();
    };
    let role = match (*service, resource.split_once('/')) {
        ("iam", Some(("role", rest))) => rest.rsplit('/').next(),
        ("sts", Some(("assumed-role", rest))) => rest.split('/').next(),
        _ => None,
    };
    match role {
        Some(name) => format!("{prefix}:{partition}:iam:{region}:{account}:role/{name}"),
        None => arn.to_string(),
    }
}

/// The account id of an ARN (`111122223333`), if it has one.
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// What kind of IAM principal an ARN names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    Role,
    User,
    /// `arn:aws:iam::ACCOUNT:root`: every principal of the account that IAM lets through.
    Root,
    /// An ARN with `*` or `?`.
    Wildcard,
    Other,
}

impl PrincipalKind {
    pub fn of(arn: &str) -> Self {
        if arn.contains('*') || arn.contains('?') {
            return Self::Wildcard;
        }
        let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
        if resource == "root" {
            Self::Root
        } else if resource.starts_with("role/") {
            Self::Role
        } else if resource.starts_with("user/") {
            Self::User
        } else {
            Self::Other
        }
    }
}

/// Where a principal's access comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    AwsAuth,
    AccessEntry,
}

/// An access policy associated with a principal's access entry.
#[derive(Clone)]
pub struct PolicyGrant<'a> {
    /// The `list-associated-access-policies` document.
    pub target: &'a dyn Located,
    /// Index in `associatedAccessPolicies`.
    pub index: usize,
    pub policy: &'a AssociatedAccessPolicy,
}

impl PolicyGrant<'_> {
    pub fn name(&self) -> &str {
        self.policy.name()
    }

    pub fn cluster_scope(&self) -> bool {
        self.policy.access_scope.is_cluster()
    }

    /// `AmazonEKSViewPolicy (cluster)`, `AmazonEKSEditPolicy (namespaces a, b)`.
    pub fn describe(&self) -> String {
        if self.cluster_scope() {
            format!("{} (cluster scope)", self.name())
        } else {
            format!(
                "{} (namespaces {})",
                self.name(),
                self.policy.access_scope.namespaces.join(", ")
            )
        }
    }

    /// Field path of the association in its document.
    pub fn field(&self) -> String {
        format!("associatedAccessPolicies[{}]", self.index)
    }
}

/// One way a principal is mapped into the cluster.
#[derive(Clone)]
pub struct Grant<'a> {
    pub via: Via,
    /// The aws-auth ConfigMap, or the access entry (or its access-policy document).
    pub target: &'a dyn Located,
    /// Field of `target` that holds the mapping (`data.mapRoles`, `kubernetesGroups`).
    pub field: String,
    /// The ARN as written.
    pub arn: String,
    pub username: Option<String>,
    pub groups: Vec<String>,
    pub policies: Vec<PolicyGrant<'a>>,
    /// Access entry type (`STANDARD`, `EC2_LINUX`, ...).
    pub entry_type: Option<String>,
    /// Access entry tags.
    pub tags: Option<&'a BTreeMap<String, String>>,
    /// Whether EKS uses this mapping: false for aws-auth under `authenticationMode: API` or
    /// when an access entry exists for the same principal, and for access entries under
    /// `CONFIG_MAP`.
    pub effective: bool,
    /// The access entry is known only from `list-access-entries` (groups and policies unknown).
    pub listed_only: bool,
}

impl Grant<'_> {
    /// Whether the access entry type makes EKS add `system:nodes` itself.
    pub fn is_node_entry(&self) -> bool {
        self.via == Via::AccessEntry
            && matches!(
                self.entry_type.as_deref(),
                Some(
                    "EC2_LINUX"
                        | "EC2_WINDOWS"
                        | "FARGATE_LINUX"
                        | "HYBRID_LINUX"
                        | "EC2"
                        | "HYPERPOD_LINUX"
                )
            )
    }

    /// The Kubernetes groups this mapping gives, including the implicit node group.
    pub fn all_groups(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.groups.iter().map(String::as_str).collect();
        if self.is_node_entry() {
            out.push("system:nodes");
        }
        out
    }

    /// `aws-auth data.mapRoles` / `access entry`.
    pub fn describe_source(&self) -> String {
        match self.via {
            Via::AwsAuth => format!("aws-auth {}", self.field),
            Via::AccessEntry => "access entry".to_string(),
        }
    }
}

/// An IAM principal that can authenticate to the cluster.
#[derive(Clone)]
pub struct Principal<'a> {
    /// Normalised ARN (see [`normalize_principal_arn`]).
    pub arn: String,
    pub kind: PrincipalKind,
    pub grants: Vec<Grant<'a>>,
}

impl<'a> Principal<'a> {
    /// Short name: the last segment of the ARN.
    pub fn name(&self) -> &str {
        arn_name(&self.arn)
    }

    pub fn account(&self) -> Option<&str> {
        arn_account(&self.arn)
    }

    /// Grants EKS uses.
    pub fn effective(&self) -> impl Iterator<Item = &Grant<'a>> {
        self.grants.iter().filter(|g| g.effective)
    }

    /// Kubernetes groups of the effective grants.
    pub fn groups(&self) -> BTreeSet<&str> {
        self.effective().flat_map(Grant::all_groups).collect()
    }

    /// Literal usernames of the effective grants (templated ones such as
    /// `{{SessionName}}` cannot match a binding and are left out).
    pub fn usernames(&self) -> BTreeSet<&str> {
        self.effective()
            .filter_map(|g| g.username.as_deref())
            .filter(|u| !u.contains("{{"))
            .collect()
    }

    /// Access policies of the effective grants.
    pub fn policies(&self) -> impl Iterator<Item = &PolicyGrant<'a>> {
        self.effective().flat_map(|g| g.policies.iter())
    }

    /// The principal as a finding resource.
    pub fn resource(&self) -> ResourceRef {
        let kind = match self.kind {
            PrincipalKind::User => "IAMUser",
            PrincipalKind::Role => "IAMRole",
            _ => "IAMPrincipal",
        };
        ResourceRef::aws(kind, self.name(), Some(&self.arn))
    }

    /// Whether the principal is the documented break-glass administrator: its access entry or
    /// its IAM role carries the tag [`BREAK_GLASS_TAG`] with value `true`.
    pub fn is_break_glass(&self, inv: &Inventory) -> bool {
        let tagged = |v: &str| v.eq_ignore_ascii_case("true");
        self.grants.iter().any(|g| {
            g.tags
                .and_then(|t| t.get(BREAK_GLASS_TAG))
                .is_some_and(|v| tagged(v))
        }) || (self.kind == PrincipalKind::Role
            && inv.iam_role(&self.arn).is_some_and(|r| {
                r.tags
                    .iter()
                    .any(|t| t.key == BREAK_GLASS_TAG && tagged(&t.value))
            }))
    }
}

/// How a principal is effectively cluster admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminPath {
    /// aws-auth maps it to `system:masters`.
    SystemMasters,
    /// Its access entry has `AmazonEKSClusterAdminPolicy` at cluster scope.
    ClusterAdminPolicy,
    /// A ClusterRoleBinding binds one of its groups (or its username) to a ClusterRole that
    /// allows everything.
    Binding {
        binding: String,
        subject: String,
        role: String,
    },
}

impl AdminPath {
    pub fn describe(&self) -> String {
        match self {
            Self::SystemMasters => "aws-auth group system:masters".to_string(),
            Self::ClusterAdminPolicy => {
                format!("access policy {CLUSTER_ADMIN_POLICY} at cluster scope")
            }
            Self::Binding {
                binding,
                subject,
                role,
            } => format!("{subject} bound to ClusterRole {role} by ClusterRoleBinding {binding}"),
        }
    }
}

/// A ClusterRoleBinding subject that holds a cluster-admin ClusterRole.
#[derive(Debug, Clone)]
struct AdminSubject {
    kind: String,
    name: String,
    binding: String,
    role: String,
}

/// Whether RBAC rules allow every verb on every resource of every API group.
pub fn allows_everything(rules: &[PolicyRule]) -> bool {
    let star = |v: Option<&Vec<String>>| v.is_some_and(|v| v.iter().any(|s| s == "*"));
    rules.iter().any(|r| {
        r.verbs.iter().any(|v| v == "*")
            && star(r.api_groups.as_ref())
            && star(r.resources.as_ref())
    })
}

/// Who can reach the cluster, resolved.
pub struct Identity<'a> {
    pub principals: Vec<Principal<'a>>,
    /// `CONFIG_MAP`, `API_AND_CONFIG_MAP` or `API`, when `describe-cluster` is in the input.
    pub authentication_mode: Option<&'a str>,
    /// The cluster creator holds implicit admin (`bootstrapClusterCreatorAdminPermissions`);
    /// its ARN is not in any input unless its access entry is.
    pub creator_bootstrapped: bool,
    admin_subjects: Vec<AdminSubject>,
}

impl<'a> Identity<'a> {
    /// Merge aws-auth, access entries and access policies of `inv`.
    pub fn resolve(inv: &'a Inventory) -> Self {
        let cluster = inv.clusters.first();
        let access = cluster.and_then(|c| c.access_config.as_ref());
        let authentication_mode = access.and_then(|a| a.authentication_mode.as_deref());
        let creator_bootstrapped = access
            .and_then(|a| a.bootstrap_cluster_creator_admin_permissions)
            .unwrap_or(false);
        let config_map_counts = authentication_mode != Some("API");
        let entries_count = authentication_mode != Some("CONFIG_MAP");

        let mut by_arn: BTreeMap<String, Principal<'a>> = BTreeMap::new();

        // Access entries: described ones, then listed-only ones without a described twin.
        let described: BTreeSet<String> = inv
            .access_entries
            .iter()
            .filter(|e| !e.listed_only)
            .map(|e| normalize_principal_arn(&e.principal_arn))
            .collect();
        for e in &inv.access_entries {
            if e.listed_only && described.contains(&normalize_principal_arn(&e.principal_arn)) {
                continue;
            }
            principal(&mut by_arn, &e.principal_arn)
                .grants
                .push(entry_grant(e, entries_count));
        }
        // Access policies join their principal's access entry.
        for doc in &inv.access_policies {
            let p = principal(&mut by_arn, &doc.principal_arn);
            let policies: Vec<PolicyGrant<'a>> = doc
                .associated_access_policies
                .iter()
                .enumerate()
                .map(|(index, policy)| PolicyGrant {
                    target: doc,
                    index,
                    policy,
                })
                .collect();
            if let Some(g) = p.grants.iter_mut().find(|g| g.via == Via::AccessEntry) {
                g.policies.extend(policies);
            } else {
                p.grants.push(Grant {
                    via: Via::AccessEntry,
                    target: doc,
                    field: "associatedAccessPolicies".into(),
                    arn: doc.principal_arn.clone(),
                    username: None,
                    groups: Vec::new(),
                    policies,
                    entry_type: None,
                    tags: None,
                    effective: entries_count,
                    listed_only: true,
                });
            }
        }
        // aws-auth, unless an effective access entry for the same principal takes precedence.
        if let Some((cm, entries)) = aws_auth_entries(inv) {
            for e in entries {
                let p = principal(&mut by_arn, &e.arn);
                let shadowed = p
                    .grants
                    .iter()
                    .any(|g| g.via == Via::AccessEntry && g.effective);
                p.grants.push(Grant {
                    via: Via::AwsAuth,
                    target: cm,
                    field: e.field.to_string(),
                    arn: e.arn,
                    username: e.username,
                    groups: e.groups,
                    policies: Vec::new(),
                    entry_type: None,
                    tags: None,
                    effective: config_map_counts && !shadowed,
                    listed_only: false,
                });
            }
        }

        Self {
            principals: by_arn.into_values().collect(),
            authentication_mode,
            creator_bootstrapped,
            admin_subjects: admin_subjects(inv),
        }
    }

    /// The principal with this ARN (any form: with path, assumed-role session).
    pub fn principal(&self, arn: &str) -> Option<&Principal<'a>> {
        let key = normalize_principal_arn(arn);
        self.principals.iter().find(|p| p.arn == key)
    }

    /// How `p` is effectively cluster admin; empty when it is not.
    pub fn admin_paths(&self, p: &Principal<'_>) -> Vec<AdminPath> {
        let mut out = Vec::new();
        let groups = p.groups();
        if groups.contains("system:masters") {
            out.push(AdminPath::SystemMasters);
        }
        if p.policies()
            .any(|pg| pg.name() == CLUSTER_ADMIN_POLICY && pg.cluster_scope())
        {
            out.push(AdminPath::ClusterAdminPolicy);
        }
        let users = p.usernames();
        for s in &self.admin_subjects {
            let hit = match s.kind.as_str() {
                "Group" => s.name != "system:masters" && groups.contains(s.name.as_str()),
                "User" => users.contains(s.name.as_str()),
                _ => false,
            };
            if hit {
                out.push(AdminPath::Binding {
                    binding: s.binding.clone(),
                    subject: format!("{} {}", s.kind, s.name),
                    role: s.role.clone(),
                });
            }
        }
        out
    }

    /// Every principal that is effectively cluster admin, with how.
    pub fn cluster_admins(&self) -> Vec<(&Principal<'a>, Vec<AdminPath>)> {
        self.principals
            .iter()
            .map(|p| (p, self.admin_paths(p)))
            .filter(|(_, paths)| !paths.is_empty())
            .collect()
    }
}

fn principal<'m, 'a>(
    by_arn: &'m mut BTreeMap<String, Principal<'a>>,
    arn: &str,
) -> &'m mut Principal<'a> {
    let key = normalize_principal_arn(arn);
    by_arn.entry(key.clone()).or_insert_with(|| Principal {
        kind: PrincipalKind::of(&key),
        arn: key,
        grants: Vec::new(),
    })
}

fn entry_grant(e: &Obj<AccessEntry>, effective: bool) -> Grant<'_> {
    Grant {
        via: Via::AccessEntry,
        target: e,
        field: if e.listed_only {
            String::new()
        } else {
            "kubernetesGroups".into()
        },
        arn: e.principal_arn.clone(),
        username: e.username.clone(),
        groups: e.kubernetes_groups.clone(),
        policies: Vec::new(),
        entry_type: e.entry_type.clone(),
        tags: Some(&e.tags),
        effective,
        listed_only: e.listed_only,
    }
}

/// Subjects of ClusterRoleBindings to `cluster-admin` or to a ClusterRole that allows
/// everything.
fn admin_subjects(inv: &Inventory) -> Vec<AdminSubject> {
    let mut out = Vec::new();
    for b in &inv.cluster_role_bindings {
        let role = &b.role_ref.name;
        let admin = role == "cluster-admin"
            || inv
                .cluster_roles
                .iter()
                .find(|r| &r.res.name == role)
                .is_some_and(|r| allows_everything(r.rules.as_deref().unwrap_or_default()));
        if !admin || b.role_ref.kind != "ClusterRole" {
            continue;
        }
        for s in b.subjects.as_deref().unwrap_or_default() {
            out.push(AdminSubject {
                kind: s.kind.clone(),
                name: s.name.clone(),
                binding: b.res.name.clone(),
                role: role.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{LoadOptions, load_text};

    fn inv(text: &str) -> Inventory {
        let inv = load_text("test.yaml", text, &LoadOptions::default());
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        inv
    }

    const AWS_AUTH: &str = r"
apiVersion: v1
kind: ConfigMap
metadata: {name: aws-auth, namespace: kube-system}
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/teams/platform-admin
      username: admin
      groups: [system:masters]
    - rolearn: arn:aws:iam::111122223333:role/ops
      username: ops-user
      groups: [ops]
    - rolearn: arn:aws:iam::111122223333:role/viewer
      groups: [viewers]
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/alice
      username: alice
      groups: [devs]
";

    #[test]
    fn normalises_role_paths_and_sessions() {
        assert_eq!(
            normalize_principal_arn("arn:aws:iam::111122223333:role/a/b/admin"),
            "arn:aws:iam::111122223333:role/admin"
        );
        assert_eq!(
            normalize_principal_arn("arn:aws:sts::111122223333:assumed-role/admin/alice"),
            "arn:aws:iam::111122223333:role/admin"
        );
        assert_eq!(
            normalize_principal_arn("arn:aws:iam::111122223333:user/x/alice"),
            "arn:aws:iam::111122223333:user/x/alice"
        );
        assert_eq!(normalize_principal_arn("not-an-arn"), "not-an-arn");
        assert_eq!(
            PrincipalKind::of("arn:aws:iam::111122223333:root"),
            PrincipalKind::Root
        );
        assert_eq!(
            PrincipalKind::of("arn:aws:iam::111122223333:role/*"),
            PrincipalKind::Wildcard
        );
    }

    #[test]
    fn aws_auth_groups_and_admin_paths() {
        let text = format!(
            "{AWS_AUTH}---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: ops-admin}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}
subjects: [{{kind: Group, name: ops, apiGroup: rbac.authorization.k8s.io}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: alice-god}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: god}}
subjects: [{{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: god}}
rules: [{{apiGroups: ['*'], resources: ['*'], verbs: ['*']}}]
"
        );
        let inv = inv(&text);
        let id = Identity::resolve(&inv);
        assert_eq!(id.principals.len(), 4);
        let admin = id
            .principal("arn:aws:iam::111122223333:role/platform-admin")
            .expect("path stripped");
        assert_eq!(id.admin_paths(admin), vec![AdminPath::SystemMasters]);
        let ops = id
            .principal("arn:aws:iam::111122223333:role/ops")
            .expect("ops");
        assert!(matches!(
            id.admin_paths(ops).as_slice(),
            [AdminPath::Binding { binding, .. }] if binding == "ops-admin"
        ));
        let alice = id
            .principal("arn:aws:iam::111122223333:user/alice")
            .expect("alice");
        assert_eq!(alice.kind, PrincipalKind::User);
        assert_eq!(id.admin_paths(alice).len(), 1);
        let viewer = id
            .principal("arn:aws:iam::111122223333:role/viewer")
            .expect("viewer");
        assert!(id.admin_paths(viewer).is_empty());
        assert_eq!(id.cluster_admins().len(), 3);
    }

    #[test]
    fn access_entries_policies_precedence_and_mode() {
        let entries = r#"
accessEntry:
  clusterName: prod
  principalArn: arn:aws:iam::111122223333:role/ops
  kubernetesGroups: [readers]
  accessEntryArn: arn:aws:eks:eu-west-1:111122223333:access-entry/prod/role/111122223333/ops/x
  username: "arn:aws:sts::111122223333:assumed-role/ops/{{SessionName}}"
  type: STANDARD
  tags: {eksguard.io/break-glass: "true"}
---
clusterName: prod
principalArn: arn:aws:iam::111122223333:role/ops
associatedAccessPolicies:
- policyArn: arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy
  accessScope: {type: cluster, namespaces: []}
---
accessEntries:
- arn:aws:iam::111122223333:role/ops
- arn:aws:iam::111122223333:role/node
"#;
        // API_AND_CONFIG_MAP: the access entry shadows aws-auth's `ops` mapping.
        let text = format!("{AWS_AUTH}---{entries}");
        let inv1 = inv(&text);
        let id = Identity::resolve(&inv1);
        let ops = id
            .principal("arn:aws:iam::111122223333:role/ops")
            .expect("ops");
        assert_eq!(ops.grants.len(), 2, "listed-only twin dropped");
        assert_eq!(ops.groups(), BTreeSet::from(["readers"]));
        assert_eq!(id.admin_paths(ops), vec![AdminPath::ClusterAdminPolicy]);
        assert!(ops.is_break_glass(&inv1));
        assert!(
            id.principal("arn:aws:iam::111122223333:role/node")
                .is_some()
        );

        // API mode: aws-auth counts for nothing.
        let text = format!(
            "{AWS_AUTH}---{entries}---
cluster:
  name: prod
  accessConfig: {{authenticationMode: API, bootstrapClusterCreatorAdminPermissions: true}}
"
        );
        let inv2 = inv(&text);
        let id = Identity::resolve(&inv2);
        assert!(id.creator_bootstrapped);
        let admin = id
            .principal("arn:aws:iam::111122223333:role/platform-admin")
            .expect("still listed");
        assert!(id.admin_paths(admin).is_empty());
    }
}
