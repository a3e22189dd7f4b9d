use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads that run the Kubernetes Dashboard: a container image from `kubernetesui/` or
    /// named `kubernetes-dashboard`, or a pod template labelled `app` / `k8s-app: kubernetes-dashboard`.
    ///
    /// ## Why is this bad?
    /// The dashboard is a web UI that acts with its own service account. It has been the entry point of
    /// well-known cluster compromises (exposed without authentication, or with a service account bound to
    /// cluster-admin), and GuardDuty has a finding type for an exposed dashboard, which the seeds list
    /// among the Kubernetes policy findings. The EKS console shows workloads through IAM-authenticated
    /// access instead.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: kubernetes-dashboard
    ///   image: kubernetesui/dashboard:v2.7.0
    /// ```
    ///
    /// ## Differences from peers
    /// CKV_K8S_33 also fails a container with no image. kubescape C-0014 checks who is bound to the
    /// dashboard's roles rather than whether it runs.
    pub static RULE = Rule {
        id: "RUN003",
        name: "kubernetes-dashboard-deployed",
        domain: Domain::Run,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Kubernetes Dashboard is deployed",
        remediation: "Remove the Kubernetes Dashboard; use the EKS console or kubectl with IAM authentication, or at least keep the dashboard private, behind authentication, with a read-only service account.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types"],
            checkov: &["CKV_K8S_33"],
            urls: &["https://github.com/kubernetes/dashboard", "https://docs.aws.amazon.com/eks/latest/userguide/view-kubernetes-resources.html"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn is_dashboard(image: &str) -> bool {
    image.contains("kubernetesui/") || image.contains("kubernetes-dashboard")
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        let labelled = ["app", "k8s-app"]
            .iter()
            .any(|k| crate::rules::util::label(&w.template, k) == Some("kubernetes-dashboard"));
        let container = w
            .containers()
            .into_iter()
            .find(|c| c.image.is_some_and(is_dashboard));
        if let Some(c) = container {
            let message = format!(
                "{} runs the Kubernetes Dashboard ({} image {})",
                w.res,
                c.describe(),
                c.image.unwrap_or_default()
            );
            let at = c.field("image");
            cx.report(w, message).at(at);
        } else if labelled {
            let message = format!("{} is labelled as the Kubernetes Dashboard", w.res);
            cx.report(w, message);
        }
    }
}
