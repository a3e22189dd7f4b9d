use crate::declare_rule;
use crate::inventory::{Input, Inventory, is_system_namespace};
use crate::netpol;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags workloads in namespaces with NetworkPolicies whose egress still allows the
    /// instance metadata service (169.254.169.254, TCP 80): egress is not isolated, or an
    /// allowed `ipBlock` contains the address without an `except` for it, or the pod uses the
    /// host network. Pods off the host network are not reported when every node launch template
    /// requires IMDSv2 tokens with a hop limit of 1, which keeps them off IMDS whatever the
    /// policies say.
    ///
    /// ## Why is this bad?
    /// IMDS hands out the node's IAM role credentials. A pod that reaches it acts as the node:
    /// pull any ECR image, describe the VPC, and whatever else the node role may do. Pods with
    /// IRSA or Pod Identity do not need IMDS; block it with egress policy (or hop limit 1).
    ///
    /// ## Example
    /// ```yaml
    /// egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]
    /// ```
    /// Instead: `ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}`.
    ///
    /// ## Differences from peers
    /// hardeneks `check_access_to_instance_profile` and kubescape C-0052 look at the node
    /// metadata options only; eksguard also uses NetworkPolicy egress, per workload. Namespaces
    /// without any policy are left to NET001, so a cluster without policies is not reported
    /// once per workload.
    pub static RULE = Rule {
        id: "NET007",
        name: "workload-can-reach-imds",
        domain: Domain::Net,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "Workload's egress allows the instance metadata service",
        remediation: "Deny egress to 169.254.169.254/32 (an ipBlock except, or a default-deny egress policy), or require IMDSv2 with a hop limit of 1 on the nodes.",
        references: References {
            seed: &["001 Identity & Access Management - IRSA", "000 Network Policy: Egress Rule"],
            kubescape: &["C-0052"],
            hardeneks: &["check_access_to_instance_profile"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/iam/#restrict-access-to-the-instance-profile-assigned-to-the-worker-node", "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html"],
            ..References::NONE
        },
        needs: &[Input::Workloads, Input::NetworkPolicies],
        check: run,
    };
}

/// Every launch template keeps pods off IMDS: tokens required, hop limit 1.
fn nodes_block_pods(inv: &Inventory) -> bool {
    !inv.launch_templates.is_empty()
        && inv.launch_templates.iter().all(|lt| {
            lt.launch_template_data
                .metadata_options
                .as_ref()
                .is_some_and(|m| {
                    m.http_tokens.as_deref() == Some("required")
                        && m.http_put_response_hop_limit.unwrap_or(1) <= 1
                })
        })
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    let nodes_block = nodes_block_pods(inv);
    for w in &inv.workloads {
        // The hop limit keeps pod network namespaces off IMDS, not host-network pods.
        if nodes_block && w.spec.host_network != Some(true) {
            continue;
        }
        let ns = w.namespace();
        if is_system_namespace(ns)
            || !inv
                .network_policies
                .iter()
                .any(|p| netpol::policy_namespace(p) == ns)
        {
            continue;
        }
        let p = netpol::posture(inv, w);
        if !p.reaches_imds {
            continue;
        }
        let why = if w.spec.host_network == Some(true) {
            "it uses the host network".to_string()
        } else if p.egress_isolated_by.is_empty() {
            "no NetworkPolicy restricts its egress".to_string()
        } else {
            let names: Vec<String> = p.imds_allowed_by.iter().map(|p| p.name.clone()).collect();
            format!("NetworkPolicy {} allows it", names.join(", "))
        };
        cx.report(
            w,
            format!(
                "{} can reach the instance metadata service 169.254.169.254: {why}",
                w.res
            ),
        );
    }
}
