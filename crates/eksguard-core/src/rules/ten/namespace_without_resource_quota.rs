use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::report_namespaces_without;

declare_rule! {
    /// ## What it does
    /// Flags namespaces that run workloads (system namespaces excepted) and have no
    /// ResourceQuota.
    ///
    /// ## Why is this bad?
    /// Tenants share nodes (soft multi-tenancy, in the seeds' words): without a quota one
    /// namespace can exhaust the cluster's CPU, memory, pods or load balancers, by accident or
    /// as a denial of service against its neighbours.
    ///
    /// ## Example
    /// A namespace `analytics` with Deployments and no ResourceQuota. Instead:
    /// ```yaml
    /// kind: ResourceQuota
    /// metadata: {name: compute, namespace: analytics}
    /// spec: {hard: {requests.cpu: "20", requests.memory: 64Gi, pods: "200"}}
    /// ```
    pub static RULE = Rule {
        id: "TEN002",
        name: "namespace-without-resource-quota",
        domain: Domain::Ten,
        severity: Severity::Low,
        scope: Scope::Cluster,
        summary: "Namespace has workloads and no ResourceQuota",
        remediation: "Add a ResourceQuota (and a LimitRange for defaults) sized for the tenant.",
        references: References {
            seed: &["002 Multi-tenancy"],
            hardeneks: &["ensure_namespace_quotas_exist"],
            urls: &["https://kubernetes.io/docs/concepts/policy/resource-quotas/", "https://aws.github.io/aws-eks-best-practices/security/docs/multitenancy/"],
            ..References::NONE
        },
        needs: &[Input::Workloads, Input::ResourceQuotas],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    report_namespaces_without(cx, &inv.resource_quotas, "ResourceQuota");
}
