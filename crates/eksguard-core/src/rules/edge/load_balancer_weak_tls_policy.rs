use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{annotation, annotation_path};

declare_rule! {
    /// ## What it does
    /// Flags load balancers whose TLS listeners use an ELB security policy that still accepts
    /// TLS 1.0 or 1.1: an ALB Ingress's `alb.ingress.kubernetes.io/ssl-policy`, or a Service's
    /// `service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy`, naming a policy
    /// that is not one of the `ELBSecurityPolicy-TLS13-*`, `ELBSecurityPolicy-TLS-1-2-*` or
    /// `ELBSecurityPolicy-FS-1-2-*` families (e.g. `ELBSecurityPolicy-2016-08`).
    ///
    /// ## Why is this bad?
    /// TLS 1.0 and 1.1 are deprecated (RFC 8996): clients can be downgraded to weak ciphers.
    /// The seeds ask that traffic from web clients to the load balancer be encrypted; that
    /// encryption is only as strong as the oldest protocol accepted.
    ///
    /// ## Example
    /// `alb.ingress.kubernetes.io/ssl-policy: ELBSecurityPolicy-2016-08`. Instead:
    /// `ELBSecurityPolicy-TLS13-1-2-2021-06`.
    ///
    /// ## Differences from peers
    /// Checkov CKV_AWS_103 checks Terraform listeners and also fails when no policy is set.
    /// eksguard reports only explicit weak policies, since the default depends on the
    /// controller version; set the annotation explicitly.
    pub static RULE = Rule {
        id: "EDGE005",
        name: "load-balancer-weak-tls-policy",
        domain: Domain::Edge,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Load balancer TLS policy accepts TLS 1.0 or 1.1",
        remediation: "Set the load balancer's ssl-policy (ALB) or ssl-negotiation-policy (NLB/CLB) to ELBSecurityPolicy-TLS13-1-2-2021-06 or another TLS 1.2+ policy.",
        references: References {
            seed: &["003 Encrypt communication"],
            cis_eks: &["5.4.5"],
            checkov: &["CKV_AWS_103"],
            urls: &["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html", "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ssl-policy"],
            ..References::NONE
        },
        needs: &[Input::LoadBalancers],
        check: run,
    };
}

/// Whether an ELB security policy name is of a TLS 1.2+ family.
fn modern(policy: &str) -> bool {
    [
        "ELBSecurityPolicy-TLS13-",
        "ELBSecurityPolicy-TLS-1-2",
        "ELBSecurityPolicy-FS-1-2",
    ]
    .iter()
    .any(|p| policy.starts_with(p))
}

fn run(cx: &mut Context<'_>) {
    const ALB: &str = "alb.ingress.kubernetes.io/ssl-policy";
    const SVC: &str = "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy";
    for ing in &cx.inv.ingresses {
        if let Some(p) = annotation(&ing.metadata, ALB).filter(|p| !modern(p)) {
            cx.report(
                ing,
                format!(
                    "{} uses TLS policy {p}, which accepts TLS versions before 1.2",
                    ing.res
                ),
            )
            .at(annotation_path(ALB));
        }
    }
    for s in &cx.inv.services {
        if let Some(p) = annotation(&s.metadata, SVC).filter(|p| !modern(p)) {
            cx.report(
                s,
                format!(
                    "{} uses TLS policy {p}, which accepts TLS versions before 1.2",
                    s.res
                ),
            )
            .at(annotation_path(SVC));
        }
    }
}
