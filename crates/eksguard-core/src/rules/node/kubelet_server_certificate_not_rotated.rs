use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags nodes whose kubelet serving certificate is not issued and rotated by the cluster:
    /// the `RotateKubeletServerCertificate` feature gate is turned off, or the kubelet neither
    /// bootstraps its serving certificate (`serverTLSBootstrap`) nor is given one
    /// (`tlsCertFile`), and so serves a self-signed certificate that is never rotated.
    ///
    /// ## Why is this bad?
    /// A self-signed, never-rotated serving certificate cannot be verified by clients of the
    /// kubelet API, and a compromised key stays valid for the node's lifetime. The
    /// EKS-optimized AMIs and Bottlerocket set `serverTLSBootstrap: true`, so the certificate
    /// comes from the `kubernetes.io/kubelet-serving` signer and rotates before it expires.
    ///
    /// ## Example
    /// ```json
    /// {"kubeletconfig": {"featureGates": {"RotateKubeletServerCertificate": false}}}
    /// ```
    /// Instead: `"serverTLSBootstrap": true` and no `RotateKubeletServerCertificate: false`.
    ///
    /// ## Differences from peers
    /// kube-bench (3.2.9) passes only when the feature gate is written as `true` in the
    /// configuration. The gate has been on by default since Kubernetes 1.12, so eksguard fires
    /// only when it is turned off, or when no rotating certificate source is configured at all.
    /// Operator-supplied certificates (`tlsCertFile`) are the operator's to rotate, as CIS notes.
    pub static RULE = Rule {
        id: "NODE011",
        name: "kubelet-server-certificate-not-rotated",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "Kubelet serving certificate is not rotated",
        remediation: "Set serverTLSBootstrap: true in the kubelet configuration and do not disable the RotateKubeletServerCertificate feature gate; approve kubelet-serving CSRs (EKS does).",
        references: References {
            cis_eks: &["3.2.9"],
            kubescape: &["C-0183"],
            urls: &["https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/#certificate-rotation", "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
            ..References::NONE
        },
        needs: &[Input::KubeletConfigs],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for k in &cx.inv.kubelet_configs {
        if k.get_bool("/featureGates/RotateKubeletServerCertificate") == Some(false) {
            cx.report(
                k,
                format!(
                    "kubelet of node {} turns off serving certificate rotation (feature gate RotateKubeletServerCertificate is false)",
                    k.res.name
                ),
            )
            .at("kubeletconfig.featureGates.RotateKubeletServerCertificate");
            continue;
        }
        let bootstrap = k.get_bool("/serverTLSBootstrap") == Some(true);
        let own_cert = k
            .get_str("/tlsCertFile")
            .is_some_and(|f| !f.trim().is_empty());
        if !bootstrap && !own_cert {
            cx.report(
                k,
                format!(
                    "kubelet of node {} serves a self-signed certificate that is never rotated (serverTLSBootstrap is not true and no tlsCertFile is set)",
                    k.res.name
                ),
            )
            .at("kubeletconfig.serverTLSBootstrap");
        }
    }
}
