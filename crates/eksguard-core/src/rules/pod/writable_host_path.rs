use super::host_mounts;
use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers (init and ephemeral included) that mount a hostPath volume without
    /// `readOnly: true` on the volumeMount. Workloads in `kube-system`, `kube-public` and
    /// `kube-node-lease` are not checked (EKS add-ons live there).
    ///
    /// ## Why is this bad?
    /// A writable host path lets the container plant files on the node: a cron job or systemd unit
    /// under `/etc`, a binary in a directory on the node's `PATH`, a symlink another pod or the kubelet
    /// will follow. The EKS best practices ask for hostPath to be avoided, or else mounted read-only.
    ///
    /// ## Example
    /// ```yaml
    /// volumeMounts:
    /// - {name: logs, mountPath: /host/logs}
    /// volumes:
    /// - name: logs
    ///   hostPath: {path: /var/log/app}
    /// ```
    /// Instead, add `readOnly: true` to the mount.
    ///
    /// ## Differences from peers
    /// kubescape C-0045 and KubeLinter `writable-host-mount` agree. hardeneks
    /// `disallow_host_path_or_make_it_read_only` fails every hostPath volume despite its name
    /// (that is POD003); this rule is the narrower, writable case.
    pub static RULE = Rule {
        id: "POD028",
        name: "writable-host-path",
        domain: Domain::Pod,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Container mounts a hostPath volume writable",
        remediation: "Set readOnly: true on the volumeMount, or replace the hostPath volume with emptyDir or a PersistentVolumeClaim.",
        references: References {
            seed: &["002 POD Security", "003 Kubernetes pod security"],
            kubescape: &["C-0045"],
            hardeneks: &["disallow_host_path_or_make_it_read_only"],
            kubelinter: &["writable-host-mount"],
            urls: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath", "https://aws.github.io/aws-eks-best-practices/security/docs/pods/#restrict-the-use-of-hostpath-or-if-hostpath-is-necessary-restrict-which-prefixes-can-be-used-and-configure-the-volume-as-read-only"],
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
        for m in host_mounts(w) {
            if m.read_only {
                continue;
            }
            let message = format!(
                "{} of {} mounts host path {} writable (volume {})",
                m.container.describe(),
                w.res,
                m.path,
                m.volume
            );
            let at = m.field();
            cx.report(w, message).at(at);
        }
    }
}
