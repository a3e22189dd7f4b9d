use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::identity_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags list and watch of Secrets across all namespaces or in kube-system, and one identity
    /// reading at least `enum_threshold` (10) distinct secrets within `enum_window_secs` (10 minutes)
    /// of event time; Kubernetes components and EKS excepted.
    ///
    /// ## Why is this bad?
    /// Harvesting every secret is the first thing an attacker does with a powerful credential: one
    /// list returns all of them, values included.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/secrets","verb":"list","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"secrets","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD025",
        name: "secrets-enumeration",
        domain: Domain::Aud,
        severity: Severity::High,
        scope: Scope::Audit,
        summary: "One identity listed secrets across the cluster or read many secrets in a short time",
        remediation: "Find the identity and revoke it if the sweep was not expected; restrict list/watch on secrets, which return values, to the controllers that need them.",
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
    if ev.resource() != "secrets"
        || !ev.subresource().is_empty()
        || !ev.succeeded()
        || ev.is_system_component()
    {
        return;
    }
    if matches!(ev.verb(), "list" | "watch") {
        if ev.namespace().is_empty() || ev.namespace() == "kube-system" {
            let scope = if ev.namespace().is_empty() {
                "all namespaces"
            } else {
                "kube-system"
            };
            cx.fire(
                format!("{}|{}|{scope}", ev.username(), ev.verb()),
                identity_of(ev),
                format!(
                    "{} {} the secrets of {scope}",
                    ev.username(),
                    past(ev.verb())
                ),
            );
        }
        return;
    }
    if ev.verb() != "get" {
        return;
    }
    let (window, threshold, cap) = (
        cx.opts.enum_window_secs,
        cx.opts.enum_threshold,
        cx.opts.max_identities,
    );
    let Some(w) = cx
        .state
        .secret_reads
        .entry(ev.username(), cap, Default::default)
    else {
        return;
    };
    w.roll(ev.time, window);
    if w.names.len() < threshold.saturating_mul(2) {
        w.names.insert(format!("{}/{}", ev.namespace(), ev.name()));
    }
    if w.names.len() < threshold {
        return;
    }
    let n = w.names.len();
    cx.fire(
        format!("{}|get", ev.username()),
        identity_of(ev),
        format!(
            "{} read at least {n} distinct secrets within {} minutes",
            ev.username(),
            window / 60
        ),
    );
}
