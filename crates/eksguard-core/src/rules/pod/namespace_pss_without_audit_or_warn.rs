use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::pss::Level;
use crate::pss::namespace::{ModeSetting, NamespacePolicy, PREFIX};
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::label_path;

declare_rule! {
    /// ## What it does
    /// Flags namespaces other than kube-system, kube-public and kube-node-lease that set
    /// `pod-security.kubernetes.io/enforce` to `baseline` or `restricted` but neither
    /// `pod-security.kubernetes.io/warn` nor `pod-security.kubernetes.io/audit` at a level at
    /// least as strict as enforce. A missing or invalid warn/audit label counts as absent
    /// (Pod Security Admission then falls back to `privileged`, which reports nothing).
    ///
    /// ## Why is this bad?
    /// With enforce alone, a rejected deployment only tells the one user who applied it, and
    /// nothing records which workloads would break if the namespace moved to a stricter level.
    /// `warn` returns the violations to the client at admission and `audit` writes them to the
    /// API server audit log (EKS control-plane audit logs), so violations surface before they
    /// block a rollout. The seeds: use the audit and warn modes alongside enforce.
    ///
    /// Namespaces enforcing `privileged` are left to POD013 (namespace-enforces-privileged),
    /// and namespaces without an enforce label to POD011 (namespace-without-pss-enforce). Only
    /// the levels are compared: a warn or audit label pinned to an older `-version` than
    /// enforce still counts.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: storefront
    ///   labels: {pod-security.kubernetes.io/enforce: baseline}
    /// ```
    /// Instead, warn and audit at the next level up (or at least at the enforced one):
    /// ```yaml
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: baseline
    ///     pod-security.kubernetes.io/warn: restricted
    ///     pod-security.kubernetes.io/audit: restricted
    /// ```
    pub static RULE = Rule {
        id: "POD031",
        name: "namespace-pss-without-audit-or-warn",
        domain: Domain::Pod,
        severity: Severity::Info,
        scope: Scope::Object,
        summary: "Namespace enforces a Pod Security Standard without warn or audit at that level",
        remediation: "Add pod-security.kubernetes.io/warn and pod-security.kubernetes.io/audit labels at the enforced level or the next stricter one.",
        references: References {
            seed: &["002 POD Security"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces", "https://aws.github.io/aws-eks-best-practices/security/docs/pods/#pod-security-standards-pss-and-pod-security-admission-psa"],
            ..References::NONE
        },
        needs: &[Input::Namespaces],
        check: run,
    };
}

fn covers(mode: Option<ModeSetting>, enforce: Level) -> bool {
    mode.is_some_and(|m| m.level >= enforce)
}

fn describe(policy: &NamespacePolicy, name: &str, mode: Option<ModeSetting>) -> String {
    let invalid = format!("{PREFIX}{name}:");
    match mode {
        Some(m) => format!("{name} {}", m.level),
        None if policy.errors.iter().any(|e| e.starts_with(&invalid)) => format!("invalid {name}"),
        None => format!("no {name}"),
    }
}

fn run(cx: &mut Context<'_>) {
    for ns in &cx.inv.namespaces {
        if is_system_namespace(&ns.res.name) {
            continue;
        }
        let policy = NamespacePolicy::from_meta(&ns.metadata);
        let Some(enforce) = policy.enforce.map(|e| e.level) else {
            continue;
        };
        if enforce == Level::Privileged
            || covers(policy.warn, enforce)
            || covers(policy.audit, enforce)
        {
            continue;
        }
        let suggest = enforce.stricter().unwrap_or(enforce);
        cx.report(
            ns,
            format!(
                "namespace {} enforces {enforce} but neither warns nor audits at {enforce} or stricter ({}, {})",
                ns.res.name,
                describe(&policy, "warn", policy.warn),
                describe(&policy, "audit", policy.audit)
            ),
        )
        .at(label_path("pod-security.kubernetes.io/enforce"))
        .fix(format!(
            "kubectl label namespace {} pod-security.kubernetes.io/warn={suggest} pod-security.kubernetes.io/audit={suggest} --overwrite",
            ns.res.name
        ));
    }
}
