use crate::declare_rule;
use crate::inventory::Input;
use crate::netpol;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags namespaces that run workloads and have NetworkPolicies, but no policy that selects
    /// every pod (`podSelector: {}`) for `Egress`. Namespaces without any NetworkPolicy are
    /// NET001's.
    ///
    /// ## Why is this bad?
    /// Without egress control a compromised pod can reach every service of the cluster, the
    /// instance metadata service and the internet: lateral movement and exfiltration are
    /// unhindered. The seeds restrict outgoing traffic to DNS and the databases a pod needs.
    /// Egress default-deny needs care (DNS must then be allowed explicitly), hence the lower
    /// severity than ingress.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny-egress, namespace: shop}
    /// spec: {podSelector: {}, policyTypes: [Egress]}
    /// ```
    /// plus a policy allowing UDP and TCP 53 to kube-dns.
    ///
    /// ## Differences from peers
    /// kubescape C-0030 checks each pod for both an ingress and an egress policy; eksguard
    /// reports the missing egress default deny once per namespace.
    pub static RULE = Rule {
        id: "NET005",
        name: "namespace-without-default-deny-egress",
        domain: Domain::Net,
        severity: Severity::Low,
        scope: Scope::Cluster,
        summary: "Namespace has NetworkPolicies but no default-deny egress policy",
        remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Egress], then allow DNS and the destinations each workload needs.",
        references: References {
            seed: &["000 Network Policy: Egress Rule", "000 Network Policy: Deny All Rule", "003 Restrict inbound and outbound traffic"],
            kubescape: &["C-0030"],
            urls: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-deny-all-egress-traffic", "https://aws.github.io/aws-eks-best-practices/security/docs/network/#create-a-default-deny-policy"],
            ..References::NONE
        },
        needs: &[Input::Workloads, Input::NetworkPolicies],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for ns in netpol::user_namespaces(cx.inv) {
        if ns.policies.is_empty() || !ns.default_deny_egress.is_empty() {
            continue;
        }
        let open = ns
            .workloads
            .iter()
            .filter(|w| w.egress_isolated_by.is_empty())
            .count();
        super::report_namespace(
            cx,
            &ns.name,
            format!(
                "namespace {} has no default-deny egress policy: egress of {open} of its {} workload(s) is not restricted",
                ns.name,
                ns.workloads.len()
            ),
        );
    }
}
