use crate::declare_rule;
use crate::inventory::{Input, Located, ResourceRef, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

/// Name fragments of runtime threat-detection agents, matched against DaemonSet names and
/// container images.
const AGENTS: &[&str] = &[
    "falco",
    "aws-guardduty-agent",
    "guardduty",
    "tetragon",
    "sysdig",
    "twistlock",
    "prisma-cloud",
    "defender",
    "aqua-enforcer",
    "kube-enforcer",
    "crowdstrike",
    "falcon-sensor",
    "datadog-agent",
    "tracee",
    "neuvector",
    "wiz-sensor",
    "lacework",
    "deepfence",
    "kubearmor",
];

declare_rule! {
    /// ## What it does
    /// Flags a cluster in which no runtime threat-detection agent runs: no DaemonSet of Falco,
    /// the GuardDuty runtime agent, Tetragon, Sysdig, Prisma Cloud Defender, Aqua, CrowdStrike
    /// Falcon, Tracee, NeuVector, KubeArmor, Wiz, Lacework, Datadog or similar. Evaluated only
    /// when the input is a whole cluster (kube-system workloads present).
    ///
    /// ## Why is this bad?
    /// Posture checks and admission control stop known-bad configuration; they do not see a
    /// shell spawned in a container, a crypto miner or a reverse shell. The seeds name runtime
    /// security as its own domain and point to agents for it.
    ///
    /// ## Example
    /// A cluster whose DaemonSets are only aws-node, kube-proxy and the EBS CSI node driver.
    /// Instead, enable GuardDuty Runtime Monitoring with automated agent management, or
    /// install Falco.
    pub static RULE = Rule {
        id: "RUN001",
        name: "runtime-security-agent-missing",
        domain: Domain::Run,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "No runtime threat-detection agent runs in the cluster",
        remediation: "Enable GuardDuty EKS Runtime Monitoring (with automated agent management) or deploy a runtime agent such as Falco as a DaemonSet.",
        references: References {
            seed: &["002 Runtime Security"],
            prowler: &["guardduty_eks_runtime_monitoring_enabled"],
            urls: &["https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring.html", "https://aws.github.io/aws-eks-best-practices/security/docs/runtime/"],
            ..References::NONE
        },
        needs: &[Input::ClusterWorkloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    let is_agent = |s: &str| {
        let s = s.to_ascii_lowercase();
        AGENTS.iter().any(|a| s.contains(a))
    };
    let daemonsets: Vec<_> = inv
        .workloads
        .iter()
        .filter(|w| w.res.kind == "DaemonSet")
        .collect();
    let found = daemonsets.iter().any(|w| {
        is_agent(&w.res.name) || w.containers().iter().any(|c| c.image.is_some_and(is_agent))
    });
    if found {
        return;
    }
    // Anchor the finding on a kube-system DaemonSet (there is no object for "missing").
    let Some(anchor) = daemonsets
        .iter()
        .find(|w| is_system_namespace(w.namespace()))
        .copied()
        .or_else(|| {
            inv.workloads
                .iter()
                .find(|w| is_system_namespace(w.namespace()))
        })
    else {
        return;
    };
    let target: &dyn Located = anchor;
    let cluster = inv
        .clusters
        .first()
        .map_or("cluster".to_string(), |c| c.name.clone());
    cx.report(
        target,
        format!("no runtime threat-detection agent runs in {cluster}: none of its {} DaemonSet(s) is one", daemonsets.len()),
    )
    .on(ResourceRef {
        kind: "Cluster".into(),
        namespace: None,
        name: cluster,
        api_version: None,
        arn: inv.clusters.first().and_then(|c| c.arn.clone()),
    });
}
