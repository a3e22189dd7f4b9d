use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::netpol::{self, CrossNamespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads whose ingress is isolated by NetworkPolicies that nonetheless admit
    /// every namespace: a rule without `from`, a `namespaceSelector: {}` without a pod
    /// selector, or an `ipBlock` of `0.0.0.0/0`. Workloads that no policy isolates are reported
    /// per namespace by NET001 and NET004.
    ///
    /// ## Why is this bad?
    /// Namespaces are the seeds' unit of tenant isolation. A policy that lets every namespace
    /// in turns one compromised pod anywhere in the cluster into a client of this workload.
    /// Name the namespaces (`kubernetes.io/metadata.name`) or the labelled clients instead.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   ingress: [{from: [{namespaceSelector: {}}]}]
    /// ```
    /// Instead: `namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: frontend}}`.
    pub static RULE = Rule {
        id: "NET006",
        name: "workload-reachable-from-all-namespaces",
        domain: Domain::Net,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "Workload's NetworkPolicies admit ingress from every namespace",
        remediation: "Restrict the ingress rule's from to the namespaces (kubernetes.io/metadata.name) and pods that need the workload.",
        references: References {
            seed: &["000 Network Policy: Ingress Rule", "000 Securing Pod to Pod Communications", "002 Network Security"],
            urls: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors", "https://aws.github.io/aws-eks-best-practices/security/docs/multitenancy/"],
            ..References::NONE
        },
        needs: &[Input::Workloads, Input::NetworkPolicies],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    for w in inv
        .workloads
        .iter()
        .filter(|w| !is_system_namespace(w.namespace()))
    {
        let p = netpol::posture(inv, w);
        if let CrossNamespace::AllNamespaces(via) = &p.from_other_namespaces {
            let names: Vec<String> = via.iter().map(|p| p.name.clone()).collect();
            cx.report(
                w,
                format!(
                    "{} accepts ingress from every namespace through NetworkPolicy {}",
                    w.res,
                    names.join(", ")
                ),
            );
        }
    }
}
