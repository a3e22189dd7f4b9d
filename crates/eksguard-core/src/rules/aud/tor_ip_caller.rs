use super::util::gd_suffix;
use super::util::tactic;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::source_of;
use crate::detect::event::Event;
use crate::detect::intel::is_tor_list;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags API requests whose source address is on a threat list named `tor` (`--threat-intel FILE`,
    /// entries `IP_OR_CIDR tor`). The message names the tactic of the call and its GuardDuty finding
    /// type. Without a threat list this rule cannot fire; private, loopback and AWS-internal sources
    /// are never matched against threat lists.
    ///
    /// ## Why is this bad?
    /// Tor hides who is calling; legitimate administrators have no reason to reach a cluster through
    /// it.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/pods","verb":"list","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["185.220.101.44"],"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD035",
        name: "tor-ip-caller",
        domain: Domain::Aud,
        severity: Severity::High,
        scope: Scope::Audit,
        summary: "The API was called from a Tor exit node",
        remediation: "Revoke the credential used, restrict the public endpoint to known CIDRs, and investigate what was done.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            guardduty: &["CredentialAccess:Kubernetes/TorIPCaller", "DefenseEvasion:Kubernetes/TorIPCaller", "Discovery:Kubernetes/TorIPCaller", "Impact:Kubernetes/TorIPCaller", "Persistence:Kubernetes/TorIPCaller"],
            urls: &["https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-finding-types-eks-audit-logs.html"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if cx.opts.intel.is_empty() {
        return;
    }
    let ip = ev.source_ip();
    // Pods, nodes and AWS-internal callers are not judged by threat lists: a list that names a
    // private range would flag the cluster itself.
    if crate::detect::intel::classify(ip) != crate::detect::intel::Network::Public {
        return;
    }
    let Some(list) = cx.opts.intel.lookup(ip) else {
        return;
    };
    if !is_tor_list(list) {
        return;
    }
    let tactic = tactic(ev);
    cx.fire(
        format!("{ip}|{}|{tactic}", ev.username()),
        source_of(ip),
        format!(
            "Tor exit node {ip} (list {list}) called the API as {}: {tactic}{}",
            ev.username(),
            gd_suffix(tactic, "TorIPCaller")
        ),
    );
}
