use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags nodes whose live kubelet configuration sets `streamingConnectionIdleTimeout` to
    /// zero (`0s`): exec, attach and port-forward streams never time out.
    ///
    /// ## Why is this bad?
    /// Idle streaming connections stay open forever: a forgotten `kubectl exec` session or
    /// port-forward remains a live door into the container, and idle connections accumulate
    /// until the kubelet runs out of resources. The default is `4h0m0s`.
    ///
    /// ## Example
    /// ```json
    /// {"kubeletconfig": {"streamingConnectionIdleTimeout": "0s"}}
    /// ```
    /// Instead: `"streamingConnectionIdleTimeout": "4h0m0s"` (or a shorter, non-zero value).
    pub static RULE = Rule {
        id: "NODE009",
        name: "kubelet-streaming-timeout-disabled",
        domain: Domain::Node,
        severity: Severity::Low,
        scope: Scope::Cluster,
        summary: "Kubelet streaming connections never time out",
        remediation: "Set streamingConnectionIdleTimeout to a non-zero duration (the default is 4h0m0s) in the kubelet configuration.",
        references: References {
            cis_eks: &["3.2.5"],
            kubescape: &["C-0176"],
            urls: &["https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"],
            ..References::NONE
        },
        needs: &[Input::KubeletConfigs],
        check: run,
    };
}

/// Whether a Go duration string (`0s`, `0h0m0s`, `4h0m0s`, `1.5h`) is zero.
fn is_zero_duration(d: &str) -> bool {
    let d = d.trim();
    !d.is_empty()
        && d.chars().filter(char::is_ascii_digit).all(|c| c == '0')
        && d.chars().any(|c| c.is_ascii_digit())
}

fn run(cx: &mut Context<'_>) {
    for k in &cx.inv.kubelet_configs {
        let Some(timeout) = k.get_str("/streamingConnectionIdleTimeout") else {
            continue;
        };
        if is_zero_duration(timeout) {
            cx.report(
                k,
                format!(
                    "kubelet of node {} never closes idle exec/attach/port-forward streams (streamingConnectionIdleTimeout is {timeout})",
                    k.res.name
                ),
            )
            .at("kubeletconfig.streamingConnectionIdleTimeout");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_zero_duration;

    #[test]
    fn zero_durations() {
        for d in ["0", "0s", "0h0m0s", "0m0.000s"] {
            assert!(is_zero_duration(d), "{d}");
        }
        for d in ["4h0m0s", "5m", "1.5h", "", "s"] {
            assert!(!is_zero_duration(d), "{d}");
        }
    }
}
