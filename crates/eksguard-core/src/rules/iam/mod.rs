//! IAM: who can reach the cluster (aws-auth, access entries) and what workloads and nodes may
//! do in AWS (IRSA, node roles).

pub mod access_entry_cluster_admin_policy;
pub mod aws_auth_maps_iam_users;
pub mod aws_auth_maps_system_masters;
pub mod aws_auth_shadowed_by_access_entry;
pub mod aws_auth_wildcard_principal;
pub mod aws_node_without_irsa;
pub mod cluster_access_root_or_foreign_account;
pub mod cluster_admin_iam_principal;
pub mod cluster_user_with_active_access_key;
pub mod fargate_pod_execution_role_excess_permissions;
pub mod iam_user_access_entry;
pub mod irsa_trust_audience_not_pinned;
pub mod irsa_trust_multiple_cluster_providers;
pub mod irsa_trust_not_scoped_to_service_account;
pub mod node_role_excess_permissions;
pub mod node_role_mapped_beyond_node_groups;
pub mod pod_identity_role_trust_missing_service;
pub mod service_account_role_not_trusting_cluster;
pub mod workload_role_can_escalate_iam;
pub mod workload_role_shared_across_namespaces;
pub mod workload_role_with_admin_policy;

pub use crate::identity::{AuthEntry, aws_auth_entries};

use serde_json::Value;

use crate::inventory::iam::{Statement, document, statements};
use crate::inventory::{IamRole, Inventory, Located};
use crate::rules::util::{annotation, annotation_path};

/// The AWS-managed policies a node role needs; anything beyond them is excess.
pub const NODE_POLICIES: &[&str] = &[
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
    "AmazonEKSWorkerNodeMinimalPolicy",
];

/// How a workload gets an IAM role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleVia {
    /// `eks.amazonaws.com/role-arn` annotation on a ServiceAccount (IRSA).
    Irsa,
    /// An EKS Pod Identity association.
    PodIdentity,
    /// `serviceAccountRoleArn` of an EKS add-on.
    Addon,
}

impl RoleVia {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Irsa => "IRSA",
            Self::PodIdentity => "Pod Identity",
            Self::Addon => "add-on",
        }
    }
}

/// A workload's IAM role and where it is set.
pub struct WorkloadRole<'a> {
    pub via: RoleVia,
    pub target: &'a dyn Located,
    /// Field of `target` that names the role.
    pub field: String,
    /// `namespace/serviceaccount` (or the add-on name).
    pub who: String,
    pub namespace: Option<&'a str>,
    pub service_account: Option<&'a str>,
    pub role_arn: &'a str,
}

/// Annotation that gives a ServiceAccount an IRSA role.
pub const IRSA_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// The service account an EKS add-on's `serviceAccountRoleArn` applies to, for add-ons whose
/// service account is fixed.
pub fn addon_service_account(addon: &str) -> Option<(&'static str, &'static str)> {
    match addon {
        "vpc-cni" => Some(("kube-system", "aws-node")),
        "aws-ebs-csi-driver" => Some(("kube-system", "ebs-csi-controller-sa")),
        "aws-efs-csi-driver" => Some(("kube-system", "efs-csi-controller-sa")),
        "adot" => Some(("opentelemetry-operator-system", "opentelemetry-operator")),
        _ => None,
    }
}

/// Every IAM role given to a workload: IRSA annotations, Pod Identity associations (with a
/// `roleArn`) and add-on `serviceAccountRoleArn`s.
pub fn workload_roles(inv: &Inventory) -> Vec<WorkloadRole<'_>> {
    let mut out = Vec::new();
    for sa in &inv.service_accounts {
        if let Some(arn) = annotation(&sa.metadata, IRSA_ANNOTATION) {
            let ns = sa.res.namespace.as_deref().unwrap_or("default");
            out.push(WorkloadRole {
                via: RoleVia::Irsa,
                target: sa,
                field: annotation_path(IRSA_ANNOTATION),
                who: format!("service account {ns}/{}", sa.res.name),
                namespace: Some(ns),
                service_account: Some(&sa.res.name),
                role_arn: arn,
            });
        }
    }
    for a in &inv.pod_identity_associations {
        if let Some(arn) = a.role_arn.as_deref() {
            out.push(WorkloadRole {
                via: RoleVia::PodIdentity,
                target: a,
                field: "roleArn".into(),
                who: format!(
                    "Pod Identity association for {}/{}",
                    a.namespace, a.service_account
                ),
                namespace: Some(&a.namespace),
                service_account: Some(&a.service_account),
                role_arn: arn,
            });
        }
    }
    for a in &inv.addons {
        if let Some(arn) = a.service_account_role_arn.as_deref() {
            let sa = addon_service_account(&a.addon_name);
            out.push(WorkloadRole {
                via: RoleVia::Addon,
                target: a,
                field: "serviceAccountRoleArn".into(),
                who: format!("add-on {}", a.addon_name),
                namespace: sa.map(|s| s.0),
                service_account: sa.map(|s| s.1),
                role_arn: arn,
            });
        }
    }
    out
}

/// The permission policy documents of a role, labelled: inline policies and attached
/// customer-managed policies whose document is in the input. AWS-managed policies are only
/// known by name (see [`managed_policy_names`]).
pub fn permission_documents<'a>(inv: &'a Inventory, role: &'a IamRole) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for p in &role.role_policy_list {
        out.push((
            format!("inline policy {}", p.policy_name),
            document(&p.policy_document).into_owned(),
        ));
    }
    for p in &role.attached_managed_policies {
        if let Some(doc) = inv
            .iam_policy(&p.policy_arn)
            .and_then(|m| m.default_document())
        {
            out.push((
                format!("policy {}", p.policy_name),
                document(doc).into_owned(),
            ));
        }
    }
    out
}

/// Names of the managed policies attached to a role.
pub fn managed_policy_names(role: &IamRole) -> impl Iterator<Item = &str> {
    role.attached_managed_policies
        .iter()
        .map(|p| p.policy_name.as_str())
}

/// Why a role has administrator access (`AdministratorAccess` attached, or a statement that
/// allows `*` on `*`); empty when it has not.
pub fn admin_reasons(inv: &Inventory, role: &IamRole) -> Vec<String> {
    let mut why: Vec<String> = managed_policy_names(role)
        .filter(|n| *n == "AdministratorAccess")
        .map(|_| "AdministratorAccess attached".to_string())
        .collect();
    for (label, doc) in permission_documents(inv, role) {
        if statements(&doc).iter().any(Statement::is_full_admin) {
            why.push(format!("{label} allows * on *"));
        }
    }
    why
}

/// Whether the role's trust policy lets AWS service `service` (e.g. `pods.eks.amazonaws.com`)
/// call `action`.
pub fn trusts_service(role: &IamRole, service: &str, action: &str) -> bool {
    let doc = document(&role.assume_role_policy_document);
    statements(&doc).iter().any(|st| {
        st.allow
            && st.actions.iter().any(|a| glob_match(a, action))
            && st.principal.get("Service").is_some_and(|s| match s {
                Value::String(v) => v == service,
                Value::Array(a) => a.iter().any(|v| v.as_str() == Some(service)),
                _ => false,
            })
    })
}

/// IAM-style wildcard match: `*` any run of characters, `?` one character (ASCII case
/// sensitive, as `StringLike`).
pub fn glob_match(pattern: &str, value: &str) -> bool {
    let p = pattern.as_bytes();
    let v = value.as_bytes();
    let (mut pi, mut vi) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while vi < v.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == v[vi]) {
            pi += 1;
            vi += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = vi;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            vi = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// The EKS OIDC providers a role's trust policy federates (`oidc.eks.REGION.amazonaws.com/id/X`)
/// with the index of the statement, for statements that allow web-identity role assumption.
pub fn trusted_oidc_providers(role: &IamRole) -> Vec<(usize, String, Value)> {
    let doc = document(&role.assume_role_policy_document).into_owned();
    let mut out = Vec::new();
    for (i, st) in statements(&doc).iter().enumerate() {
        if !st.allow
            || !st
                .actions
                .iter()
                .any(|a| matches!(*a, "sts:AssumeRoleWithWebIdentity" | "sts:*" | "*"))
        {
            continue;
        }
        for fed in st.federated() {
            if let Some((_, provider)) = fed.split_once(":oidc-provider/")
                && provider.starts_with("oidc.eks.")
            {
                out.push((i, provider.to_string(), st.condition.clone()));
            }
        }
    }
    out
}

/// Values that the condition block `cond` gives to `key` under operators `ops`.
pub fn condition_values<'c>(cond: &'c Value, ops: &[&str], key: &str) -> Vec<&'c str> {
    let mut out = Vec::new();
    let Some(conds) = cond.as_object() else {
        return out;
    };
    for (op, body) in conds {
        if !ops.iter().any(|o| o.eq_ignore_ascii_case(op)) {
            continue;
        }
        for (k, v) in body.as_object().into_iter().flatten() {
            if k.eq_ignore_ascii_case(key) {
                match v {
                    Value::String(s) => out.push(s.as_str()),
                    Value::Array(a) => out.extend(a.iter().filter_map(Value::as_str)),
                    _ => {}
                }
            }
        }
    }
    out
}

/// `StringEquals` and its set variants.
pub const EQUALS_OPS: &[&str] = &[
    "StringEquals",
    "ForAnyValue:StringEquals",
    "ForAllValues:StringEquals",
];
/// `StringLike` and its set variants.
pub const LIKE_OPS: &[&str] = &[
    "StringLike",
    "ForAnyValue:StringLike",
    "ForAllValues:StringLike",
];

/// Whether an IRSA trust statement's `sub` condition admits `system:serviceaccount:NS:NAME`
/// (a statement without a `sub` condition admits every service account).
pub fn sub_admits(cond: &Value, provider: &str, ns: &str, sa: &str) -> bool {
    let key = format!("{provider}:sub");
    let want = format!("system:serviceaccount:{ns}:{sa}");
    let exact = condition_values(cond, EQUALS_OPS, &key);
    let like = condition_values(cond, LIKE_OPS, &key);
    if exact.is_empty() && like.is_empty() {
        return true;
    }
    exact.iter().any(|v| *v == want) || like.iter().any(|p| glob_match(p, &want))
}
