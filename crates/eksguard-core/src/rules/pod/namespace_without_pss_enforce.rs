use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::label;

declare_rule! {
    /// ## What it does
    /// Flags namespaces (other than kube-system, kube-public and kube-node-lease) without a
    /// `pod-security.kubernetes.io/enforce` label.
    ///
    /// ## Why is this bad?
    /// Pod Security Admission enforces nothing in a namespace without the label (EKS does not
    /// set a cluster-wide default): any pod, privileged ones included, is admitted. The seeds
    /// ask for Pod Security Standards with enforce, audit and warn modes.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Namespace
    /// metadata: {name: storefront}
    /// ```
    /// Instead:
    /// ```yaml
    /// metadata:
    ///   name: storefront
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: restricted
    ///     pod-security.kubernetes.io/enforce-version: latest
    /// ```
    pub static RULE = Rule {
        id: "POD011",
        name: "namespace-without-pss-enforce",
        domain: Domain::Pod,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Namespace does not enforce a Pod Security Standard",
        remediation: "Label the namespace pod-security.kubernetes.io/enforce=baseline (or restricted) after checking its workloads pass (eksguard pss --suggest).",
        references: References {
            seed: &["002 POD Security"],
            hardeneks: &["ensure_namespace_psa_exist"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-admission/", "https://aws.github.io/aws-eks-best-practices/security/docs/pods/#pod-security-standards-pss-and-pod-security-admission-psa"],
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
        if label(&ns.metadata, "pod-security.kubernetes.io/enforce").is_none() {
            let audit = label(&ns.metadata, "pod-security.kubernetes.io/audit")
                .or_else(|| label(&ns.metadata, "pod-security.kubernetes.io/warn"));
            let extra = audit.map_or(String::new(), |l| format!(" (it only audits/warns at {l})"));
            cx.report(
                ns,
                format!(
                    "namespace {} enforces no Pod Security Standard{extra}",
                    ns.res.name
                ),
            )
            .at("metadata.labels");
        }
    }
}
