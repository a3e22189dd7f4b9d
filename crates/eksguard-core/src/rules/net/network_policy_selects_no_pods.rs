use crate::declare_rule;
use crate::inventory::Input;
use crate::netpol;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicies whose `podSelector` matches none of the pod templates of their
    /// namespace. Namespaces of which the input holds no workload are not judged (the input
    /// may be one application's manifests).
    ///
    /// ## Why is this bad?
    /// Such a policy protects nothing: usually a label typo or a renamed app, and the pods it
    /// was written for stay open. Reviewers see a policy and assume the isolation exists.
    ///
    /// ## Example
    /// `podSelector: {matchLabels: {app: back-end}}` while the Deployment labels its pods
    /// `app: backend`. Fix the selector to match the pod template labels.
    ///
    /// ## Differences from peers
    /// kube-score `networkpolicy-targets-pod` and KubeLinter `dangling-networkpolicy` do the
    /// same on the objects given; eksguard also evaluates `matchExpressions` and skips
    /// namespaces without workloads in the input.
    pub static RULE = Rule {
        id: "NET009",
        name: "network-policy-selects-no-pods",
        domain: Domain::Net,
        severity: Severity::Low,
        scope: Scope::Cluster,
        summary: "NetworkPolicy selects no pods",
        remediation: "Fix the policy's podSelector to match the labels of the pod templates it is meant to protect, or delete the policy.",
        references: References {
            seed: &["000 What is a Network Policy?"],
            kube_score: &["networkpolicy-targets-pod"],
            kubelinter: &["dangling-networkpolicy"],
            urls: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource"],
            ..References::NONE
        },
        needs: &[Input::Workloads, Input::NetworkPolicies],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    for p in &inv.network_policies {
        let ns = netpol::policy_namespace(p);
        let mut in_ns = inv
            .workloads
            .iter()
            .filter(|w| w.namespace() == ns)
            .peekable();
        if in_ns.peek().is_none() {
            continue;
        }
        if !in_ns.any(|w| netpol::selects(p, w)) {
            cx.report(p, format!("{} selects no pod of namespace {ns}", p.res))
                .at("spec.podSelector");
        }
    }
}
