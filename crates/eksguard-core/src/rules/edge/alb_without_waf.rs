use std::collections::BTreeSet;

use k8s_openapi::api::networking::v1::Ingress;

use crate::declare_rule;
use crate::inventory::{Input, Obj};
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::annotation;

declare_rule! {
    /// ## What it does
    /// Flags internet-facing ALB Ingresses (AWS Load Balancer Controller,
    /// `alb.ingress.kubernetes.io/scheme: internet-facing`) with no AWS WAF web ACL:
    /// neither `alb.ingress.kubernetes.io/wafv2-acl-arn` nor the WAF Classic
    /// `alb.ingress.kubernetes.io/waf-acl-id`, on the Ingress or on another Ingress of the same
    /// `alb.ingress.kubernetes.io/group.name` (members of a group share one ALB).
    ///
    /// ## Why is this bad?
    /// The application is exposed to every scanner and exploit kit on the internet with no
    /// layer-7 filtering. The seeds: use the ALB and AWS WAF with managed rule sets to block
    /// known web attacks.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations: {alb.ingress.kubernetes.io/scheme: internet-facing}
    /// ```
    /// Instead, add `alb.ingress.kubernetes.io/wafv2-acl-arn: arn:aws:wafv2:...`.
    ///
    /// ## Differences from peers
    /// Checkov CKV2_AWS_28 checks the same on Terraform `aws_lb` resources; eksguard checks the
    /// Ingress that makes the controller create the ALB. A scheme set only in an
    /// IngressClassParams is not seen.
    pub static RULE = Rule {
        id: "EDGE004",
        name: "alb-without-waf",
        domain: Domain::Edge,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Internet-facing ALB Ingress has no AWS WAF web ACL",
        remediation: "Attach an AWS WAF web ACL with managed rule groups: alb.ingress.kubernetes.io/wafv2-acl-arn on the Ingress (or its group).",
        references: References {
            seed: &["003 Use a firewall to block known web attacks"],
            checkov: &["CKV2_AWS_28"],
            urls: &["https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#addons", "https://docs.aws.amazon.com/waf/latest/developerguide/waf-chapter.html"],
            ..References::NONE
        },
        needs: &[Input::Ingresses],
        check: run,
    };
}

/// Whether the Ingress is handled by the AWS Load Balancer Controller.
pub fn is_alb(ing: &Obj<Ingress>) -> bool {
    ing.spec
        .as_ref()
        .and_then(|s| s.ingress_class_name.as_deref())
        == Some("alb")
        || annotation(&ing.metadata, "kubernetes.io/ingress.class") == Some("alb")
}

fn has_waf(ing: &Obj<Ingress>) -> bool {
    annotation(&ing.metadata, "alb.ingress.kubernetes.io/wafv2-acl-arn")
        .is_some_and(|v| !v.is_empty())
        || annotation(&ing.metadata, "alb.ingress.kubernetes.io/waf-acl-id")
            .is_some_and(|v| !v.is_empty())
}

fn group(ing: &Obj<Ingress>) -> Option<&str> {
    annotation(&ing.metadata, "alb.ingress.kubernetes.io/group.name")
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    let protected_groups: BTreeSet<&str> = inv
        .ingresses
        .iter()
        .filter(|i| has_waf(i))
        .filter_map(group)
        .collect();
    for ing in inv.ingresses.iter().filter(|i| is_alb(i)) {
        if annotation(&ing.metadata, "alb.ingress.kubernetes.io/scheme") != Some("internet-facing")
        {
            continue;
        }
        if has_waf(ing) || group(ing).is_some_and(|g| protected_groups.contains(g)) {
            continue;
        }
        cx.report(
            ing,
            format!(
                "{} creates an internet-facing ALB without an AWS WAF web ACL",
                ing.res
            ),
        )
        .at("metadata.annotations");
    }
}
