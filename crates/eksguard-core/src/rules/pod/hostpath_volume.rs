use super::report_pss_check;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags pods that mount a `hostPath` volume.
    ///
    /// ## Why is this bad?
    /// A host path gives the container the node's files: `/` or `/etc` lets it rewrite the
    /// node, `/var/run/docker.sock` or the containerd socket lets it start privileged
    /// containers, `/var/lib/kubelet` holds other pods' tokens and secrets. GuardDuty names it
    /// `Persistence:Kubernetes/ContainerWithSensitiveMount`. Pod Security Standards forbid
    /// host paths at the baseline level.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    /// - name: docker
    ///   hostPath: {path: /var/run/docker.sock}
    /// ```
    /// Instead, use `emptyDir`, a PersistentVolumeClaim, a ConfigMap or a CSI volume.
    ///
    /// The most dangerous host paths also have rules of their own, which peers' ids map to:
    /// POD026 (container runtime socket), POD027 (sensitive node directories) and POD028 (writable
    /// host paths).
    pub static RULE = Rule {
        id: "POD003",
        name: "hostpath-volume",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Pod mounts a hostPath volume",
        remediation: "Replace the hostPath volume with emptyDir, a PersistentVolumeClaim, or a CSI volume.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types", "002 POD Security", "003 Kubernetes pod security"],
            kubescape: &["C-0048"],
            hardeneks: &["disallow_host_path_or_make_it_read_only"],
            guardduty: &["Persistence:Kubernetes/ContainerWithSensitiveMount"],
            polaris: &["hostPathSet"],
            urls: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath", "https://aws.github.io/aws-eks-best-practices/security/docs/pods/#restrict-the-use-of-hostpath-or-if-hostpath-is-necessary-restrict-which-prefixes-can-be-used-and-configure-the-volume-as-read-only"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    report_pss_check(cx, "hostPathVolumes");
}
