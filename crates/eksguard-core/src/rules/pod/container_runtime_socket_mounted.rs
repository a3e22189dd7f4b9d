use super::{host_mounts, is_runtime_socket};
use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that mount, through a hostPath volume, the container runtime's socket
    /// (`docker.sock`, `containerd.sock`, `crio.sock`, `cri-dockerd.sock`, `dockershim.sock`) or a
    /// directory that holds it (`/run`, `/var/run`, `/run/containerd`, `/run/crio`, and their `/var/run`
    /// forms). Read-only mounts count: a socket is usable read-only. Workloads in `kube-system`,
    /// `kube-public` and `kube-node-lease` are not checked (EKS add-ons live there).
    ///
    /// ## Why is this bad?
    /// Whoever talks to the runtime socket can start a privileged container with the node's root file
    /// system mounted: full control of the node, its IAM role and every pod on it. On EKS nodes the
    /// socket is `/run/containerd/containerd.sock`, so checks that look only for `docker.sock` miss it.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    /// - name: sock
    ///   hostPath: {path: /run/containerd/containerd.sock}
    /// ```
    /// Instead, build images with a daemonless builder, and query workloads through the API server.
    ///
    /// ## Differences from peers
    /// CKV_K8S_27 and kubesec `DockerSock` match only `/var/run/docker.sock`; KubeLinter `docker-sock`
    /// matches `docker.sock` and `container-runtime-sock` the three socket names; none of them sees a
    /// mount of the directory that holds the socket. kubescape C-0074 matches socket paths too.
    /// All of them also report hostPath volumes that no container mounts; eksguard reports mounts.
    pub static RULE = Rule {
        id: "POD026",
        name: "container-runtime-socket-mounted",
        domain: Domain::Pod,
        severity: Severity::Critical,
        scope: Scope::Object,
        summary: "Container mounts the container runtime socket",
        remediation: "Remove the hostPath volume; use the Kubernetes API, or an image-build service that needs no runtime socket (Kaniko, BuildKit rootless).",
        references: References {
            seed: &["000 GuardDuty Kubernetes finding types", "003 Kubernetes pod security"],
            checkov: &["CKV_K8S_27"],
            kubescape: &["C-0074"],
            hardeneks: &["disallow_container_socket_mount"],
            kubelinter: &["docker-sock", "container-runtime-sock"],
            kubesec: &["DockerSock"],
            urls: &["https://kubernetes.io/docs/concepts/storage/volumes/#hostpath", "https://aws.github.io/aws-eks-best-practices/security/docs/pods/"],
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
            if !is_runtime_socket(m.path) {
                continue;
            }
            let what = if m
                .path
                .rsplit('/')
                .next()
                .is_some_and(|f| f.contains(".sock"))
            {
                "the container runtime socket"
            } else {
                "a directory holding the container runtime socket"
            };
            let message = format!(
                "{} of {} mounts {what} {} (volume {})",
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
