//! Is anything enforcing NetworkPolicies? On EKS the VPC CNI enforces them only when its
//! network policy agent is switched on; otherwise a policy engine (Calico, Cilium) must run.

use serde::Serialize;

use crate::inventory::{Input, Inventory, Workload};

/// What enforces NetworkPolicies in the cluster, as far as the input shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineStatus {
    /// `Some(true)` an engine was found, `Some(false)` the input is a whole cluster and none
    /// runs, `None` the input does not show kube-system (cannot tell).
    pub enforced: Option<bool>,
    /// `vpc-cni`, `calico` or `cilium`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<&'static str>,
    /// What the verdict rests on.
    pub evidence: String,
}

/// The container of the `aws-node` DaemonSet that runs the network policy agent
/// (`aws-eks-nodeagent` in the EKS add-on; its image is `amazon/aws-network-policy-agent`).
fn is_policy_agent(name: &str, image: Option<&str>) -> bool {
    name == "aws-eks-nodeagent"
        || name == "aws-network-policy-agent"
        || image.is_some_and(|i| i.contains("aws-network-policy-agent"))
}

fn vpc_cni_agent(w: &Workload) -> Option<bool> {
    if w.res.kind != "DaemonSet" || w.res.name != "aws-node" {
        return None;
    }
    let containers = w.spec.containers.iter();
    let mut seen = None;
    for c in containers.filter(|c| is_policy_agent(&c.name, c.image.as_deref())) {
        let args = c.args.as_deref().unwrap_or_default();
        let mut on = false;
        for (i, a) in args.iter().enumerate() {
            let a = a.trim_start_matches('-');
            if a == "enable-network-policy=true" {
                on = true;
            } else if a == "enable-network-policy" {
                // `--enable-network-policy true`, or a bare boolean flag.
                on = args
                    .get(i + 1)
                    .is_none_or(|v| v.starts_with('-') || v == "true");
            }
        }
        seen = Some(seen.unwrap_or(false) || on);
    }
    seen
}

fn third_party(w: &Workload) -> Option<&'static str> {
    let name = w.res.name.as_str();
    let images = || w.spec.containers.iter().filter_map(|c| c.image.as_deref());
    match w.res.kind.as_str() {
        "DaemonSet" if name == "calico-node" || images().any(|i| i.contains("calico/node")) => {
            Some("calico")
        }
        "Deployment" if name == "tigera-operator" => Some("calico"),
        "DaemonSet" if name == "cilium" || images().any(|i| i.contains("cilium/cilium")) => {
            Some("cilium")
        }
        _ => None,
    }
}

/// Find the NetworkPolicy engine.
pub fn policy_engine(inv: &Inventory) -> EngineStatus {
    let found = |engine, evidence: String| EngineStatus {
        enforced: Some(true),
        engine: Some(engine),
        evidence,
    };
    if let Some(cm) = inv.config_maps.iter().find(|c| {
        c.res.name == "amazon-vpc-cni" && c.res.namespace.as_deref() == Some("kube-system")
    }) {
        let on = cm
            .data
            .as_ref()
            .and_then(|d| d.get("enable-network-policy-controller"))
            .is_some_and(|v| v.trim() == "true");
        if on {
            return found(
                "vpc-cni",
                "ConfigMap kube-system/amazon-vpc-cni sets enable-network-policy-controller: \"true\"".into(),
            );
        }
    }
    let mut agent_off = false;
    for w in &inv.workloads {
        match vpc_cni_agent(w) {
            Some(true) => {
                return found(
                    "vpc-cni",
                    format!(
                        "{} runs the network policy agent with --enable-network-policy=true",
                        w.res
                    ),
                );
            }
            Some(false) => agent_off = true,
            None => {}
        }
        if let Some(engine) = third_party(w) {
            return found(engine, format!("{} runs in the cluster", w.res));
        }
    }
    if inv.has(Input::ClusterWorkloads) {
        let evidence = if agent_off {
            "the aws-node network policy agent runs with network policy disabled, and no Calico or Cilium runs"
        } else {
            "no VPC CNI network policy agent, Calico or Cilium was found in the cluster"
        };
        EngineStatus {
            enforced: Some(false),
            engine: None,
            evidence: evidence.into(),
        }
    } else {
        EngineStatus {
            enforced: None,
            engine: None,
            evidence: "the input does not show kube-system, so the policy engine is unknown".into(),
        }
    }
}
