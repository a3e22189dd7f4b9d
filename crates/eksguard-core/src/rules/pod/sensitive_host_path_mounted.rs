use super::{host_mounts, is_runtime_socket};
use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that mount, through a hostPath volume (read-only or not), a directory of the
    /// node that holds its identity, credentials or kernel interfaces:
    /// - the root file system `/`, or `/etc`, `/usr`, `/lib`, `/var`, `/var/lib`, `/run`, `/var/run`, `/home`
    ///   as a whole;
    /// - anything under `/proc`, `/sys`, `/dev`, `/boot`, `/root`, `/etc/kubernetes`,
    ///   `/var/lib/kubelet`, `/var/lib/containerd`, `/var/lib/docker`, `/var/lib/cni`, `/etc/cni`.
    ///
    /// Narrow, common read-only mounts (`/etc/ssl/certs`, `/etc/localtime`, `/lib/modules`,
    /// `/var/log`) do not fire; runtime sockets are POD026's. Workloads in `kube-system`, `kube-public` and
    /// `kube-node-lease` are not checked (EKS add-ons live there); node agents elsewhere
    /// (monitoring, CNI, security agents) are best suppressed with a reason.
    ///
    /// ## Why is this bad?
    /// `/var/lib/kubelet` holds every pod's service-account tokens and secrets, `/etc/kubernetes` and
    /// `/var/lib/kubelet/kubeconfig` the kubelet's credentials, `/root` and `/home` SSH keys and AWS CLI
    /// profiles, `/proc` and `/sys` the host's processes and kernel settings, `/dev` its disks. GuardDuty
    /// reports such pods as `Persistence:Kubernetes/ContainerWithSensitiveMount`, one of the Kubernetes
    /// finding types the seeds list.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    /// - name: kubelet
    ///   hostPath: {path: /var/lib/kubelet}
    /// ```
    ///
    /// ## Differences from peers
    /// KubeLinter `sensitive-host-mounts` matches `/`, `/boot`, `/dev`, `/etc`, `/lib`, `/proc`, `/sys`
    /// and `/usr` exactly, so `/var/lib/kubelet` or `/proc/1/root` pass it. kubescape C-0020 looks for
    /// cloud credential files (`/etc/kubernetes/azure.json`, ...) only. kubesec `ProcMount`, despite
    /// its name, flags any hostPath containing `/proc` (not `securityContext.procMount`, which is
    /// POD018), and is a rule function its registered rule sets do not list yet. GuardDuty's retired finding type
    /// watched the API for such pods at creation; this rule reads their manifests.
    pub static RULE = Rule {
        id: "POD027",
        name: "sensitive-host-path-mounted",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Container mounts a sensitive node directory",
        remediation: "Remove the hostPath volume, or narrow it to the one file the agent needs and mount it readOnly.",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types", "003 Kubernetes pod security"],
            kubescape: &["C-0020"],
            guardduty: &["Persistence:Kubernetes/ContainerWithSensitiveMount"],
            kubelinter: &["sensitive-host-mounts"],
            kubesec: &["ProcMount"],
            urls: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath", "https://aws.github.io/aws-eks-best-practices/security/docs/pods/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

/// Paths sensitive as a whole (the directory itself, or any parent of it).
const WHOLE: &[&str] = &[
    "/", "/etc", "/usr", "/lib", "/var", "/var/lib", "/run", "/var/run", "/home",
];

/// Trees sensitive at any depth.
const TREES: &[&str] = &[
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/etc/kubernetes",
    "/var/lib/kubelet",
    "/var/lib/containerd",
    "/var/lib/docker",
    "/var/lib/cni",
    "/etc/cni",
];

fn under(path: &str, root: &str) -> bool {
    path == root
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether mounting `path` exposes a sensitive part of the node.
pub fn is_sensitive(path: &str) -> bool {
    WHOLE.contains(&path)
        || TREES
            .iter()
            .any(|t| under(path, t) || (path != "/" && under(t, path)))
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        if is_system_namespace(w.namespace()) {
            continue;
        }
        for m in host_mounts(w) {
            if is_runtime_socket(m.path) || !is_sensitive(m.path) {
                continue;
            }
            let mode = if m.read_only { "read-only" } else { "writable" };
            let message = format!(
                "{} of {} mounts the node's {} ({mode}, volume {})",
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

#[cfg(test)]
mod tests {
    use super::is_sensitive;

    #[test]
    fn sensitive_paths() {
        for p in [
            "/",
            "/etc",
            "/var",
            "/var/lib",
            "/proc/1/root",
            "/var/lib/kubelet/pods",
            "/etc/kubernetes/pki",
            "/root/.aws",
            "/dev/sda",
        ] {
            assert!(is_sensitive(p), "{p}");
        }
        for p in [
            "/etc/ssl/certs",
            "/etc/localtime",
            "/var/log",
            "/lib/modules",
            "/data",
            "/opt/cni/bin",
            "/variable",
            "/procfs",
        ] {
            assert!(!is_sensitive(p), "{p}");
        }
    }
}
