use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that do not drop all capabilities (`capabilities.drop: ["ALL"]`), on
    /// Linux pods.
    ///
    /// ## Why is this bad?
    /// Container runtimes grant a default set of capabilities (`NET_RAW`, `CHOWN`, `SETUID`,
    /// ...) that most applications never use; `NET_RAW` alone allows ARP and DNS spoofing
    /// inside the node. Pod Security Standards require dropping `ALL` at the restricted level.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext: {capabilities: {drop: ["NET_RAW"]}}
    /// ```
    /// Instead:
    /// ```yaml
    /// securityContext: {capabilities: {drop: ["ALL"], add: ["NET_BIND_SERVICE"]}}
    /// ```
    pub static RULE = Rule {
        id: "POD007",
        name: "capabilities-not-dropped",
        domain: Domain::Pod,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Container does not drop all capabilities",
        remediation: "Set securityContext.capabilities.drop: [\"ALL\"] and add back only the capabilities the process needs.",
        references: References {
            seed: &["002 POD Security"],
            checkov: &["CKV_K8S_37"],
            polaris: &["insecureCapabilities"],
            kubesec: &["CapDropAll"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted", "https://aws.github.io/aws-eks-best-practices/security/docs/runtime/#consider-adddropping-linux-capabilities-before-writing-seccomp-policies"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    use crate::pss::{Version, evaluate_check};
    for w in &cx.inv.workloads {
        // The drop half of PSA's capabilities_restricted (the add half is POD006's concern).
        let Some(v) = evaluate_check(
            "capabilities_restricted",
            &w.template,
            &w.spec,
            Version::Latest,
        ) else {
            continue;
        };
        let Some(detail) = v.detail.split("; ").find(|d| d.contains("drop=")) else {
            continue;
        };
        let field = v
            .fields
            .iter()
            .find(|f| {
                f.rsplit('.')
                    .next()
                    .is_some_and(|last| last == "capabilities" || last == "drop")
            })
            .map_or_else(|| w.spec_path.to_string(), |f| w.pod_field(f));
        cx.report(w, format!("{}: {detail}", w.res)).at(field);
    }
}
