use super::report_missing_limit;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags init and main containers of workloads outside the system namespaces that set no
    /// `resources.limits.memory`, unless a LimitRange of their namespace (when LimitRange objects are
    /// in the input) gives containers a default memory limit, which the API server then fills in.
    ///
    /// ## Why is this bad?
    /// Tenants share nodes (soft multi-tenancy, in the seeds' words). A container without a memory
    /// limit can take all of its node's memory: the kernel's out-of-memory killer and the kubelet's
    /// evictions then hit other tenants' pods, a denial of service by accident or by design.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: api
    ///   image: api:1.4.2
    ///   resources: {requests: {memory: 256Mi}}
    /// ```
    /// Instead, add `limits: {memory: 512Mi}`, or a namespace LimitRange with `default.memory`.
    ///
    /// ## Differences from peers
    /// Checkov, Polaris, kubesec and kube-score read the container only and fire even when a LimitRange
    /// supplies the default; kubescape C-0009 considers LimitRanges as eksguard does. Polaris skips
    /// init containers. kube-score `container-resources` and hardeneks
    /// `set_requests_limits_for_containers` also require requests (not a security concern, not
    /// ported).
    pub static RULE = Rule {
        id: "TEN003",
        name: "memory-limit-missing",
        domain: Domain::Ten,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Container has no memory limit",
        remediation: "Set resources.limits.memory on the container, or a LimitRange with a default memory limit in the namespace.",
        references: References {
            seed: &["002 Multi-tenancy"],
            hardeneks: &["set_requests_limits_for_containers"],
            checkov: &["CKV_K8S_13"],
            kubescape: &["C-0004", "C-0009", "C-0271"],
            polaris: &["memoryLimitsMissing"],
            kube_score: &["container-resources"],
            kubesec: &["LimitsMemory"],
            urls: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/", "https://kubernetes.io/docs/concepts/policy/limit-range/", "https://aws.github.io/aws-eks-best-practices/security/docs/multitenancy/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_missing_limit(cx, "memory");
}
