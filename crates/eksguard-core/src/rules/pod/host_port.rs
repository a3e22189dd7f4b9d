use super::report_pss_check;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that bind a port on the node (`ports[].hostPort`).
    ///
    /// ## Why is this bad?
    /// A host port bypasses Services and NetworkPolicies that select by pod, exposes the
    /// container on every address of the node (the VPC, and the internet if the node is
    /// public), and limits scheduling. Pod Security Standards forbid host ports at baseline.
    ///
    /// ## Example
    /// ```yaml
    /// ports: [{containerPort: 8080, hostPort: 8080}]
    /// ```
    /// Instead, expose the port through a Service.
    pub static RULE = Rule {
        id: "POD012",
        name: "host-port",
        domain: Domain::Pod,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Container binds a port on the node",
        remediation: "Remove hostPort and expose the container through a Service (ClusterIP, or a load balancer).",
        references: References {
            seed: &["002 POD Security", "003 Kubernetes pod security"],
            checkov: &["CKV_K8S_26"],
            kubescape: &["C-0044"],
            polaris: &["hostPortSet"],
            urls: &["https://kubernetes.io/docs/concepts/configuration/overview/#services", "https://kubernetes.io/docs/concepts/configuration/overview/", "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_check(cx, "hostPorts");
}
