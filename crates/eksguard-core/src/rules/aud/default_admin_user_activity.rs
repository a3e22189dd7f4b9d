use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::identity_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags requests by the well-known default administrator user names (`kubernetes-admin`, which
    /// EKS gives the cluster creator, `admin`, `kubernetes-admin@kubernetes`, `kubernetes-
    /// admin@cluster.local`, `minikube-user`); one finding per user and source.
    ///
    /// ## Why is this bad?
    /// Day-to-day use of the cluster creator's all-powerful identity defeats least privilege and
    /// leaves no per-person trail.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/pods","verb":"list","user":{"username":"kubernetes-admin","groups":["system:masters","system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD031",
        name: "default-admin-user-activity",
        domain: Domain::Aud,
        severity: Severity::Low,
        scope: Scope::Audit,
        summary: "A default administrator identity used the cluster",
        remediation: "Give people their own IAM roles mapped to scoped groups (access entries), and keep the creator's admin for break-glass.",
        references: References {
            seed: &["002 Detective Controls"],
            falco: &["Full K8s Administrative Access"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    let u = ev.username();
    if !matches!(
        u,
        "kubernetes-admin"
            | "admin"
            | "kubernetes-admin@kubernetes"
            | "kubernetes-admin@cluster.local"
            | "minikube-user"
    ) {
        return;
    }
    cx.fire(
        format!("{u}|{}", ev.source_ip()),
        identity_of(ev),
        format!(
            "default administrator {u} called the API from {}",
            ev.source_ip()
        ),
    );
}
