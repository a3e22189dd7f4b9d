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
    /// Flags API requests whose source address is on a threat list (`--threat-intel FILE`) other than
    /// a Tor list; the message names the list and the tactic. The `malicious` list maps to GuardDuty's
    /// MaliciousIPCaller types, any other list name to the `.Custom` types (GuardDuty's customer
    /// threat lists). Private, loopback and AWS-internal sources are never matched against threat
    /// lists: a list naming a private range would otherwise flag the cluster itself.
    ///
    /// ## Why is this bad?
    /// A known-bad address calling the API with valid credentials means the credentials are in an
    /// attacker's hands.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/secrets/db","verb":"get","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["203.0.113.9"],"objectRef":{"resource":"secrets","namespace":"shop","name":"db","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD036",
        name: "malicious-ip-caller",
        domain: Domain::Aud,
        severity: Severity::High,
        scope: Scope::Audit,
        summary: "The API was called from an address on a threat list",
        remediation: "Revoke the credential used, block the address, restrict the public endpoint to known CIDRs, and investigate what was done.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            guardduty: &["CredentialAccess:Kubernetes/MaliciousIPCaller", "DefenseEvasion:Kubernetes/MaliciousIPCaller", "Discovery:Kubernetes/MaliciousIPCaller", "Impact:Kubernetes/MaliciousIPCaller", "Persistence:Kubernetes/MaliciousIPCaller", "CredentialAccess:Kubernetes/MaliciousIPCaller.Custom", "DefenseEvasion:Kubernetes/MaliciousIPCaller.Custom", "Discovery:Kubernetes/MaliciousIPCaller.Custom", "Impact:Kubernetes/MaliciousIPCaller.Custom", "Persistence:Kubernetes/MaliciousIPCaller.Custom"],
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
    if is_tor_list(list) {
        return;
    }
    let tactic = tactic(ev);
    let variant = if list.eq_ignore_ascii_case("malicious") {
        "MaliciousIPCaller"
    } else {
        "MaliciousIPCaller.Custom"
    };
    cx.fire(
        format!("{ip}|{}|{tactic}", ev.username()),
        source_of(ip),
        format!(
            "{ip} (list {list}) called the API as {}: {tactic}{}",
            ev.username(),
            gd_suffix(tactic, variant)
        ),
    );
}
