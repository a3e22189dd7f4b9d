use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::identity_of;
use crate::detect::event::Event;
use crate::detect::intel::Network;
use crate::detect::intel::classify;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags requests made with a service account's credentials whose source address is public (not
    /// loopback, RFC 1918, carrier-grade NAT, link-local or IPv6 unique-local). Pods and nodes reach
    /// the API server from the VPC; a service-account request from the internet means its token left
    /// the cluster.
    ///
    /// ## Why is this bad?
    /// Service account tokens are bearer tokens: a stolen one works from anywhere until it expires,
    /// and long-lived secret-based tokens never do.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/ci/secrets","verb":"list","user":{"username":"system:serviceaccount:ci:deployer","groups":["system:serviceaccounts"]},"sourceIPs":["52.94.10.20"],"objectRef":{"resource":"secrets","namespace":"ci","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD032",
        name: "service-account-token-used-outside-cluster",
        domain: Domain::Aud,
        severity: Severity::High,
        scope: Scope::Audit,
        summary: "A service account token was used from a public address outside the cluster",
        remediation: "Rotate the token (delete the token secret or the pod), check how it leaked, and enable a private endpoint or restrict the public endpoint's CIDRs.",
        references: References {
            seed: &["002 Detective Controls"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    let Some((ns, name)) = ev.service_account() else {
        return;
    };
    let ip = ev.source_ip();
    if classify(ip) != Network::Public {
        return;
    }
    cx.fire(
        format!("{ns}/{name}|{ip}"),
        identity_of(ev),
        format!("service account {ns}/{name} was used from public address {ip}"),
    );
}
