use crate::declare_rule;
use crate::inventory::Input;
use crate::netpol;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags namespaces that run workloads (system namespaces excepted) and have no
    /// NetworkPolicy at all.
    ///
    /// ## Why is this bad?
    /// Without a NetworkPolicy every pod accepts traffic from every pod of the cluster and may
    /// connect anywhere: one compromised pod reaches every database and internal API. The seeds
    /// ask for network policies that isolate namespaces and workloads, starting from a default
    /// deny. (Policies are enforced only if the cluster runs a policy engine: the VPC CNI's
    /// network policy agent, or Calico.)
    ///
    /// ## Example
    /// A namespace `storefront` with Deployments and no `NetworkPolicy`. Instead, start with:
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: default-deny, namespace: storefront}
    /// spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
    /// ```
    /// and add policies that allow the flows the application needs.
    pub static RULE = Rule {
        id: "NET001",
        name: "namespace-without-network-policy",
        domain: Domain::Net,
        severity: Severity::Medium,
        scope: Scope::Cluster,
        summary: "Namespace has workloads and no NetworkPolicy",
        remediation: "Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress]) to the namespace, then policies allowing the needed flows.",
        references: References {
            seed: &["000 Securing Pod to Pod Communications", "002 Network Security", "003 Restrict inbound and outbound traffic", "000 Network Policy: Deny All Rule"],
            cis_eks: &["4.3.2"],
            checkov: &["CKV2_K8S_6"],
            kubescape: &["C-0049", "C-0054", "C-0206", "C-0260"],
            hardeneks: &["check_default_deny_policy_exists"],
            polaris: &["missingNetworkPolicy"],
            kube_score: &["pod-networkpolicy"],
            kubelinter: &["non-isolated-pod"],
            urls: &["https://kubernetes.io/docs/concepts/services-networking/network-policies/", "https://aws.github.io/aws-eks-best-practices/security/docs/network/#create-a-default-deny-policy"],
            ..References::NONE
        },
        needs: &[Input::Workloads, Input::NetworkPolicies],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for ns in netpol::user_namespaces(cx.inv) {
        if !ns.policies.is_empty() {
            continue;
        }
        let message = format!(
            "namespace {} runs {} workload(s) and has no NetworkPolicy: all ingress and egress is allowed",
            ns.name,
            ns.workloads.len()
        );
        super::report_namespace(cx, &ns.name, message);
    }
}
