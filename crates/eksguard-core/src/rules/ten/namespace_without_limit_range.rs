use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::report_namespaces_without;

declare_rule! {
    /// ## What it does
    /// Flags namespaces that run workloads (system namespaces excepted) and have no LimitRange. The
    /// rule is evaluated when ResourceQuota or LimitRange objects are part of the input (a manifest
    /// set without any of them says nothing about the namespace's policy objects).
    ///
    /// ## Why is this bad?
    /// A ResourceQuota (TEN002) caps a tenant's total, but only a LimitRange gives each container a
    /// default and a maximum: without one, a single pod can take the whole quota or, without a quota,
    /// a whole node. With a quota on `limits.memory`, pods that set no limit are even rejected, so teams
    /// then remove the quota instead.
    ///
    /// ## Example
    /// ```yaml
    /// kind: LimitRange
    /// metadata: {name: defaults, namespace: analytics}
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     default: {cpu: "1", memory: 512Mi}
    ///     defaultRequest: {cpu: 100m, memory: 128Mi}
    ///     max: {memory: 4Gi}
    /// ```
    pub static RULE = Rule {
        id: "TEN005",
        name: "namespace-without-limit-range",
        domain: Domain::Ten,
        severity: Severity::Low,
        scope: Scope::Cluster,
        summary: "Namespace has workloads and no LimitRange",
        remediation: "Add a LimitRange with default and max container limits (CPU, memory, ephemeral storage) to the namespace.",
        references: References {
            seed: &["002 Multi-tenancy"],
            urls: &["https://kubernetes.io/docs/concepts/policy/limit-range/", "https://aws.github.io/aws-eks-best-practices/security/docs/multitenancy/"],
            ..References::NONE
        },
        needs: &[Input::Workloads, Input::ResourceQuotas],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    report_namespaces_without(cx, &inv.limit_ranges, "LimitRange");
}
