use super::is_load_balancer;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::annotation;

declare_rule! {
    /// ## What it does
    /// Flags Services of type LoadBalancer that neither terminate TLS at the load balancer
    /// (`service.beta.kubernetes.io/aws-load-balancer-ssl-cert`) nor expose port 443 (TLS
    /// passed through to the pods).
    ///
    /// ## Why is this bad?
    /// Traffic between clients and the load balancer crosses networks you do not control in
    /// clear text: credentials and session cookies can be read and altered. The seeds: encrypt
    /// the connection between web clients and the load balancer, with ACM certificates.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec: {type: LoadBalancer, ports: [{port: 80, targetPort: 8080}]}
    /// ```
    /// Instead:
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:...
    ///     service.beta.kubernetes.io/aws-load-balancer-ssl-ports: "443"
    /// spec: {type: LoadBalancer, ports: [{port: 443, targetPort: 8080}]}
    /// ```
    pub static RULE = Rule {
        id: "EDGE001",
        name: "load-balancer-without-tls",
        domain: Domain::Edge,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "LoadBalancer Service serves without TLS",
        remediation: "Terminate TLS at the load balancer with an ACM certificate (aws-load-balancer-ssl-cert annotation), or serve TLS on port 443 from the pods.",
        references: References {
            seed: &["003 Encrypt communication", "002 Network Security"],
            cis_eks: &["5.4.5"],
            kubescape: &["C-0231"],
            hardeneks: &["use_encryption_with_aws_load_balancers"],
            urls: &["https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#ssl-cert", "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/", "https://aws.github.io/aws-eks-best-practices/security/docs/network/"],
            ..References::NONE
        },
        needs: &[Input::Services],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for s in cx.inv.services.iter().filter(|s| is_load_balancer(s)) {
        if annotation(
            &s.metadata,
            "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
        )
        .is_some()
        {
            continue;
        }
        let ports = s.spec.as_ref().and_then(|p| p.ports.as_ref());
        if ports.is_some_and(|p| p.iter().any(|p| p.port == 443)) {
            continue;
        }
        let list: Vec<String> = ports
            .into_iter()
            .flatten()
            .map(|p| p.port.to_string())
            .collect();
        cx.report(
            s,
            format!(
                "{} serves port(s) {} without TLS",
                s.res,
                if list.is_empty() {
                    "(none)".to_string()
                } else {
                    list.join(", ")
                }
            ),
        )
        .at("spec.ports");
    }
}
