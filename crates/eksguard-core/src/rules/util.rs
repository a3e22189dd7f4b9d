//! Helpers shared by rules: RBAC rule matching, system-object recognition, secret patterns.

use std::sync::LazyLock;

use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use regex::Regex;

use std::collections::BTreeSet;

use crate::inventory::{Inventory, Located, ResourceRef, is_system_namespace};

/// Roles and bindings that Kubernetes and EKS create and manage: `system:*`, `eks:*`, and
/// everything labelled `kubernetes.io/bootstrapping: rbac-defaults`.
pub fn is_platform_rbac(meta: &ObjectMeta) -> bool {
    let name = meta.name.as_deref().unwrap_or_default();
    name.starts_with("system:")
        || name.starts_with("eks:")
        || meta
            .labels
            .as_ref()
            .and_then(|l| l.get("kubernetes.io/bootstrapping"))
            .is_some_and(|v| v == "rbac-defaults")
        || meta
            .labels
            .as_ref()
            .and_then(|l| l.get("eks.amazonaws.com/component"))
            .is_some()
}

/// A Role or ClusterRole with its rules.
pub struct RoleView<'a> {
    pub target: &'a dyn Located,
    pub meta: &'a ObjectMeta,
    pub rules: &'a [PolicyRule],
    pub cluster_scoped: bool,
}

impl RoleView<'_> {
    /// Field path of rule `i`.
    pub fn rule_path(i: usize) -> String {
        format!("rules[{i}]")
    }

    /// `ClusterRole pod-reader` / `Role team-a/pod-reader`.
    pub fn describe(&self) -> String {
        self.target.res().to_string()
    }
}

/// Every Role and ClusterRole.
pub fn roles(inv: &Inventory) -> Vec<RoleView<'_>> {
    let mut out: Vec<RoleView<'_>> = Vec::new();
    for r in &inv.cluster_roles {
        out.push(RoleView {
            target: r,
            meta: &r.metadata,
            rules: r.rules.as_deref().unwrap_or_default(),
            cluster_scoped: true,
        });
    }
    for r in &inv.roles {
        out.push(RoleView {
            target: r,
            meta: &r.metadata,
            rules: r.rules.as_deref().unwrap_or_default(),
            cluster_scoped: false,
        });
    }
    out
}

/// A RoleBinding or ClusterRoleBinding.
pub struct BindingView<'a> {
    pub target: &'a dyn Located,
    pub meta: &'a ObjectMeta,
    pub role_ref: &'a RoleRef,
    pub subjects: &'a [Subject],
    pub cluster_scoped: bool,
}

/// Every RoleBinding and ClusterRoleBinding.
pub fn bindings(inv: &Inventory) -> Vec<BindingView<'_>> {
    let mut out: Vec<BindingView<'_>> = Vec::new();
    for b in &inv.cluster_role_bindings {
        out.push(BindingView {
            target: b,
            meta: &b.metadata,
            role_ref: &b.role_ref,
            subjects: b.subjects.as_deref().unwrap_or_default(),
            cluster_scoped: true,
        });
    }
    for b in &inv.role_bindings {
        out.push(BindingView {
            target: b,
            meta: &b.metadata,
            role_ref: &b.role_ref,
            subjects: b.subjects.as_deref().unwrap_or_default(),
            cluster_scoped: false,
        });
    }
    out
}

/// `User alice`, `Group system:masters`, `ServiceAccount ns/name`.
pub fn describe_subject(s: &Subject, binding_ns: Option<&str>) -> String {
    if s.kind == "ServiceAccount" {
        let ns = s.namespace.as_deref().or(binding_ns).unwrap_or("default");
        format!("ServiceAccount {ns}/{}", s.name)
    } else {
        format!("{} {}", s.kind, s.name)
    }
}

fn has(list: &[String], item: &str) -> bool {
    list.iter().any(|v| v == "*" || v == item)
}

/// Whether `rule` grants `verb` on `resource` (which may be `res/sub`) in API group `group`.
pub fn grants(rule: &PolicyRule, verb: &str, group: &str, resource: &str) -> bool {
    let groups = rule.api_groups.as_deref().unwrap_or_default();
    let resources = rule.resources.as_deref().unwrap_or_default();
    if !has(&rule.verbs, verb) || !has(groups, group) {
        return false;
    }
    resources.iter().any(|r| {
        r == "*"
            || r == resource
            || resource
                .split_once('/')
                .is_some_and(|(base, _)| r == &format!("{base}/*"))
    })
}

/// Names that say a value is a credential.
pub fn is_credential_name(name: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(passw(or)?d|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth[_-]?key|client[_-]?secret)")
            .expect("valid regex")
    });
    RE.is_match(name)
}

/// Names that hold a reference to a credential rather than the credential itself
/// (`DB_PASSWORD_FILE`, `API_KEY_SECRET_ARN`, `TOKEN_TTL`).
pub fn is_reference_name(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "_NAME",
        "_ARN",
        "_FILE",
        "_PATH",
        "_URL",
        "_URI",
        "_ENDPOINT",
        "_HOST",
        "_REF",
        "_TTL",
        "_TIMEOUT",
        "_LENGTH",
        "_ENABLED",
        "_REGION",
        "_TYPE",
        "_HEADER",
        "_EXPIRY",
        "_DIR",
        "_KEY_ID_ARN",
        "_SECRET_NAME",
        "_MOUNT",
        "_VERSION",
        "_FORMAT",
        "_ALGORITHM",
    ];
    let upper = name.to_ascii_uppercase().replace(['-', '.'], "_");
    SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// Whether a literal value under a credential-like name is a credential: not a placeholder,
/// not a URL without embedded credentials, not a short number.
pub fn is_secret_value(value: &str) -> bool {
    let v = value.trim();
    if is_placeholder(v) {
        return false;
    }
    if (v.starts_with("http://") || v.starts_with("https://")) && !v.contains('@') {
        return false;
    }
    if v.len() < 8 && v.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    !v.contains('\n')
}

/// What kind of credential a literal value looks like, if any. The value itself is never
/// returned or printed.
pub fn credential_kind(value: &str) -> Option<&'static str> {
    static AWS_KEY_ID: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b").expect("valid regex")
    });
    static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----").expect("valid regex")
    });
    static GITHUB: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}\b").expect("valid regex")
    });
    static SLACK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\bxox[abprs]-[A-Za-z0-9-]{10,}").expect("valid regex"));
    if AWS_KEY_ID.is_match(value) {
        Some("an AWS access key id")
    } else if PRIVATE_KEY.is_match(value) {
        Some("a private key")
    } else if GITHUB.is_match(value) {
        Some("a GitHub token")
    } else if SLACK.is_match(value) {
        Some("a Slack token")
    } else {
        None
    }
}

/// Whether a literal value is a placeholder rather than a credential (`""`, `changeme`,
/// `${VAR}`, `<redacted>`): such values do not make a finding.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || v.len() < 4
        || (v.starts_with("${") && v.ends_with('}'))
        || (v.starts_with("$(") && v.ends_with(')'))
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "changeme" | "redacted" | "none" | "null" | "true" | "false" | "example" | "placeholder"
        )
        || v.starts_with('/') // a path to a file holding the secret
        || v.starts_with("arn:aws:secretsmanager:")
        || v.starts_with("arn:aws:ssm:")
}

/// Annotation value of `meta`, if present.
pub fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(key))
        .map(String::as_str)
}

/// Label value of `meta`, if present.
pub fn label<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.labels
        .as_ref()
        .and_then(|a| a.get(key))
        .map(String::as_str)
}

/// Field path of an annotation.
pub fn annotation_path(key: &str) -> String {
    let mut p = String::from("metadata.annotations");
    crate::inventory::text::push_key(&mut p, key);
    p
}

/// Field path of a label.
pub fn label_path(key: &str) -> String {
    let mut p = String::from("metadata.labels");
    crate::inventory::text::push_key(&mut p, key);
    p
}

/// A non-system namespace that runs workloads but lacks some per-namespace object (a
/// NetworkPolicy, a ResourceQuota): where to report it and how many workloads it runs.
pub struct BareNamespace<'a> {
    pub name: &'a str,
    /// The Namespace object when the input has it, else the namespace's first workload.
    pub target: &'a dyn Located,
    pub workloads: usize,
}

impl BareNamespace<'_> {
    /// The namespace as a finding resource (also when only its workloads are in the input).
    pub fn resource(&self) -> ResourceRef {
        ResourceRef {
            kind: "Namespace".into(),
            namespace: None,
            name: self.name.to_string(),
            api_version: Some("v1".into()),
            arn: None,
        }
    }
}

/// Report every non-system namespace with workloads that has none of the objects `present`
/// (`kind` names them in the message): the shared body of the "namespace without a
/// LimitRange / ResourceQuota" rules.
pub fn report_namespaces_without<'a, T: Located + 'a>(
    cx: &mut crate::rule::Context<'_>,
    present: impl IntoIterator<Item = &'a T>,
    kind: &str,
) {
    let covered: BTreeSet<&str> = present
        .into_iter()
        .map(|o| o.res().namespace.as_deref().unwrap_or("default"))
        .collect();
    for ns in namespaces_lacking(cx.inv, &covered) {
        let message = format!(
            "namespace {} runs {} workload(s) and has no {kind}",
            ns.name, ns.workloads
        );
        cx.report(ns.target, message).on(ns.resource());
    }
}

/// Non-system namespaces with workloads that are not in `covered`.
pub fn namespaces_lacking<'a>(
    inv: &'a Inventory,
    covered: &BTreeSet<&str>,
) -> Vec<BareNamespace<'a>> {
    let mut out: Vec<BareNamespace<'a>> = Vec::new();
    for w in &inv.workloads {
        let ns = w.namespace();
        if is_system_namespace(ns) || covered.contains(ns) {
            continue;
        }
        if let Some(seen) = out.iter_mut().find(|b| b.name == ns) {
            seen.workloads += 1;
            continue;
        }
        let target: &dyn Located = match inv.namespace(ns) {
            Some(n) => n,
            None => w,
        };
        out.push(BareNamespace {
            name: ns,
            target,
            workloads: 1,
        });
    }
    out
}
