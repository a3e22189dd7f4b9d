use serde_json::Value;

use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags security groups for pods (`SecurityGroupPolicy`, `vpcresources.k8s.aws`) that
    /// attach a security group allowing inbound traffic from `0.0.0.0/0` or `::/0`. Needs the
    /// `aws ec2 describe-security-groups` output of the groups the policies name.
    ///
    /// ## Why is this bad?
    /// Security groups for pods give the selected pods their own ENI and firewall, the seeds'
    /// way to isolate pods that talk to databases and other VPC resources. A group open to the
    /// world undoes that: the pods accept connections from every address that can route to the
    /// VPC (peered networks, VPNs, and the internet where a public path exists), and
    /// NetworkPolicies do not apply to branch-ENI traffic from outside the cluster.
    ///
    /// ## Example
    /// A SecurityGroupPolicy naming `sg-0123` whose ingress allows `tcp/5432` from `0.0.0.0/0`.
    /// Instead, allow the port only from the client security groups or CIDRs.
    pub static RULE = Rule {
        id: "NET014",
        name: "pod-security-group-open-to-world",
        domain: Domain::Net,
        severity: Severity::High,
        scope: Scope::Aws,
        summary: "Security group for pods allows inbound traffic from the internet",
        remediation: "Remove 0.0.0.0/0 and ::/0 ingress rules from the security groups named in SecurityGroupPolicies; allow only the client security groups or CIDRs.",
        references: References {
            seed: &["000 Securing Pods with EC2 Security Groups", "002 Network Security"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html", "https://aws.github.io/aws-eks-best-practices/networking/sgpp/"],
            ..References::NONE
        },
        needs: &[Input::SecurityGroups],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    for o in &inv.other {
        let is_sgp = o.res.kind == "SecurityGroupPolicy"
            && o.res
                .api_version
                .as_deref()
                .is_some_and(|v| v.starts_with("vpcresources.k8s.aws/"));
        if !is_sgp {
            continue;
        }
        let ids = o
            .value
            .pointer("/spec/securityGroups/groupIds")
            .and_then(Value::as_array);
        for (i, id) in ids.into_iter().flatten().enumerate() {
            let Some(id) = id.as_str() else { continue };
            let Some(sg) = inv.security_groups.iter().find(|s| s.group_id == id) else {
                continue;
            };
            let open: Vec<String> = sg
                .ip_permissions
                .iter()
                .filter(|p| p.world_cidrs().next().is_some())
                .map(|p| {
                    format!(
                        "{} from {}",
                        p.describe_ports(),
                        p.world_cidrs().collect::<Vec<_>>().join(" and ")
                    )
                })
                .collect();
            if !open.is_empty() {
                cx.report(
                    o,
                    format!(
                        "{} gives its pods security group {id} ({}), which allows {}",
                        o.res,
                        sg.group_name,
                        open.join("; ")
                    ),
                )
                .at(format!("spec.securityGroups.groupIds[{i}]"));
            }
        }
    }
}
