use crate::declare_rule;
use crate::detect::detector::{
    Cx, PROFILE_CLIENTS, PROFILE_NETWORKS, client_of, hash, identity_of, network_key, network_of,
};
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Learns, per identity, the source networks (the /16 of IPv4 addresses, the /48 of IPv6
    /// ones) and the client programs (the user agent up to its first `/`: `kubectl`,
    /// `python-requests`, ...) it uses. After the warm-up, a known identity calling from a
    /// network or with a client it has never used is reported, once per identity and network or
    /// client. Kubernetes components and EKS are not profiled; AWS-internal callers (no IP
    /// address) have no network. An identity that already used the maximum number of networks
    /// (16) or clients (8) is not judged on that dimension.
    ///
    /// ## Why is this bad?
    /// A stolen kubeconfig or service-account token is used from the attacker's machine and
    /// tools: a new network and a new client are the first visible difference.
    ///
    /// ## Example
    /// An identity that always called from 10.0.0.0/16 with kubectl, now:
    /// ```json
    /// {"verb":"list","user":{"username":"bob"},"sourceIPs":["52.94.10.20"],"userAgent":"python-requests/2.31"}
    /// ```
    pub static RULE = Rule {
        id: "AUD039",
        name: "identity-from-new-network-or-client",
        domain: Domain::Aud,
        severity: Severity::Low,
        scope: Scope::Audit,
        summary: "A known identity called the API from a new network or with a new client",
        remediation: "Confirm with the identity's owner that the new network or tool is theirs; if not, revoke the credential and investigate.",
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
    if ev.is_system_component() || ev.username().is_empty() || !cx.state.warmed_up(ev.time, cx.opts)
    {
        return;
    }
    let Some(p) = cx.state.profiles.get(ev.username()) else {
        return;
    };
    let mut news = Vec::new();
    let new_network = network_key(ev.source_ip())
        .is_some_and(|key| p.networks.len() < PROFILE_NETWORKS && !p.networks.contains(&key));
    if new_network {
        news.push(("network", network_of(ev.source_ip()).unwrap_or_default()));
    }
    let client = client_of(&ev.user_agent);
    if !client.is_empty() && p.clients.len() < PROFILE_CLIENTS && !p.clients.contains(&hash(client))
    {
        news.push(("client", client.to_string()));
    }
    for (what, value) in news {
        cx.fire(
            format!("{}|{what}|{value}", ev.username()),
            identity_of(ev),
            format!(
                "{} used {what} {value} for the first time (from {}, {})",
                ev.username(),
                ev.source_ip(),
                ev.target()
            ),
        );
    }
}
