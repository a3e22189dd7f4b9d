use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers whose `command` or `args` run `sudo` (a word `sudo`, or a path ending in
    /// `/sudo`, anywhere in the arguments, including inside `sh -c` scripts).
    ///
    /// ## Why is this bad?
    /// `sudo` in an entry point means the image ships a setuid binary and a sudoers policy that let the
    /// container's user become root: `runAsNonRoot` then protects nothing, and any attacker with code
    /// execution in the container takes the same path.
    ///
    /// ## Example
    /// ```yaml
    /// command: ["sh", "-c", "sudo /usr/sbin/sshd && exec app"]
    /// ```
    pub static RULE = Rule {
        id: "RUN006",
        name: "sudo-in-container-command",
        domain: Domain::Run,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Container command runs sudo",
        remediation: "Remove sudo from the image and the command; grant the specific capability or file permission the process needs instead.",
        references: References {
            seed: &["002 Runtime Security"],
            kubescape: &["C-0062"],
            urls: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn runs_sudo(arg: &str) -> bool {
    arg.split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`'))
        .any(|t| t == "sudo" || t.ends_with("/sudo"))
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        for c in w.containers() {
            let hit = c
                .command
                .iter()
                .position(|a| runs_sudo(a))
                .map(|i| format!("command[{i}]"))
                .or_else(|| {
                    c.args
                        .iter()
                        .position(|a| runs_sudo(a))
                        .map(|i| format!("args[{i}]"))
                });
            if let Some(field) = hit {
                let message = format!("{} of {} runs sudo in its {field}", c.describe(), w.res);
                let at = c.field(&field);
                cx.report(w, message).at(at);
            }
        }
    }
}
