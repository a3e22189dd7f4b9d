//! The tricky parts of NetworkPolicy semantics.

use super::*;
use crate::inventory::{LoadOptions, load_text};

fn inv(yaml: &str) -> Inventory {
    let inv = load_text("t.yaml", yaml, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    inv
}

fn wref(s: &str) -> WorkloadRef {
    s.parse().unwrap_or_else(|e: String| panic!("{e}"))
}

fn port(s: &str) -> Option<PortQuery> {
    s.parse().map_err(|e: String| panic!("{e}")).ok()
}

fn verdict(i: &Inventory, from: &str, to: &str, p: Option<PortQuery>) -> Verdict {
    reach(i, &wref(from), &wref(to), p).unwrap_or_else(|e| panic!("{e}"))
}

const PODS: &str = r"
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: web
        image: web:1
        ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - {name: db, image: db:1, ports: [{name: sql, containerPort: 5432}]}
---
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: ops, labels: {app: probe}}
spec:
  containers: [{name: p, image: p:1}]
";

fn with(policies: &str) -> Inventory {
    inv(&format!("{PODS}\n---\n{policies}"))
}

#[test]
fn no_policy_means_everything_flows() {
    let i = with("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: shop}\n");
    let v = verdict(&i, "ops/probe", "shop/db", port("5432"));
    assert!(v.allowed && !v.egress.isolated && !v.ingress.isolated);
    let p = posture(
        &i,
        resolve(&i, &wref("shop/db")).unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(p.from_other_namespaces, CrossNamespace::Unisolated);
    assert!(p.reaches_imds);
}

#[test]
fn policy_types_default_to_ingress_only_without_egress_rules() {
    // No policyTypes and no egress rules: Ingress only, egress stays open.
    let i = with(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n",
    );
    let v = verdict(&i, "shop/web", "ops/probe", None);
    assert!(!v.egress.isolated && v.allowed);
    let v = verdict(&i, "ops/probe", "shop/web", None);
    assert!(v.ingress.isolated && !v.allowed);
    assert_eq!(v.ingress.selected_by.len(), 1);
    assert!(v.ingress.allowed_by.is_empty());
    // Egress rules without policyTypes make it an egress policy too.
    let i = with(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns, namespace: shop}\nspec:\n  podSelector: {}\n  egress: [{ports: [{port: 53, protocol: UDP}]}]\n",
    );
    assert!(verdict(&i, "shop/web", "ops/probe", None).egress.isolated);
    assert!(!verdict(&i, "shop/web", "ops/probe", port("443")).allowed);
    assert!(verdict(&i, "shop/web", "ops/probe", port("53/udp")).allowed);
    assert!(!verdict(&i, "shop/web", "ops/probe", port("53/tcp")).allowed);
}

#[test]
fn policies_are_additive_and_both_ends_must_allow() {
    let i = with(
        r"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-to-db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: sql}]}]
",
    );
    // db admits web on its named port, but web's egress is default-denied.
    let v = verdict(&i, "shop/web", "shop/db", port("5432"));
    assert!(v.ingress.allowed && !v.egress.allowed && !v.allowed);
    assert_eq!(v.ingress.allowed_by[0].name, "web-to-db");
    assert_eq!(v.ingress.selected_by.len(), 2);
    // The named port resolves to 5432 only.
    assert!(
        !verdict(&i, "shop/web", "shop/db", port("5433"))
            .ingress
            .allowed
    );
}

#[test]
fn namespace_and_pod_selectors_combine_and_metadata_name_label_exists() {
    let i = with(
        r"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-ops, namespace: shop}
spec:
  podSelector: {matchExpressions: [{key: tier, operator: In, values: [front]}]}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ops}}
      podSelector: {matchLabels: {app: probe}}
",
    );
    assert!(verdict(&i, "ops/probe", "shop/web", None).allowed);
    // A pod of shop itself is not in namespace ops.
    assert!(!verdict(&i, "shop/db", "shop/web", None).allowed);
    // db is not selected (no tier label): not isolated.
    assert!(!verdict(&i, "ops/probe", "shop/db", None).ingress.isolated);
    let p = posture(
        &i,
        resolve(&i, &wref("shop/web")).unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(matches!(p.from_other_namespaces, CrossNamespace::Some(_)));
}

#[test]
fn match_expressions_operators() {
    let labels: BTreeMap<String, String> = [("app".to_string(), "web".to_string())].into();
    let sel = |op: &str, values: &[&str]| LabelSelector {
        match_expressions: Some(vec![
            k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement {
                key: "app".into(),
                operator: op.into(),
                values: Some(values.iter().map(|v| (*v).to_string()).collect()),
            },
        ]),
        match_labels: None,
    };
    assert!(selector_matches(&sel("In", &["web", "api"]), &labels));
    assert!(!selector_matches(&sel("NotIn", &["web"]), &labels));
    assert!(selector_matches(&sel("NotIn", &["db"]), &labels));
    assert!(selector_matches(&sel("Exists", &[]), &labels));
    assert!(!selector_matches(&sel("DoesNotExist", &[]), &labels));
    // NotIn and DoesNotExist match pods without the key.
    assert!(selector_matches(&sel("NotIn", &["web"]), &BTreeMap::new()));
    assert!(selector_matches(
        &sel("DoesNotExist", &[]),
        &BTreeMap::new()
    ));
    assert!(!selector_matches(&sel("Bogus", &[]), &labels));
}

#[test]
fn empty_namespace_selector_means_all_namespaces_and_end_port_ranges() {
    let i = with(
        r"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: any-ns, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 8000, endPort: 8100}]}]
",
    );
    assert!(verdict(&i, "ops/probe", "shop/web", port("8080")).allowed);
    assert!(!verdict(&i, "ops/probe", "shop/web", port("9090")).allowed);
    let p = posture(
        &i,
        resolve(&i, &wref("shop/web")).unwrap_or_else(|e| panic!("{e}")),
    );
    assert!(matches!(
        p.from_other_namespaces,
        CrossNamespace::AllNamespaces(_)
    ));
}

#[test]
fn imds_reachability_honours_ip_block_except() {
    let open = with(
        r"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-world, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]
",
    );
    let w = |i: &Inventory| {
        posture(
            i,
            resolve(i, &wref("shop/web")).unwrap_or_else(|e| panic!("{e}")),
        )
    };
    assert!(w(&open).reaches_imds);
    let except = with(
        r"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-world, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]}]
",
    );
    assert!(!w(&except).reaches_imds);
    // Port-limited egress to the world does not include IMDS on 80.
    let https = with(
        r"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-https, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}]}]
",
    );
    assert!(!w(&https).reaches_imds);
}

#[test]
fn lookup_errors_name_the_candidates() {
    let i = inv(r"
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec: {containers: [{name: a, image: a}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: a, image: a}]}}
");
    assert!(matches!(
        resolve(&i, &wref("shop/web")),
        Err(LookupError::Ambiguous(..))
    ));
    assert!(resolve(&i, &wref("deployment/shop/web")).is_ok());
    assert!(matches!(
        resolve(&i, &wref("shop/nope")),
        Err(LookupError::NotFound(_))
    ));
    assert!("shop".parse::<WorkloadRef>().is_err());
    assert!("0".parse::<PortQuery>().is_err());
    assert!("80/icmp".parse::<PortQuery>().is_err());
}

#[test]
fn engine_detection() {
    let agent = |flag: &str| {
        format!(
            r"apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: aws-node, namespace: kube-system}}
spec:
  selector: {{matchLabels: {{k8s-app: aws-node}}}}
  template:
    metadata: {{labels: {{k8s-app: aws-node}}}}
    spec:
      containers:
      - {{name: aws-node, image: amazon-k8s-cni:v1.19.0}}
      - name: aws-eks-nodeagent
        image: 602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/aws-network-policy-agent:v1.2.0
        args: [--enable-ipv6=false, --enable-network-policy={flag}]
"
        )
    };
    assert_eq!(policy_engine(&inv(&agent("true"))).enforced, Some(true));
    assert_eq!(policy_engine(&inv(&agent("false"))).enforced, Some(false));
    assert_eq!(policy_engine(&inv(PODS)).enforced, None);
    let cm = format!(
        "{}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: amazon-vpc-cni, namespace: kube-system}}\ndata: {{enable-network-policy-controller: \"true\"}}\n",
        agent("false")
    );
    assert_eq!(policy_engine(&inv(&cm)).engine, Some("vpc-cni"));
}
