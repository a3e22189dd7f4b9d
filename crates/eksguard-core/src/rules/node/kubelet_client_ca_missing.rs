use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags nodes whose live kubelet configuration has no client CA file
    /// (`authentication.x509.clientCAFile` empty or absent).
    ///
    /// ## Why is this bad?
    /// Without a client CA the kubelet cannot verify client certificates: the API server's own
    /// connections to the kubelet (exec, logs, port-forward) are not authenticated by
    /// certificate, and the kubelet falls back to bearer tokens or anonymous access. The
    /// EKS-optimized AMIs point it at `/etc/kubernetes/pki/ca.crt`.
    ///
    /// ## Example
    /// ```json
    /// {"kubeletconfig": {"authentication": {"x509": {}}}}
    /// ```
    /// Instead: `"authentication": {"x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}}`.
    pub static RULE = Rule {
        id: "NODE007",
        name: "kubelet-client-ca-missing",
        domain: Domain::Node,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Kubelet does not verify client certificates (no client CA file)",
        remediation: "Set authentication.x509.clientCAFile to the cluster CA bundle (/etc/kubernetes/pki/ca.crt on EKS AMIs) and restart the kubelet.",
        references: References {
            cis_eks: &["3.2.3"],
            kubescape: &["C-0174", "C-0070"],
            urls: &["https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"],
            ..References::NONE
        },
        needs: &[Input::KubeletConfigs],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for k in &cx.inv.kubelet_configs {
        let ca = k
            .get_str("/authentication/x509/clientCAFile")
            .unwrap_or_default();
        if ca.trim().is_empty() {
            cx.report(
                k,
                format!(
                    "kubelet of node {} has no client CA file: it cannot authenticate callers by certificate",
                    k.res.name
                ),
            )
            .at("kubeletconfig.authentication.x509");
        }
    }
}
