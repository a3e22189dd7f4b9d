use serde_json::Value;

use super::karpenter_node_classes;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Karpenter `EC2NodeClass` objects whose `spec.metadataOptions` expose the instance
    /// metadata service to pods: `httpTokens: optional` (IMDSv1 allowed) or
    /// `httpPutResponseHopLimit` above 1. Karpenter's own default (`required`, hop limit 1) is
    /// safe; only overrides fire.
    ///
    /// ## Why is this bad?
    /// Every node Karpenter launches from the class gets these settings: with IMDSv1 or a hop
    /// limit of 2, pods can take the node role's credentials, which can usually pull every
    /// image, attach network interfaces and describe the account's EC2 estate. Launch-template
    /// rules (NODE001, NODE002) cannot see Karpenter nodes, which have no managed launch
    /// template.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: karpenter.k8s.aws/v1
    /// kind: EC2NodeClass
    /// spec:
    ///   metadataOptions: {httpTokens: optional, httpPutResponseHopLimit: 2}
    /// ```
    /// Instead, drop `metadataOptions` (the defaults are safe), or set
    /// `{httpTokens: required, httpPutResponseHopLimit: 1}`.
    pub static RULE = Rule {
        id: "NODE020",
        name: "karpenter-node-class-imds-exposed",
        domain: Domain::Node,
        severity: Severity::High,
        scope: Scope::Object,
        summary: "Karpenter node class exposes the instance metadata service to pods",
        remediation: "Set spec.metadataOptions.httpTokens to required and httpPutResponseHopLimit to 1 (Karpenter's defaults), and give pods AWS access through IRSA or Pod Identity.",
        references: References {
            seed: &["001 Authorization - IAM Roles for Service Accounts - IRSA"],
            urls: &["https://karpenter.sh/docs/concepts/nodeclasses/#specmetadataoptions", "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#restrict-access-to-the-instance-profile-assigned-to-the-worker-node"],
            ..References::NONE
        },
        needs: &[Input::KarpenterNodeClasses],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for nc in karpenter_node_classes(cx.inv) {
        let Some(md) = nc.value.pointer("/spec/metadataOptions") else {
            continue;
        };
        if md.get("httpEndpoint").and_then(Value::as_str) == Some("disabled") {
            continue;
        }
        if md.get("httpTokens").and_then(Value::as_str) == Some("optional") {
            cx.report(
                nc,
                format!(
                    "EC2NodeClass {} launches nodes that allow IMDSv1 (metadataOptions.httpTokens is optional)",
                    nc.res.name
                ),
            )
            .at("spec.metadataOptions.httpTokens");
        }
        if let Some(hop) = md
            .get("httpPutResponseHopLimit")
            .and_then(Value::as_i64)
            .filter(|h| *h > 1)
        {
            cx.report(
                nc,
                format!(
                    "EC2NodeClass {} launches nodes with IMDS hop limit {hop}: pods can reach the node role's credentials",
                    nc.res.name
                ),
            )
            .at("spec.metadataOptions.httpPutResponseHopLimit");
        }
    }
}
