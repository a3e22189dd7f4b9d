use super::report_missing_limit;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags init and main containers of workloads outside the system namespaces that set no
    /// `resources.limits.ephemeral-storage`, unless a LimitRange of their namespace (when LimitRange objects are
    /// in the input) gives containers a default ephemeral-storage limit, which the API server then fills in.
    ///
    /// ## Why is this bad?
    /// Container logs, writable layers and `emptyDir` volumes share the node's disk. A container
    /// without an ephemeral-storage limit can fill it; the kubelet then evicts pods under disk pressure,
    /// other tenants' among them, and stops admitting new ones: a node-wide denial of service.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: api
    ///   image: api:1.4.2
    ///   resources: {requests: {ephemeral-storage: 1Gi}}
    /// ```
    /// Instead, add `limits: {ephemeral-storage: 2Gi}`, or a namespace LimitRange with `default.ephemeral-storage`.
    ///
    /// ## Differences from peers
    /// KubeLinter `unset-ephemeral-storage-requirements` also fires on missing requests and does not
    /// consider LimitRange defaults.
    pub static RULE = Rule {
        id: "TEN008",
        name: "ephemeral-storage-limit-missing",
        domain: Domain::Ten,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Container has no ephemeral-storage limit",
        remediation: "Set resources.limits.ephemeral-storage on the container, or a LimitRange with a default ephemeral-storage limit in the namespace.",
        references: References {
            seed: &["002 Multi-tenancy"],
            kubelinter: &["unset-ephemeral-storage-requirements"],
            urls: &["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage", "https://kubernetes.io/docs/concepts/policy/limit-range/", "https://aws.github.io/aws-eks-best-practices/security/docs/multitenancy/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_missing_limit(cx, "ephemeral-storage");
}
