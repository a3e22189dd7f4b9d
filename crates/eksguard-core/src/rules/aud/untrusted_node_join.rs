use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags Node objects created by an identity other than the node's own kubelet
    /// (`system:node:NAME`) or EKS, and failed node registrations.
    ///
    /// ## Why is this bad?
    /// A rogue node receives pods, and with them their secrets and service-account tokens.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/nodes","verb":"create","user":{"username":"mallory","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"nodes","name":"ip-10-0-9-9.ec2.internal","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201}}
    /// ```
    pub static RULE = Rule {
        id: "AUD030",
        name: "untrusted-node-join",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A node was registered by an identity other than itself, or failed to join",
        remediation: "Delete the node, find the credential that registered it, and check the aws-auth / access-entry mapping of node roles.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["Untrusted Node Successfully Joined the Cluster", "Untrusted Node Unsuccessfully Tried to Join the Cluster"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "nodes" || !ev.subresource().is_empty() || !ev.is_create() {
        return;
    }
    let own = ev.username().strip_prefix("system:node:") == Some(ev.name());
    if ev.succeeded() && (own || ev.username().starts_with("eks:")) {
        return;
    }
    let what = if ev.succeeded() {
        format!("{} registered node {}", ev.username(), ev.name())
    } else {
        format!(
            "{} failed to register node {} ({})",
            ev.username(),
            ev.name(),
            ev.code()
        )
    };
    cx.fire(
        format!("{}|{}", ev.username(), ev.name()),
        object_of(ev),
        what,
    );
}
