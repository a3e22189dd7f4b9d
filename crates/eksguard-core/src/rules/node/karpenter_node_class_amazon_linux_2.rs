use serde_json::Value;

use super::karpenter_node_classes;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Karpenter `EC2NodeClass` objects that launch the EKS-optimized Amazon Linux 2 AMI:
    /// `spec.amiFamily: AL2`, or an `amiSelectorTerms` alias `al2@...`.
    ///
    /// ## Why is this bad?
    /// AWS ended support for the EKS-optimized AL2 AMIs on 26 November 2025 and publishes none
    /// for Kubernetes 1.33 and later: such nodes get no more security patches. The managed node
    /// group equivalent is NODE017.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   amiSelectorTerms:
    ///   - alias: al2@latest
    /// ```
    /// Instead: `alias: al2023@v20251120` or `alias: bottlerocket@v1.50.0` (pinned).
    pub static RULE = Rule {
        id: "NODE023",
        name: "karpenter-node-class-amazon-linux-2",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Karpenter node class launches the end-of-support Amazon Linux 2 EKS AMI",
        remediation: "Select an Amazon Linux 2023 or Bottlerocket AMI (alias al2023@... or bottlerocket@...) and let Karpenter drift the nodes.",
        references: References {
            seed: &["001 Infrastructure - Worker Nodes"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/eks-ami-deprecation-faqs.html", "https://karpenter.sh/docs/concepts/nodeclasses/#specamiselectorterms"],
            ..References::NONE
        },
        needs: &[Input::KarpenterNodeClasses],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for nc in karpenter_node_classes(cx.inv) {
        let family = nc.value.pointer("/spec/amiFamily").and_then(Value::as_str);
        let alias = nc
            .value
            .pointer("/spec/amiSelectorTerms")
            .and_then(Value::as_array)
            .and_then(|terms| {
                terms.iter().enumerate().find_map(|(i, t)| {
                    let a = t.get("alias").and_then(Value::as_str)?;
                    a.to_ascii_lowercase().starts_with("al2@").then_some((i, a))
                })
            });
        if let Some((i, a)) = alias {
            cx.report(
                nc,
                format!(
                    "EC2NodeClass {} launches the Amazon Linux 2 EKS AMI (alias {a}), which no longer receives updates",
                    nc.res.name
                ),
            )
            .at(format!("spec.amiSelectorTerms[{i}].alias"));
        } else if family == Some("AL2") {
            cx.report(
                nc,
                format!(
                    "EC2NodeClass {} launches the Amazon Linux 2 EKS AMI family (amiFamily AL2), which no longer receives updates",
                    nc.res.name
                ),
            )
            .at("spec.amiFamily");
        }
    }
}
