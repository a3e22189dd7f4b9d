use crate::declare_rule;
use crate::inventory::Input;
use crate::netpol;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags namespaces that run workloads and have NetworkPolicies, but no policy that selects
    /// every pod (`podSelector: {}`) for `Ingress`. The message names the workloads whose
    /// ingress no policy isolates. Namespaces without any NetworkPolicy are NET001's.
    ///
    /// ## Why is this bad?
    /// Policies that select a few labelled pods leave every other pod, and every pod created
    /// later, open to the whole cluster. A default-deny ingress policy makes "closed" the
    /// default and each allowed flow an explicit rule, as the seeds' "deny all" example does.
    ///
    /// ## Example
    /// A namespace whose only policy is `podSelector: {matchLabels: {app: db}}`. Add:
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-ingress, namespace: shop}
    /// spec: {podSelector: {}, policyTypes: [Ingress]}
    /// ```
    ///
    /// ## Differences from peers
    /// kubescape C-0030 checks each pod for an ingress and an egress policy; Checkov CKV2_K8S_6
    /// and kube-score `pod-networkpolicy` check that each pod is selected by some policy.
    /// eksguard asks for the namespace-wide default deny, which also covers future pods, and
    /// reports once per namespace. hardeneks `check_default_deny_policy_exists`, despite its
    /// name, only checks that the namespace has some policy: that is NET001, not this rule.
    pub static RULE = Rule {
        id: "NET004",
        name: "namespace-without-default-deny-ingress",
        domain: Domain::Net,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "Namespace has NetworkPolicies but no default-deny ingress policy",
        remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] to the namespace, then allow the needed flows explicitly.",
        references: References {
            seed: &["000 Network Policy: Deny All Rule", "000 Securing Pod to Pod Communications", "003 Restrict inbound and outbound traffic"],
            cis_eks: &["4.3.2"],
            kubescape: &["C-0030"],
            urls: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-ingress-traffic", "https://aws.github.io/aws-eks-best-practices/security/docs/network/#create-a-default-deny-policy"],
            ..References::NONE
        },
        needs: &[Input::Workloads, Input::NetworkPolicies],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for ns in netpol::user_namespaces(cx.inv) {
        if ns.policies.is_empty() || !ns.default_deny_ingress.is_empty() {
            continue;
        }
        let open: Vec<&str> = ns
            .workloads
            .iter()
            .filter(|w| w.ingress_isolated_by.is_empty())
            .map(|w| w.workload.name.as_str())
            .collect();
        let detail = if open.is_empty() {
            "its current workloads are each selected by a policy, but new pods will not be"
                .to_string()
        } else {
            format!("ingress to {} is not isolated", open.join(", "))
        };
        super::report_namespace(
            cx,
            &ns.name,
            format!(
                "namespace {} has {} NetworkPolicy(ies) but none denies ingress by default: {detail}",
                ns.name,
                ns.policies.len()
            ),
        );
    }
}
