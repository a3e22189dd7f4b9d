use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers that set the `GITSYNC_GIT` (or older `GIT_SYNC_GIT`) environment variable, or
    /// run a git-sync image with a `--git=` argument.
    ///
    /// ## Why is this bad?
    /// git-sync runs whatever program that setting names, with the container's credentials (the
    /// repository's deploy key or token) and its mounts. Whoever can edit the workload, or a ConfigMap
    /// that feeds the variable, gets command execution in a pod that usually holds source-control
    /// credentials; the technique was presented as a Kubernetes-wide attack path in 2024.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    /// - {name: GITSYNC_GIT, value: /tmp/payload.sh}
    /// ```
    ///
    /// ## Differences from peers
    /// CKV_K8S_159 checks the `GITSYNC_GIT` variable only.
    pub static RULE = Rule {
        id: "RUN007",
        name: "git-sync-custom-git-binary",
        domain: Domain::Run,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "git-sync is told which git binary to run",
        remediation: "Remove GITSYNC_GIT (and --git) so git-sync runs its bundled git.",
        references: References {
            seed: &["002 Runtime Security"],
            checkov: &["CKV_K8S_159"],
            urls: &["https://github.com/kubernetes/git-sync"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        for c in w.containers() {
            if let Some(i) = c
                .env
                .iter()
                .position(|e| e.name == "GITSYNC_GIT" || e.name == "GIT_SYNC_GIT")
            {
                let message = format!(
                    "{} of {} tells git-sync which git binary to run ({})",
                    c.describe(),
                    w.res,
                    c.env.get(i).map_or("", |e| e.name.as_str())
                );
                let at = c.field(&format!("env[{i}]"));
                cx.report(w, message).at(at);
                continue;
            }
            if !c.image.is_some_and(|i| i.contains("git-sync")) {
                continue;
            }
            if let Some(i) = c.args.iter().position(|a| a.starts_with("--git=")) {
                let message = format!(
                    "{} of {} tells git-sync which git binary to run (--git)",
                    c.describe(),
                    w.res
                );
                let at = c.field(&format!("args[{i}]"));
                cx.report(w, message).at(at);
            }
        }
    }
}
