use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::source_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags a source address that receives at least `burst_threshold` (20) responses 401, 403 or 404
    /// within `burst_window_secs` (5 minutes) of event time. The finding counts the errors past the
    /// threshold.
    ///
    /// ## Why is this bad?
    /// Bursts of authentication and authorization failures are brute force, credential stuffing or an
    /// attacker mapping what a stolen credential may do.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/kube-system/secrets/s6","verb":"get","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["198.51.100.77"],"objectRef":{"resource":"secrets","namespace":"kube-system","name":"s6","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":403}}
    /// ```
    pub static RULE = Rule {
        id: "AUD034",
        name: "auth-error-burst",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A burst of 401, 403 or 404 responses came from one source",
        remediation: "Identify the source; block it at the endpoint (public access CIDRs) if it is not yours, or fix the misconfigured client if it is.",
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
    if !matches!(ev.code(), 401 | 403 | 404) {
        return;
    }
    let ip = ev.source_ip();
    let (window, threshold, cap) = (
        cx.opts.burst_window_secs,
        cx.opts.burst_threshold,
        cx.opts.max_identities,
    );
    let Some(w) = cx.state.error_bursts.entry(ip, cap, Default::default) else {
        return;
    };
    w.roll(ev.time, window);
    w.count = w.count.saturating_add(1);
    if w.count < threshold {
        return;
    }
    cx.fire(
        ip.to_string(),
        source_of(ip),
        format!(
            "{ip} received {threshold} or more 401/403/404 responses within {} minutes",
            window / 60
        ),
    );
}
