use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::identity_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// After the warm-up, reports the first request of each user or service account that had not made
    /// any request before (Kubernetes components and EKS excepted). It is the learned counterpart of
    /// an allow-list of users.
    ///
    /// ## Why is this bad?
    /// New identities appear when someone adds a mapping to aws-auth or an access entry, creates a
    /// service account, or uses a forged or stolen credential from another cluster.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/pods","verb":"list","user":{"username":"eve","groups":["system:authenticated"]},"sourceIPs":["10.0.77.1"],"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD038",
        name: "new-identity-after-warmup",
        domain: Domain::Aud,
        severity: Severity::Low,
        scope: Scope::Audit,
        summary: "An identity never seen during the warm-up called the API",
        remediation: "Confirm the identity belongs to a known person or workload.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["Disallowed K8s User"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.is_system_component()
        || ev.username().is_empty()
        || ev.is_anonymous()
        || !cx.state.warmed_up(ev.time, cx.opts)
    {
        return;
    }
    if cx.state.profiles.get(ev.username()).is_some() {
        return;
    }
    cx.fire(
        ev.username().to_string(),
        identity_of(ev),
        format!(
            "{} made its first request after the warm-up, from {}",
            ev.username(),
            ev.source_ip()
        ),
    );
}
