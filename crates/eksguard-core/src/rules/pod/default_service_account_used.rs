use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads outside the system namespaces that run as their namespace's `default`
    /// service account (no `serviceAccountName`, or `serviceAccountName: default`).
    ///
    /// ## Why is this bad?
    /// Workloads sharing `default` share whatever RBAC and IAM role anyone ever grants to it;
    /// one workload's needs become every workload's permissions. The seeds: use dedicated
    /// service accounts for each application.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers: [{name: worker, image: worker:2.1}]
    /// ```
    /// Instead, create a ServiceAccount for the application and set `serviceAccountName`.
    pub static RULE = Rule {
        id: "POD009",
        name: "default-service-account-used",
        domain: Domain::Pod,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Workload runs as the default service account",
        remediation: "Create a dedicated ServiceAccount for the workload and set spec.serviceAccountName to it.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            cis_eks: &["4.1.5"],
            checkov: &["CKV_K8S_41"],
            kubescape: &["C-0189"],
            kubelinter: &["default-service-account"],
            kubesec: &["ServiceAccountName"],
            urls: &["https://kubernetes.io/docs/concepts/security/service-accounts/", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#use-dedicated-service-accounts-for-each-application", "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        if is_system_namespace(w.namespace()) || w.service_account() != "default" {
            continue;
        }
        cx.report(w, format!("{} runs as the default service account", w.res))
            .at(w.field("serviceAccountName"));
    }
}
