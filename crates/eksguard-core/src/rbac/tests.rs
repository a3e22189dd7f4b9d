use super::*;
use crate::inventory::{LoadOptions, load_text};

fn inv(yaml: &str) -> Inventory {
    let inv = load_text("t.yaml", yaml, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    inv
}

fn t(s: &str) -> Target {
    s.parse().expect("target")
}

fn subjects(g: &[Grant]) -> Vec<String> {
    g.iter().map(|g| g.subject.to_string()).collect()
}

const BASE: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-reader}
rules:
- {apiGroups: [""], resources: [pods, pods/log], verbs: [get, list]}
- {apiGroups: [""], resources: [secrets], resourceNames: [app-tls], verbs: [get]}
- {nonResourceURLs: ["/metrics", "/debug/*"], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects:
- {kind: Group, name: team-a-devs}
- {kind: ServiceAccount, name: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: sre-readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects:
- {kind: User, name: alice@example.com}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors, namespace: team-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {kind: Group, name: team-b-devs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: dangling}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: not-in-input}
subjects:
- {kind: User, name: bob}
"#;

#[test]
fn parses_targets_like_kubectl() {
    assert_eq!(t("pods/exec"), Target::resource("", "pods", "exec"));
    assert_eq!(
        t("deployments"),
        Target::resource("apps", "deployments", "")
    );
    assert_eq!(
        t("deployments.apps/scale"),
        Target::resource("apps", "deployments", "scale")
    );
    assert_eq!(
        t("widgets.example.com"),
        Target::resource("example.com", "widgets", "")
    );
    assert_eq!(t("/metrics"), Target::NonResource("/metrics".into()));
    assert!("a/b/c".parse::<Target>().is_err());
    assert!("".parse::<Target>().is_err());
}

#[test]
fn role_binding_grants_only_in_its_namespace() {
    let inv = inv(BASE);
    let rbac = Rbac::new(&inv);
    let in_a = rbac.who_can("list", &t("pods"), Some("team-a"));
    assert_eq!(
        subjects(&in_a),
        [
            "Group team-a-devs",
            "ServiceAccount team-a/ci",
            "User alice@example.com"
        ]
    );
    let in_c = rbac.who_can("list", &t("pods"), Some("team-c"));
    assert_eq!(subjects(&in_c), ["User alice@example.com"]);
    // Anywhere: all of them, each with its scope.
    let any = rbac.who_can("list", &t("pods"), None);
    assert_eq!(any.len(), 4);
    assert!(
        any.iter()
            .any(|g| g.scope == GrantScope::Namespace("team-b".into()))
    );
}

#[test]
fn subresources_and_verbs_are_exact() {
    let inv = inv(BASE);
    let rbac = Rbac::new(&inv);
    assert_eq!(rbac.who_can("get", &t("pods/log"), Some("team-a")).len(), 3);
    // pods/log is granted, pods/exec is not (only through edit, in team-b).
    assert_eq!(
        subjects(&rbac.who_can("create", &t("pods/exec"), None)),
        ["Group team-b-devs"]
    );
    assert!(
        rbac.who_can("delete", &t("pods"), Some("team-a"))
            .is_empty()
    );
}

#[test]
fn wildcards_and_star_subresource_match() {
    let y = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: scaler}
rules:
- {apiGroups: ["*"], resources: ["*/scale"], verbs: [update]}
- {apiGroups: [""], resources: ["pods/*"], verbs: [create]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: scaler}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: scaler}
subjects: [{kind: User, name: hpa-bot}]
"#;
    let inv = inv(y);
    let rbac = Rbac::new(&inv);
    assert_eq!(
        rbac.who_can("update", &t("deployments/scale"), None).len(),
        1
    );
    assert!(rbac.who_can("update", &t("deployments"), None).is_empty());
    // Like the API server, `pods/*` is not a wildcard: it matches nothing real.
    assert!(rbac.who_can("create", &t("pods/exec"), None).is_empty());
}

#[test]
fn resource_names_restrict_and_never_allow_create() {
    let inv = inv(BASE);
    let rbac = Rbac::new(&inv);
    let any = rbac.who_can("get", &t("secrets"), Some("team-a"));
    let restricted: Vec<&Grant> = any
        .iter()
        .filter(|g| !g.resource_names.is_empty())
        .collect();
    assert_eq!(restricted.len(), 3);
    assert_eq!(restricted[0].resource_names, ["app-tls"]);
    assert_eq!(
        rbac.who_can("get", &t("secrets").named("app-tls"), Some("team-a"))
            .iter()
            .filter(|g| g.binding.name != "editors")
            .count(),
        3
    );
    assert!(
        rbac.who_can("get", &t("secrets").named("db"), Some("team-a"))
            .is_empty()
    );
    let y = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: named-create, namespace: x}
rules: [{apiGroups: [""], resources: [pods], resourceNames: [p], verbs: [create]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: named-create, namespace: x}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: named-create}
subjects: [{kind: User, name: u}]
"#;
    let inv = super::tests::inv(y);
    assert!(who_can(&inv, "create", &t("pods"), Some("x")).is_empty());
}

#[test]
fn non_resource_urls_only_through_cluster_role_bindings() {
    let inv = inv(BASE);
    let rbac = Rbac::new(&inv);
    assert_eq!(
        subjects(&rbac.who_can("get", &t("/metrics"), None)),
        ["User alice@example.com"]
    );
    assert_eq!(rbac.who_can("get", &t("/debug/pprof"), None).len(), 1);
    assert!(rbac.who_can("get", &t("/healthz"), None).is_empty());
}

#[test]
fn default_roles_are_known_and_aggregated() {
    let inv = inv(BASE);
    let rbac = Rbac::new(&inv);
    // edit is not in the input: its rules come from system:aggregate-to-edit (and view's).
    let g: Vec<Grant> = rbac
        .who_can("get", &t("secrets"), Some("team-b"))
        .into_iter()
        .filter(|g| g.resource_names.is_empty())
        .collect();
    assert_eq!(subjects(&g), ["Group team-b-devs"]);
    let g = &g[0];
    assert!(g.builtin_role);
    assert_eq!(g.role.name, "edit");
    assert_eq!(
        g.aggregated_from.as_ref().map(|r| r.name.as_str()),
        Some("system:aggregate-to-edit")
    );
    // view's rules are aggregated into edit as well.
    assert_eq!(
        rbac.who_can("list", &t("endpointslices"), Some("team-b"))
            .len(),
        1
    );
    // edit does not grant bind or RBAC writes; admin would.
    assert!(
        rbac.who_can("create", &t("rolebindings"), Some("team-b"))
            .is_empty()
    );
}

#[test]
fn user_cluster_roles_join_aggregated_roles_by_label() {
    let y = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: custom-agg}
aggregationRule:
  clusterRoleSelectors:
  - matchExpressions: [{key: team, operator: In, values: [a, b]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: team-a-bits, labels: {team: a}}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [delete]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: Group, name: admins}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: custom}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: custom-agg}
subjects: [{kind: Group, name: custom}]
"#;
    let inv = inv(y);
    let rbac = Rbac::new(&inv);
    // admin ⊃ edit ⊃ view ⊃ widgets-view: transitively aggregated.
    let g = rbac.who_can("get", &t("widgets.example.com"), None);
    assert_eq!(subjects(&g), ["Group admins"]);
    assert!(!g[0].builtin_role);
    assert!(rbac.is_bound(None, "widgets-view"));
    assert_eq!(
        subjects(&rbac.who_can("delete", &t("configmaps"), Some("x"))),
        ["Group admins", "Group custom"]
    );
    assert!(rbac.is_bound(None, "team-a-bits"));
}

#[test]
fn unresolved_bindings_are_listed_not_fatal() {
    let inv = inv(BASE);
    let rbac = Rbac::new(&inv);
    assert_eq!(rbac.unresolved.len(), 1);
    assert_eq!(rbac.unresolved[0].binding.name, "dangling");
    assert_eq!(rbac.unresolved[0].role.name, "not-in-input");
}

#[test]
fn role_refs_resolve_in_the_binding_namespace() {
    let y = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: a}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: in-b, namespace: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: User, name: u}]
"#;
    let inv = inv(y);
    let rbac = Rbac::new(&inv);
    assert!(rbac.who_can("get", &t("configmaps"), None).is_empty());
    assert_eq!(rbac.unresolved.len(), 1);
    assert!(!rbac.is_bound(Some("a"), "r"));
}

#[test]
fn cluster_scoped_resources_need_cluster_role_bindings() {
    let y = r"
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: admin-here, namespace: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: u}]
";
    let inv = inv(y);
    let rbac = Rbac::new(&inv);
    assert!(
        rbac.who_can("create", &t("persistentvolumes"), None)
            .is_empty()
    );
    assert!(rbac.who_can("get", &t("nodes/proxy"), None).is_empty());
    assert_eq!(rbac.who_can("delete", &t("secrets"), Some("a")).len(), 1);
    // Its own Namespace object, and only that one.
    assert_eq!(
        rbac.who_can("patch", &t("namespaces").named("a"), None)
            .len(),
        1
    );
    assert!(
        rbac.who_can("patch", &t("namespaces").named("b"), None)
            .is_empty()
    );
    assert!(rbac.who_can("delete", &t("secrets"), None)[0].wildcard);
}

#[test]
fn permissions_include_implicit_groups() {
    let y = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-sas-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: "system:serviceaccounts:team-a"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: ci, namespace: team-a}]
"#;
    let inv = inv(y);
    let rbac = Rbac::new(&inv);
    let ci = SubjectRef::service_account("team-a", "ci");
    let perms = rbac.permissions_of(&ci);
    let bindings: BTreeSet<&str> = perms.iter().map(|g| g.binding.name.as_str()).collect();
    assert_eq!(bindings, BTreeSet::from(["all-sas-view", "ci"]));
    let other = SubjectRef::service_account("team-b", "ci");
    assert!(rbac.permissions_of(&other).is_empty());
    assert_eq!(
        ci.implicit_groups(),
        [
            "system:serviceaccounts",
            "system:serviceaccounts:team-a",
            "system:authenticated"
        ]
    );
}

#[test]
fn platform_identities() {
    assert!(SubjectRef::group("system:masters").is_platform());
    assert!(SubjectRef::user("eks:addon-manager").is_platform());
    assert!(SubjectRef::service_account("kube-system", "coredns").is_platform());
    assert!(!SubjectRef::group("system:authenticated").is_platform());
    assert!(!SubjectRef::group("system:serviceaccounts:team-a").is_platform());
    assert!(!SubjectRef::user("system:anonymous").is_platform());
    assert!(!SubjectRef::service_account("team-a", "default").is_platform());
    assert!(is_default_cluster_role("edit"));
    assert!(!is_default_cluster_role("pod-reader"));
}
