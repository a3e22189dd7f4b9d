use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads whose manifest places them in the `default` namespace explicitly.
    /// (Manifests without a namespace are deployed wherever `kubectl -n` or the tool deploying
    /// them says; they are not reported.)
    ///
    /// ## Why is this bad?
    /// `default` is shared by everyone and owned by no one: RBAC, NetworkPolicies, quotas and
    /// Pod Security labels are rarely set on it, so it is where isolation quietly fails. The
    /// seeds give each team, project and stage its own namespace.
    ///
    /// ## Example
    /// ```yaml
    /// metadata: {name: reports, namespace: default}
    /// ```
    /// Instead, create a namespace for the application and its team.
    ///
    /// ## Differences from peers
    /// CKV_K8S_21 and KubeLinter `use-namespace` also flag manifests with no namespace at all, and
    /// KubeLinter also flags Services; eksguard reports only workloads placed in `default`
    /// explicitly, where the manifest itself decides the namespace.
    pub static RULE = Rule {
        id: "TEN001",
        name: "workload-in-default-namespace",
        domain: Domain::Ten,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Workload runs in the default namespace",
        remediation: "Move the workload to a namespace of its own team or application, with its RBAC, NetworkPolicies, quota and Pod Security labels.",
        references: References {
            seed: &["003 Use namespaces and secrets", "002 Multi-tenancy"],
            cis_eks: &["4.5.2"],
            checkov: &["CKV_K8S_21"],
            kubescape: &["C-0061", "C-0212"],
            kubelinter: &["use-namespace"],
            urls: &["https://docs.aws.amazon.com/eks/latest/best-practices/tenant-isolation.html", "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/", "https://aws.github.io/aws-eks-best-practices/security/docs/multitenancy/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        if w.res.namespace.as_deref() == Some("default") {
            cx.report(w, format!("{} runs in the shared default namespace", w.res))
                .at("metadata.namespace");
        }
    }
}
