use super::is_load_balancer;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::annotation;

/// `service.beta.kubernetes.io/aws-load-balancer-type` values that do not give a Classic Load
/// Balancer: `external` and `nlb-ip` hand the Service to the AWS Load Balancer Controller,
/// `nlb` makes the in-tree provider create an NLB.
const NOT_CLASSIC: &[&str] = &["external", "nlb-ip", "nlb"];

/// Whether a load balancer DNS name is a Classic Load Balancer's
/// (`name-id.REGION.elb.amazonaws.com`; NLBs and ALBs are `name-id.elb.REGION.amazonaws.com`).
fn classic_hostname(h: &str) -> bool {
    let h = h.to_ascii_lowercase();
    h.ends_with(".elb.amazonaws.com") || h.ends_with(".elb.amazonaws.com.cn")
}

declare_rule! {
    /// ## What it does
    /// Flags Services of type LoadBalancer that the in-tree AWS cloud provider turns into a
    /// Classic Load Balancer: no `spec.loadBalancerClass` (the in-tree provider skips any
    /// Service that has one; `service.k8s.aws/nlb` is the AWS Load Balancer Controller's) and
    /// no `service.beta.kubernetes.io/aws-load-balancer-type` of `external`, `nlb-ip` (both
    /// handled by the AWS Load Balancer Controller) or `nlb` (an NLB from the in-tree
    /// provider). When the Service's status already names its load balancer, the DNS name
    /// decides: `*.REGION.elb.amazonaws.com` is a Classic Load Balancer, `*.elb.REGION.amazonaws.com`
    /// an NLB.
    ///
    /// ## Why is this bad?
    /// Classic Load Balancers are the previous generation: no AWS WAF, no TLS policies newer
    /// than the predefined ELBSecurityPolicy set, no IP targets (traffic goes through node
    /// ports on every node), and AWS steers new work to ALB and NLB. The seeds: use an
    /// Application Load Balancer through the AWS Load Balancer Controller instead of classic
    /// load balancers.
    ///
    /// From version 2.5 the AWS Load Balancer Controller's service mutator webhook (enabled by
    /// default) sets `loadBalancerClass: service.k8s.aws/nlb` on new LoadBalancer Services. A
    /// live scan sees the class; a manifest relying on the webhook is reported: set the class
    /// explicitly so the manifest does not depend on the controller being installed first.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec: {type: LoadBalancer, ports: [{port: 443, targetPort: 8443}]}
    /// ```
    /// Instead, expose HTTP through an Ingress with `ingressClassName: alb`, or:
    /// ```yaml
    /// spec: {type: LoadBalancer, loadBalancerClass: service.k8s.aws/nlb, ...}
    /// ```
    pub static RULE = Rule {
        id: "EDGE006",
        name: "service-classic-load-balancer",
        domain: Domain::Edge,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "LoadBalancer Service gets a Classic Load Balancer",
        remediation: "Install the AWS Load Balancer Controller and expose HTTP through an ALB Ingress, or set spec.loadBalancerClass: service.k8s.aws/nlb (recreate the Service: the class is immutable).",
        references: References {
            seed: &["003 Encrypt communication"],
            urls: &["https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/nlb/", "https://cloud-provider-aws.sigs.k8s.io/service_controller/", "https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html"],
            ..References::NONE
        },
        needs: &[Input::Services],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for s in cx.inv.services.iter().filter(|s| is_load_balancer(s)) {
        if s.spec
            .as_ref()
            .and_then(|p| p.load_balancer_class.as_deref())
            .is_some()
        {
            continue;
        }
        if annotation(
            &s.metadata,
            "service.beta.kubernetes.io/aws-load-balancer-type",
        )
        .is_some_and(|t| NOT_CLASSIC.contains(&t.trim().to_ascii_lowercase().as_str()))
        {
            continue;
        }
        let hostnames: Vec<&str> = s
            .status
            .as_ref()
            .and_then(|st| st.load_balancer.as_ref())
            .and_then(|lb| lb.ingress.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|i| i.hostname.as_deref())
            .collect();
        if !hostnames.is_empty() && !hostnames.iter().any(|h| classic_hostname(h)) {
            continue;
        }
        let live = hostnames
            .iter()
            .find(|h| classic_hostname(h))
            .map_or(String::new(), |h| format!(" ({h})"));
        cx.report(
            s,
            format!(
                "{} is served by a Classic Load Balancer{live}: no loadBalancerClass and no NLB or AWS Load Balancer Controller annotation",
                s.res
            ),
        )
        .at("spec.type");
    }
}
