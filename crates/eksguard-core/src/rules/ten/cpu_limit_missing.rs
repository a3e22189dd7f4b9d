use super::report_missing_limit;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags init and main containers of workloads outside the system namespaces that set no
    /// `resources.limits.cpu`, unless a LimitRange of their namespace (when LimitRange objects are
    /// in the input) gives containers a default cpu limit, which the API server then fills in.
    ///
    /// ## Why is this bad?
    /// Tenants share nodes. A container without a CPU limit can use every idle core of its node; its
    /// neighbours keep only the share their requests guarantee, and a crypto-miner in a compromised pod
    /// runs at full speed. Limits bound that noisy-neighbour effect and make abuse visible as throttling.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: api
    ///   image: api:1.4.2
    ///   resources: {requests: {cpu: 250m}}
    /// ```
    /// Instead, add `limits: {cpu: 1}`, or a namespace LimitRange with `default.cpu`.
    ///
    /// ## Differences from peers
    /// Checkov, Polaris, kubesec and kube-score read the container only and fire even when a LimitRange
    /// supplies the default; kubescape C-0009 considers LimitRanges as eksguard does. Polaris skips
    /// init containers. kube-score `container-resources` and hardeneks
    /// `set_requests_limits_for_containers` also require requests (not a security concern, not
    /// ported).
    pub static RULE = Rule {
        id: "TEN004",
        name: "cpu-limit-missing",
        domain: Domain::Ten,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Container has no CPU limit",
        remediation: "Set resources.limits.cpu on the container, or a LimitRange with a default cpu limit in the namespace.",
        references: References {
            seed: &["002 Multi-tenancy"],
            hardeneks: &["set_requests_limits_for_containers"],
            checkov: &["CKV_K8S_11"],
            kubescape: &["C-0009", "C-0050", "C-0270"],
            polaris: &["cpuLimitsMissing"],
            kube_score: &["container-resources"],
            kubesec: &["LimitsCPU"],
            urls: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/", "https://kubernetes.io/docs/concepts/policy/limit-range/", "https://aws.github.io/aws-eks-best-practices/security/docs/multitenancy/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_missing_limit(cx, "cpu");
}
