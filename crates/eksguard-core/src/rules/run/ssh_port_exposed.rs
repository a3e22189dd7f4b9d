use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that declare TCP port 22 or 2222 in `ports[].containerPort`.
    ///
    /// ## Why is this bad?
    /// An SSH server in a container is a second way in that bypasses Kubernetes authentication, RBAC
    /// and the audit log, with its own credentials to steal or guess. Containers are reached with
    /// `kubectl exec` or ephemeral debug containers, which the API server authorizes and records.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    /// - {name: ssh, containerPort: 22}
    /// ```
    ///
    /// ## Differences from peers
    /// KubeLinter `ssh-port` checks port 22 only; kubescape C-0042 checks 22 and 2222 on Services
    /// that select the workload. A port a container does not declare can still be open, which only a
    /// runtime agent (RUN001) sees.
    pub static RULE = Rule {
        id: "RUN005",
        name: "ssh-port-exposed",
        domain: Domain::Run,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Container exposes an SSH port",
        remediation: "Remove the SSH server from the image; use kubectl exec (audited, RBAC-controlled) or an ephemeral debug container.",
        references: References {
            seed: &["002 Runtime Security"],
            kubescape: &["C-0042"],
            kubelinter: &["ssh-port"],
            urls: &["https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        for c in w.containers() {
            for (i, p) in c.ports.iter().enumerate() {
                let tcp = p.protocol.as_deref().is_none_or(|x| x == "TCP");
                if tcp && (p.container_port == 22 || p.container_port == 2222) {
                    let message = format!(
                        "{} of {} exposes SSH port {}",
                        c.describe(),
                        w.res,
                        p.container_port
                    );
                    let at = c.field(&format!("ports[{i}].containerPort"));
                    cx.report(w, message).at(at);
                }
            }
        }
    }
}
