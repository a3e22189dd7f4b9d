use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicies that select every pod of their namespace (`podSelector: {}`) and
    /// have an ingress rule with neither `from` nor `ports`: every source may reach every pod
    /// on every port.
    ///
    /// ## Why is this bad?
    /// Such a rule silently cancels the isolation the namespace's other policies build: all
    /// its pods accept traffic from every pod of every namespace (and from outside the cluster
    /// through node ports). A rule limited by `ports`, or a policy for a labelled set of pods
    /// (a deliberately public web tier), is narrower and is not reported.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   podSelector: {}
    ///   ingress: [{}]
    /// ```
    /// Instead, list the sources: `from: [{namespaceSelector: {matchLabels: {team: shop}}}]`.
    pub static RULE = Rule {
        id: "NET003",
        name: "network-policy-allows-all-ingress",
        domain: Domain::Net,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "NetworkPolicy allows all ingress",
        remediation: "Give the ingress rule a from (podSelector/namespaceSelector/ipBlock) and ports limited to the clients that need them.",
        references: References {
            seed: &["000 Securing Pod to Pod Communications", "003 Restrict inbound and outbound traffic", "000 Network Policy: Deny All Rule"],
            urls: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-ingress-traffic", "https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies", "https://aws.github.io/aws-eks-best-practices/security/docs/network/#create-a-default-deny-policy"],
            ..References::NONE
        },
        needs: &[Input::NetworkPolicies],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for p in &cx.inv.network_policies {
        let Some(spec) = &p.spec else { continue };
        let all_pods = spec.pod_selector.as_ref().is_none_or(|s| {
            s.match_labels
                .as_ref()
                .is_none_or(std::collections::BTreeMap::is_empty)
                && s.match_expressions.as_ref().is_none_or(Vec::is_empty)
        });
        if !all_pods {
            continue;
        }
        for (i, rule) in spec.ingress.iter().flatten().enumerate() {
            let no_from = rule.from.as_ref().is_none_or(Vec::is_empty);
            let no_ports = rule.ports.as_ref().is_none_or(Vec::is_empty);
            if no_from && no_ports {
                cx.report(
                    p,
                    format!("{} allows ingress from any source on any port to every pod of its namespace", p.res),
                )
                .at(format!("spec.ingress[{i}]"));
            }
        }
    }
}
