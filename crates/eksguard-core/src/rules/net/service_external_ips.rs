use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Services that set `spec.externalIPs`.
    ///
    /// ## Why is this bad?
    /// kube-proxy routes traffic for the listed addresses to the Service from every node,
    /// whoever owns them: anyone who may create a Service can intercept the cluster's traffic
    /// to any IP (CVE-2020-8554, unfixed by design; the field is deprecated from Kubernetes
    /// 1.36). EKS does not enable the `DenyServiceExternalIPs` admission plugin, so the field
    /// must be kept out by review or admission policy.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec: {externalIPs: [203.0.113.10], ports: [{port: 443}]}
    /// ```
    /// Instead, use a LoadBalancer Service or an Ingress.
    ///
    /// ## Differences from peers
    /// kubescape C-0115 checks the API server's `DenyServiceExternalIPs` flag, which EKS does
    /// not expose; eksguard checks the Services themselves.
    pub static RULE = Rule {
        id: "NET011",
        name: "service-external-ips",
        domain: Domain::Net,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Service sets externalIPs (CVE-2020-8554 traffic interception)",
        remediation: "Remove spec.externalIPs; expose the Service through a LoadBalancer or an Ingress, and reject externalIPs at admission.",
        references: References {
            seed: &["002 Network Security"],
            kubescape: &["C-0115"],
            urls: &["https://github.com/kubernetes/kubernetes/issues/97076", "https://kubernetes.io/docs/concepts/services-networking/service/#external-ips"],
            ..References::NONE
        },
        needs: &[Input::Services],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for s in &cx.inv.services {
        let ips = s
            .spec
            .as_ref()
            .and_then(|p| p.external_ips.as_ref())
            .filter(|i| !i.is_empty());
        if let Some(ips) = ips {
            cx.report(
                s,
                format!(
                    "{} claims external IP(s) {}: every node routes traffic for them to this Service",
                    s.res,
                    ips.join(", ")
                ),
            )
            .at("spec.externalIPs");
        }
    }
}
