use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads outside the system namespaces whose `priorityClassName` is
    /// `system-node-critical` or `system-cluster-critical`.
    ///
    /// ## Why is this bad?
    /// Those classes have the highest priorities: the scheduler preempts (evicts) any other pod to place
    /// them, and the kubelet evicts them last under node pressure. A tenant that uses them can push every
    /// other tenant's pods off the nodes, a denial of service across tenant boundaries, and its pods are
    /// the last to go when they misbehave. Kubernetes allows them in any namespace unless a quota
    /// forbids it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   priorityClassName: system-cluster-critical
    /// ```
    pub static RULE = Rule {
        id: "TEN007",
        name: "system-priority-class-used",
        domain: Domain::Ten,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Workload outside kube-system uses a system-critical priority class",
        remediation: "Use a priority class created for the tenant, and reserve system-node-critical and system-cluster-critical for kube-system (a ResourceQuota with a PriorityClass scope selector can enforce it).",
        references: References {
            seed: &["002 Multi-tenancy"],
            urls: &["https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/", "https://kubernetes.io/docs/concepts/policy/resource-quotas/#limit-priority-class-consumption-by-default", "https://aws.github.io/aws-eks-best-practices/security/docs/multitenancy/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        if is_system_namespace(w.namespace()) {
            continue;
        }
        let Some(pc) = w.spec.priority_class_name.as_deref() else {
            continue;
        };
        if pc == "system-node-critical" || pc == "system-cluster-critical" {
            let message = format!(
                "{} uses priority class {pc}: it preempts other tenants' pods",
                w.res
            );
            let at = w.field("priorityClassName");
            cx.report(w, message).at(at);
        }
    }
}
