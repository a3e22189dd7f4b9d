use super::is_windows;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Linux containers (init and ephemeral included) that keep `NET_RAW`: neither `NET_RAW` nor
    /// `ALL` is dropped, or `NET_RAW` (or `ALL`) is added back. `CAP_NET_RAW` and lower-case spellings
    /// count as the same capability.
    ///
    /// ## Why is this bad?
    /// `NET_RAW` is in the container runtime's default set. It lets a process craft raw packets: ARP
    /// and DNS spoofing of its neighbours on the node, and, on EKS, forged traffic from the pod's
    /// VPC address. It has also been the entry point of several kernel exploits. Few applications need
    /// it (`ping` works without it through `net.ipv4.ping_group_range`).
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities: {drop: [ALL], add: [NET_RAW]}
    /// ```
    /// Instead, drop `ALL` and add only what the process needs.
    ///
    /// ## Differences from peers
    /// CKV_K8S_28 passes a container that drops `ALL` even when it adds `NET_RAW` back; eksguard fires.
    /// POD007 (capabilities not dropped) asks for `drop: [ALL]`; this rule is the narrower check that
    /// peers and CIS-derived policies name on their own.
    pub static RULE = Rule {
        id: "POD025",
        name: "net-raw-capability",
        domain: Domain::Pod,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Container keeps the NET_RAW capability",
        remediation: "Add NET_RAW (or ALL) to securityContext.capabilities.drop, and do not add it back.",
        references: References {
            seed: &["002 POD Security"],
            checkov: &["CKV_K8S_28"],
            kubelinter: &["drop-net-raw-capability"],
            urls: &["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn cap_is(c: &str, name: &str) -> bool {
    let c = c.trim();
    let c = c
        .strip_prefix("CAP_")
        .or_else(|| c.strip_prefix("cap_"))
        .unwrap_or(c);
    c.eq_ignore_ascii_case(name)
}

fn run(cx: &mut Context<'_>) {
    for w in cx.inv.workloads.iter().filter(|w| !is_windows(w)) {
        for c in w.containers() {
            let caps = c.capabilities();
            let dropped = caps
                .and_then(|k| k.drop.as_ref())
                .is_some_and(|d| d.iter().any(|x| cap_is(x, "NET_RAW") || cap_is(x, "ALL")));
            let added = caps.and_then(|k| k.add.as_ref()).and_then(|a| {
                a.iter()
                    .position(|x| cap_is(x, "NET_RAW") || cap_is(x, "ALL"))
            });
            if let Some(i) = added {
                cx.report(
                    w,
                    format!("{} of {} adds the NET_RAW capability", c.describe(), w.res),
                )
                .at(c.field(&format!("securityContext.capabilities.add[{i}]")));
            } else if !dropped {
                cx.report(
                    w,
                    format!(
                        "{} of {} does not drop the NET_RAW capability",
                        c.describe(),
                        w.res
                    ),
                )
                .at(c.field("securityContext"));
            }
        }
    }
}
