use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::annotation;

declare_rule! {
    /// ## What it does
    /// Flags Ingresses without TLS: no `spec.tls`, no ALB certificate
    /// (`alb.ingress.kubernetes.io/certificate-arn`) and no HTTPS listener
    /// (`alb.ingress.kubernetes.io/listen-ports`).
    ///
    /// ## Why is this bad?
    /// Clients reach the application in clear text. The seeds recommend the ALB ingress
    /// controller with ACM certificates so that traffic from web clients is encrypted.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// metadata:
    ///   annotations: {alb.ingress.kubernetes.io/scheme: internet-facing}
    /// spec: {rules: [{host: shop.example.com, http: {...}}]}
    /// ```
    /// Instead, add `alb.ingress.kubernetes.io/certificate-arn` and
    /// `alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'` (or `spec.tls`).
    pub static RULE = Rule {
        id: "EDGE002",
        name: "ingress-without-tls",
        domain: Domain::Edge,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Ingress serves without TLS",
        remediation: "Serve the Ingress over HTTPS: an ACM certificate with an HTTPS listener on the ALB, or spec.tls with a certificate secret.",
        references: References {
            seed: &["003 Encrypt communication"],
            cis_eks: &["5.4.5"],
            kubescape: &["C-0231"],
            polaris: &["tlsSettingsMissing"],
            urls: &["https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#ssl", "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls", "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/"],
            ..References::NONE
        },
        needs: &[Input::Ingresses],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for ing in &cx.inv.ingresses {
        let tls = ing
            .spec
            .as_ref()
            .and_then(|s| s.tls.as_ref())
            .is_some_and(|t| !t.is_empty());
        let cert = annotation(&ing.metadata, "alb.ingress.kubernetes.io/certificate-arn").is_some();
        let https = annotation(&ing.metadata, "alb.ingress.kubernetes.io/listen-ports")
            .is_some_and(|p| p.contains("HTTPS"));
        if !(tls || cert || https) {
            cx.report(ing, format!("{} serves HTTP without TLS", ing.res))
                .at("spec");
        }
    }
}
