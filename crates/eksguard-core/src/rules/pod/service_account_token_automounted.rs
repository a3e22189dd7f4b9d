use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads outside the system namespaces whose pods get a Kubernetes API token
    /// mounted: `automountServiceAccountToken` is not `false` on the pod spec, and not `false`
    /// on its service account either (when the service account is in the input).
    ///
    /// ## Why is this bad?
    /// Most applications never call the Kubernetes API, yet by default every pod carries a
    /// token for its service account at `/var/run/secrets/kubernetes.io/serviceaccount`. An
    /// attacker in the container uses it to explore and, with any RBAC grant, to move. The
    /// seeds: disable auto-mounting of service account tokens.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   serviceAccountName: web
    /// ```
    /// Instead:
    /// ```yaml
    /// spec:
    ///   serviceAccountName: web
    ///   automountServiceAccountToken: false
    /// ```
    ///
    /// ## Differences from peers
    /// This rule asks whether a pod actually receives a token (neither the pod nor its
    /// ServiceAccount turns automounting off). The newest hardeneks
    /// `disable_service_account_token_mounts` instead checks each namespace's `default`
    /// ServiceAccount object, whether or not a pod uses it; older hardeneks versions flagged pods
    /// that set automounting to true, which this rule covers.
    pub static RULE = Rule {
        id: "POD008",
        name: "service-account-token-automounted",
        domain: Domain::Pod,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Pods get a Kubernetes API token they may not need",
        remediation: "Set automountServiceAccountToken: false on the pod spec (or the service account); mount a projected token only where the API is used.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            cis_eks: &["4.1.6"],
            checkov: &["CKV_K8S_38"],
            kubescape: &["C-0034", "C-0190", "C-0261"],
            hardeneks: &["disable_service_account_token_mounts"],
            polaris: &["automountServiceAccountToken"],
            kubelinter: &["automount-service-account-token"],
            kubesec: &["AutomountServiceAccountToken"],
            urls: &["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#disable-auto-mounting-of-service-account-tokens"],
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
        let sa_name = w.service_account();
        let pod_setting = w.spec.automount_service_account_token;
        let sa_setting = cx
            .inv
            .service_accounts
            .iter()
            .find(|sa| {
                sa.res.name == sa_name
                    && sa.res.namespace.as_deref().unwrap_or("default") == w.namespace()
            })
            .and_then(|sa| sa.automount_service_account_token);
        // The pod's setting wins over the service account's.
        let mounted = pod_setting.or(sa_setting).unwrap_or(true);
        if mounted {
            cx.report(
                w,
                format!(
                    "pods of {} get the API token of service account {sa_name} mounted",
                    w.res
                ),
            )
            .at(w.field("automountServiceAccountToken"));
        }
    }
}
