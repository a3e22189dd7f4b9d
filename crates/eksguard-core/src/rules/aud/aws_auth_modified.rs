use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags every successful change to the `kube-system/aws-auth` ConfigMap, which maps IAM roles and
    /// users to Kubernetes identities.
    ///
    /// ## Why is this bad?
    /// Whoever edits aws-auth decides which AWS principals become cluster users and in which groups,
    /// `system:masters` included: it is the cluster's front door. (EKS access entries change through
    /// the EKS API: those changes appear in CloudTrail, not in the audit log.)
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/kube-system/configmaps/aws-auth","verb":"patch","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"configmaps","namespace":"kube-system","name":"aws-auth","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200}}
    /// ```
    pub static RULE = Rule {
        id: "AUD021",
        name: "aws-auth-modified",
        domain: Domain::Aud,
        severity: Severity::High,
        scope: Scope::Audit,
        summary: "The aws-auth ConfigMap was created, modified or deleted",
        remediation: "Confirm the change with its author; move to EKS access entries managed as code, and restrict who may edit kube-system ConfigMaps.",
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
    if ev.resource() != "configmaps"
        || ev.namespace() != "kube-system"
        || ev.name() != "aws-auth"
        || !ev.changed_object()
    {
        return;
    }
    cx.fire(
        format!("{}|{}", ev.username(), ev.verb()),
        object_of(ev),
        format!(
            "{} {} the aws-auth ConfigMap",
            ev.username(),
            past(ev.verb())
        ),
    );
}
