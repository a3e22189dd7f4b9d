use crate::declare_rule;
use crate::inventory::Input;
use crate::netpol::cidr::Cidr;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicies with an egress rule that allows every destination on every port:
    /// no `to` (or an empty one), or an `ipBlock` of `0.0.0.0/0` / `::/0`, with no `ports`.
    /// Rules limited to ports (HTTPS to external APIs, DNS) are not reported.
    ///
    /// ## Why is this bad?
    /// The rule cancels the namespace's egress isolation for the pods it selects: they may
    /// connect to every pod, the metadata service, and any host on the internet on any port,
    /// the path of data exfiltration and command-and-control. The seeds' egress example allows
    /// named CIDRs on named ports only.
    ///
    /// ## Example
    /// ```yaml
    /// egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]
    /// ```
    /// Instead: the destination CIDRs and `ports: [{port: 443}]`.
    pub static RULE = Rule {
        id: "NET010",
        name: "network-policy-allows-all-egress",
        domain: Domain::Net,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "NetworkPolicy allows all egress",
        remediation: "Limit the egress rule to the destination CIDRs, namespaces or pods and ports the workload needs.",
        references: References {
            seed: &["000 Network Policy: Egress Rule", "003 Restrict inbound and outbound traffic"],
            urls: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/#allow-all-egress-traffic", "https://aws.github.io/aws-eks-best-practices/security/docs/network/#network-policy"],
            ..References::NONE
        },
        needs: &[Input::NetworkPolicies],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for p in &cx.inv.network_policies {
        let Some(spec) = &p.spec else { continue };
        let (_, egress) = crate::netpol::policy_types(spec);
        if !egress {
            continue;
        }
        for (i, r) in spec.egress.iter().flatten().enumerate() {
            if r.ports.as_ref().is_some_and(|p| !p.is_empty()) {
                continue;
            }
            let everywhere = match r.to.as_deref() {
                None | Some([]) => Some("any destination"),
                Some(peers) => peers
                    .iter()
                    .filter_map(|p| p.ip_block.as_ref())
                    // An `except` (the VPC, IMDS) still leaves the internet open.
                    .find(|b| Cidr::parse(&b.cidr).is_some_and(|c| c.is_world()))
                    .map(|_| "the whole internet"),
            };
            if let Some(what) = everywhere {
                cx.report(
                    p,
                    format!("{} allows egress to {what} on every port", p.res),
                )
                .at(format!("spec.egress[{i}]"));
            }
        }
    }
}
