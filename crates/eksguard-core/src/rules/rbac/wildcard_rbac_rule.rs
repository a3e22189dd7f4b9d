use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::{is_platform_rbac, roles};

declare_rule! {
    /// ## What it does
    /// Flags Roles and ClusterRoles with a `*` in `verbs` or `resources` (Kubernetes and EKS
    /// default roles are not reported).
    ///
    /// ## Why is this bad?
    /// A wildcard grants every current and future verb or resource, including ones added later
    /// by CRDs and subresources such as `pods/exec` or `serviceaccounts/token`. It defeats the
    /// least privilege the seeds ask for and makes access reviews meaningless.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: ["apps"]
    ///   resources: ["*"]
    ///   verbs: ["*"]
    /// ```
    /// Instead, list resources and verbs: `resources: [deployments]`, `verbs: [get, list, watch, update]`.
    pub static RULE = Rule {
        id: "RBAC003",
        name: "wildcard-rbac-rule",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Role grants wildcard verbs or resources",
        remediation: "Replace `*` with the explicit verbs and resources the subject needs.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            cis_eks: &["4.1.3"],
            checkov: &["CKV_K8S_49"],
            kubescape: &["C-0187"],
            hardeneks: &["restrict_wildcard_for_cluster_roles", "restrict_wildcard_for_roles"],
            kubelinter: &["wildcard-in-rules"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#minimize-wildcard-permissions", "https://aws.github.io/aws-eks-best-practices/security/docs/iam/#employ-least-privileged-access-when-creating-rolebindings-and-clusterrolebindings", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"],
            ..References::NONE
        },
        needs: &[Input::Roles],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for r in roles(cx.inv) {
        if is_platform_rbac(r.meta) {
            continue;
        }
        for (i, rule) in r.rules.iter().enumerate() {
            let verbs = rule.verbs.iter().any(|v| v == "*");
            let resources = rule
                .resources
                .as_deref()
                .unwrap_or_default()
                .iter()
                .any(|v| v == "*");
            let what = match (verbs, resources) {
                (true, true) => "every verb on every resource",
                (true, false) => "every verb",
                (false, true) => "every resource",
                (false, false) => continue,
            };
            let groups = rule.api_groups.as_deref().unwrap_or_default();
            let groups = if groups.iter().any(|g| g == "*") {
                "all API groups".to_string()
            } else {
                format!(
                    "API groups [{}]",
                    groups
                        .iter()
                        .map(|g| if g.is_empty() { "core" } else { g.as_str() })
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            cx.report(
                r.target,
                format!("{} grants {what} in {groups}", r.describe()),
            )
            .at(format!("rules[{i}]"));
        }
    }
}
