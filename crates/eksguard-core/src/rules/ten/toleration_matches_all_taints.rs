use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads outside the system namespaces, DaemonSets excepted, with a toleration that has
    /// no `key` and `operator: Exists`: it tolerates every taint of every node.
    ///
    /// ## Why is this bad?
    /// Hard multi-tenancy, as the seeds describe it, puts each tenant on its own nodes with taints and
    /// tolerations (and node affinity). A wildcard toleration walks through every such fence: the pod may
    /// be scheduled on another tenant's dedicated nodes, on nodes tainted for sensitive workloads, or on
    /// nodes being drained (`NoExecute` taints), where it then shares a kernel with workloads it should
    /// never meet. DaemonSets need it by design (they run on every node) and are not reported.
    ///
    /// ## Example
    /// ```yaml
    /// tolerations:
    /// - operator: Exists
    /// ```
    /// Instead:
    /// ```yaml
    /// tolerations:
    /// - {key: tenant, operator: Equal, value: analytics, effect: NoSchedule}
    /// ```
    pub static RULE = Rule {
        id: "TEN006",
        name: "toleration-matches-all-taints",
        domain: Domain::Ten,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Workload tolerates every taint",
        remediation: "Tolerate only the taints of the nodes the workload is meant for (key, value and effect).",
        references: References {
            seed: &["002 Multi-tenancy"],
            urls: &["https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/", "https://aws.github.io/aws-eks-best-practices/security/docs/multitenancy/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        if w.res.kind == "DaemonSet" || is_system_namespace(w.namespace()) {
            continue;
        }
        for (i, t) in w.spec.tolerations.iter().flatten().enumerate() {
            let no_key = t.key.as_deref().is_none_or(str::is_empty);
            if no_key && t.operator.as_deref() == Some("Exists") {
                let message = format!(
                    "{} tolerates every taint (toleration without key, operator Exists), so it can run on any tenant's nodes",
                    w.res
                );
                let at = w.field(&format!("tolerations[{i}]"));
                cx.report(w, message).at(at);
            }
        }
    }
}
