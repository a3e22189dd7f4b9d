use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::pss::Level;
use crate::pss::namespace::NamespacePolicy;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::label_path;

declare_rule! {
    /// ## What it does
    /// Flags namespaces other than kube-system, kube-public and kube-node-lease whose
    /// `pod-security.kubernetes.io/enforce` label is `privileged`, or whose label values are
    /// invalid (Pod Security Admission then falls back to its defaults).
    ///
    /// ## Why is this bad?
    /// `enforce: privileged` is an explicit opt-out: any pod, privileged and host-namespace
    /// ones included, is admitted. It is sometimes needed for node agents, which belong in a
    /// dedicated namespace with tight RBAC, not in an application namespace.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: analytics
    ///   labels: {pod-security.kubernetes.io/enforce: privileged}
    /// ```
    /// Instead, enforce `baseline` (or `restricted`), and move workloads that truly need
    /// privileges to a dedicated namespace.
    pub static RULE = Rule {
        id: "POD013",
        name: "namespace-enforces-privileged",
        domain: Domain::Pod,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Namespace opts out of Pod Security enforcement",
        remediation: "Set pod-security.kubernetes.io/enforce to baseline or restricted (check first with eksguard pss --suggest); keep privileged workloads in a dedicated namespace.",
        references: References {
            seed: &["002 POD Security"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces"],
            ..References::NONE
        },
        needs: &[Input::Namespaces],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for ns in &cx.inv.namespaces {
        if is_system_namespace(&ns.res.name) {
            continue;
        }
        let policy = NamespacePolicy::from_meta(&ns.metadata);
        let field = label_path("pod-security.kubernetes.io/enforce");
        if policy.enforce.is_some_and(|e| e.level == Level::Privileged) {
            cx.report(
                ns,
                format!(
                    "namespace {} enforces the privileged Pod Security level: any pod is admitted",
                    ns.res.name
                ),
            )
            .at(field);
        } else if !policy.errors.is_empty() {
            cx.report(
                ns,
                format!(
                    "namespace {} has invalid Pod Security labels: {}",
                    ns.res.name,
                    policy.errors.join("; ")
                ),
            )
            .at(field);
        }
    }
}
