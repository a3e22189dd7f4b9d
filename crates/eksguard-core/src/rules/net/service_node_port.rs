use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Services of type `NodePort` outside the system namespaces. LoadBalancer Services
    /// (which also allocate node ports for the load balancer) are EDGE001 and EDGE003's.
    ///
    /// ## Why is this bad?
    /// A node port opens the Service on every node's address, on every node: anything that
    /// reaches a node (the VPC, peered networks, the internet for nodes in public subnets or
    /// behind an open security group) reaches the pods, beside the load balancer and its TLS
    /// and WAF. Node ports also widen what node security groups must allow.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}
    /// ```
    /// Instead, use `ClusterIP` behind an Ingress, or a LoadBalancer Service.
    ///
    /// ## Differences from peers
    /// KubeLinter `exposed-services` also forbids LoadBalancer Services.
    pub static RULE = Rule {
        id: "NET012",
        name: "service-node-port",
        domain: Domain::Net,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Service exposes a NodePort on every node",
        remediation: "Use a ClusterIP Service behind an Ingress or a LoadBalancer Service instead of NodePort.",
        references: References {
            seed: &["001 Networking & Isolation - Security Groups", "002 Network Security"],
            kubelinter: &["exposed-services"],
            urls: &["https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport", "https://aws.github.io/aws-eks-best-practices/security/docs/network/"],
            ..References::NONE
        },
        needs: &[Input::Services],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for s in &cx.inv.services {
        if s.res.namespace.as_deref().is_some_and(is_system_namespace) {
            continue;
        }
        let Some(spec) = &s.spec else { continue };
        if spec.type_.as_deref() != Some("NodePort") {
            continue;
        }
        let ports: Vec<String> = spec
            .ports
            .iter()
            .flatten()
            .map(|p| {
                p.node_port.map_or_else(
                    || format!("chosen by the API server for port {}", p.port),
                    |n| n.to_string(),
                )
            })
            .collect();
        cx.report(
            s,
            format!(
                "{} is a NodePort Service: node port(s) {} open on every node",
                s.res,
                ports.join(", ")
            ),
        )
        .at("spec.type");
    }
}
