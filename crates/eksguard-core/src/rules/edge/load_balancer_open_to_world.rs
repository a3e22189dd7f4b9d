use super::is_load_balancer;
use crate::declare_rule;
use crate::inventory::{Input, is_world_cidr};
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::annotation;

declare_rule! {
    /// ## What it does
    /// Flags internet-facing LoadBalancer Services that accept clients from any address (no
    /// `loadBalancerSourceRanges`, or one containing `0.0.0.0/0`). A Service is internet-facing
    /// with the in-tree controller by default, and with the AWS Load Balancer Controller when
    /// `aws-load-balancer-scheme: internet-facing`.
    ///
    /// ## Why is this bad?
    /// Services meant for a few partners or internal users end up exposed to every scanner on
    /// the internet. The seeds: if you know the IPs of your clients, restrict access to them.
    ///
    /// ## Example
    /// ```yaml
    /// spec: {type: LoadBalancer}
    /// ```
    /// Instead: `loadBalancerSourceRanges: [203.0.113.0/24]`, or
    /// `service.beta.kubernetes.io/aws-load-balancer-scheme: internal`.
    pub static RULE = Rule {
        id: "EDGE003",
        name: "load-balancer-open-to-world",
        domain: Domain::Edge,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Internet-facing load balancer accepts any source address",
        remediation: "Set spec.loadBalancerSourceRanges to the client ranges, or make the load balancer internal; put public web apps behind an ALB with AWS WAF.",
        references: References {
            seed: &["003 Use a firewall to block known web attacks"],
            urls: &["https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/", "https://kubernetes.io/docs/tasks/access-application-cluster/create-external-load-balancer/", "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/"],
            ..References::NONE
        },
        needs: &[Input::Services],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    const PREFIX: &str = "service.beta.kubernetes.io/";
    for s in cx.inv.services.iter().filter(|s| is_load_balancer(s)) {
        let a = |k: &str| annotation(&s.metadata, &format!("{PREFIX}{k}"));
        let internet_facing = match a("aws-load-balancer-scheme") {
            Some(scheme) => scheme == "internet-facing",
            None => {
                a("aws-load-balancer-internal").is_none_or(|v| v != "true" && v != "0.0.0.0/0")
                    // The AWS Load Balancer Controller creates internal NLBs by default.
                    && a("aws-load-balancer-type").is_none_or(|t| t != "external" && t != "nlb-ip")
            }
        };
        if !internet_facing {
            continue;
        }
        let mut ranges: Vec<String> = s
            .spec
            .as_ref()
            .and_then(|p| p.load_balancer_source_ranges.clone())
            .unwrap_or_default();
        if let Some(r) = a("load-balancer-source-ranges") {
            ranges.extend(r.split(',').map(|x| x.trim().to_string()));
        }
        if ranges.is_empty() || ranges.iter().any(|r| is_world_cidr(r)) {
            cx.report(
                s,
                format!(
                    "internet-facing load balancer of {} accepts clients from any address",
                    s.res
                ),
            )
            .at("spec.loadBalancerSourceRanges");
        }
    }
}
