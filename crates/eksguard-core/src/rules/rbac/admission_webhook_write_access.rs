use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, perms, phrase, report_permission};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may create, update, patch or delete MutatingWebhookConfigurations,
    /// ValidatingWebhookConfigurations, ValidatingAdmissionPolicies or their bindings, on the
    /// binding that grants it, naming subject, role and policy rule (Kubernetes' default and
    /// aggregated roles resolved). A role that no binding of the input uses is reported on itself.
    /// Kubernetes' and EKS's own grants, grants limited by `resourceNames`, and roles that grant
    /// everything (RBAC002, RBAC003) are not reported.
    ///
    /// ## Why is this bad?
    /// Admission controls are where Pod Security, image and policy guard rails are enforced. A
    /// subject that can change them can switch a policy engine off, send every object (secrets
    /// included) to a webhook of its own, or mutate every new pod to run its code.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: ["admissionregistration.k8s.io"]
    ///   resources: ["mutatingwebhookconfigurations"]
    ///   verbs: ["create", "patch"]
    /// ```
    /// Instead, let only administrators and the controller that owns a webhook (with
    /// `resourceNames`) write these objects.
    pub static RULE = Rule {
        id: "RBAC013",
        name: "admission-webhook-write-access",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Subject can change admission webhooks or policies",
        remediation: "Limit writes to admission webhook and policy configurations to the cluster administrators and the controllers that own them.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            cis_eks: &["4.1.11"],
            kubescape: &["C-0281"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#control-admission-webhooks", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let p = perms(
        &["create", "update", "patch", "delete"],
        &[
            "mutatingwebhookconfigurations",
            "validatingwebhookconfigurations",
            "validatingadmissionpolicies",
            "validatingadmissionpolicybindings",
        ],
    );
    report_permission(cx, &p, Opts::default(), phrase);
}
