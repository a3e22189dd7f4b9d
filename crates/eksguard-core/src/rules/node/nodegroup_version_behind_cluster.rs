use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::eks::minor_version;

declare_rule! {
    /// ## What it does
    /// Flags managed node groups whose Kubernetes version (`version`) is older than their
    /// cluster's (`cluster.version`).
    ///
    /// ## Why is this bad?
    /// Upgrading the control plane does not upgrade the nodes: kubelets stay on the old
    /// version, with its unpatched vulnerabilities, until the node group is updated. Kubernetes
    /// supports kubelets at most three minor versions behind the API server; beyond that the
    /// nodes are unsupported, and a further control-plane upgrade is blocked.
    ///
    /// ## Example
    /// ```json
    /// {"cluster": {"name": "prod", "version": "1.32"}}
    /// {"nodegroup": {"nodegroupName": "ng-1", "clusterName": "prod", "version": "1.30"}}
    /// ```
    /// Instead: `aws eks update-nodegroup-version --cluster-name prod --nodegroup-name ng-1`.
    pub static RULE = Rule {
        id: "NODE018",
        name: "nodegroup-version-behind-cluster",
        domain: Domain::Node,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "Node group runs an older Kubernetes version than its cluster",
        remediation: "Update the node group to the cluster's version (aws eks update-nodegroup-version), one minor version at a time if needed.",
        references: References {
            seed: &["001 Infrastructure - Worker Nodes"],
            urls: &["https://docs.aws.amazon.com/eks/latest/userguide/update-managed-node-group.html", "https://kubernetes.io/releases/version-skew-policy/#kubelet", "https://aws.github.io/aws-eks-best-practices/hosts/"],
            ..References::NONE
        },
        needs: &[Input::Nodegroups, Input::EksCluster],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let single = if cx.inv.clusters.len() == 1 {
        cx.inv.clusters.first()
    } else {
        None
    };
    for ng in &cx.inv.nodegroups {
        let cluster = match ng.cluster_name.as_deref() {
            Some(name) => cx.inv.clusters.iter().find(|c| c.name == name),
            None => single,
        };
        let Some(cluster) = cluster else { continue };
        let (Some(ng_version), Some(c_version)) =
            (ng.version.as_deref(), cluster.version.as_deref())
        else {
            continue;
        };
        let (Some(ng_minor), Some(c_minor)) = (minor_version(ng_version), minor_version(c_version))
        else {
            continue;
        };
        if ng_minor < c_minor {
            let behind = c_minor.1.saturating_sub(ng_minor.1);
            let skew = if behind > 3 || ng_minor.0 != c_minor.0 {
                ", beyond the supported kubelet version skew"
            } else {
                ""
            };
            cx.report(
                ng,
                format!(
                    "node group {} runs Kubernetes {ng_version}, {behind} minor version(s) behind cluster {} ({c_version}){skew}",
                    ng.nodegroup_name, cluster.name
                ),
            )
            .at("version");
        }
    }
}
