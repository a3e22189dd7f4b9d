use serde_json::Value;

use crate::declare_rule;
use crate::inventory::{Input, Located, ResourceRef, Workload, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

/// The engines looked for, as named in the finding.
const ENGINES: &str = "Gatekeeper, Kyverno, Kubewarden, jsPolicy, eksguard serve or a bound ValidatingAdmissionPolicy";

/// The policy engine whose admission component this workload is, by name or image.
fn engine_of(w: &Workload) -> Option<&'static str> {
    let name = w.res.name.as_str();
    let images: Vec<String> = w
        .containers()
        .iter()
        .filter_map(|c| c.image.map(str::to_ascii_lowercase))
        .collect();
    let image_has = |frag: &str| images.iter().any(|i| i.contains(frag));
    if name == "gatekeeper-controller-manager" || image_has("openpolicyagent/gatekeeper") {
        return Some("Gatekeeper");
    }
    // Kyverno 1.10+ splits controllers; only the admission controller (image kyverno/kyverno)
    // enforces. Older releases ran a single `kyverno` Deployment with the same image.
    let kyverno_image = images
        .iter()
        .any(|i| i.contains("kyverno/kyverno") && !i.contains("kyverno/kyverno-cli"));
    if name == "kyverno-admission-controller" || name == "kyverno" || kyverno_image {
        return Some("Kyverno");
    }
    if image_has("kubewarden/policy-server") || image_has("kubewarden/kubewarden-controller") {
        return Some("Kubewarden");
    }
    if name == "jspolicy" || image_has("loftsh/jspolicy") || image_has("loft-sh/jspolicy") {
        return Some("jsPolicy");
    }
    let serves = w.containers().iter().any(|c| {
        c.image
            .is_some_and(|i| i.to_ascii_lowercase().contains("eksguard"))
            && c.command.iter().chain(c.args).any(|a| a == "serve")
    });
    serves.then_some("eksguard serve")
}

fn in_group(o: &crate::inventory::Obj<Value>, group: &str) -> bool {
    o.res
        .api_version
        .as_deref()
        .is_some_and(|v| v.starts_with(group))
}

declare_rule! {
    /// ## What it does
    /// Flags a cluster in which no admission policy engine runs. Evaluated only when the input
    /// is a whole cluster (kube-system workloads present). Looked for:
    /// - Gatekeeper: the `gatekeeper-controller-manager` Deployment or an
    ///   `openpolicyagent/gatekeeper` image;
    /// - Kyverno: the `kyverno-admission-controller` Deployment (or the single `kyverno`
    ///   Deployment of releases before 1.10), or a `kyverno/kyverno` image;
    /// - Kubewarden: a `kubewarden/policy-server` or `kubewarden/kubewarden-controller` image;
    /// - jsPolicy: the `jspolicy` Deployment or a `loftsh/jspolicy` image;
    /// - eksguard's own webhook: an eksguard image run with `serve`;
    /// - a ValidatingAdmissionPolicyBinding (`admissionregistration.k8s.io`): a
    ///   ValidatingAdmissionPolicy without a binding enforces nothing.
    ///
    /// ## Why is this bad?
    /// Pod Security Admission covers only the Pod Security Standards. Organisation rules (which
    /// registries, mandatory labels, no `latest` tags, no LoadBalancer Services in some
    /// namespaces) are left to reviews unless they are written as policy and enforced at
    /// admission. The seeds: define pod deployment standards as policy-as-code, e.g. with OPA
    /// Gatekeeper.
    ///
    /// ## Differences from peers
    /// kubescape C-0192 (CIS Kubernetes 5.2.1, "at least one active policy control
    /// mechanism") passes a namespace with Pod Security Admission labels or any admission
    /// webhook. eksguard reports PSA labels separately (POD011) and here asks for a policy
    /// engine; an arbitrary webhook (cert-manager, the AWS Load Balancer Controller) is not one.
    /// Webhook configurations and policies are only seen when the input holds them.
    ///
    /// ## Example
    /// A cluster whose workloads are the applications, CoreDNS and the VPC CNI. Instead,
    /// install Gatekeeper or Kyverno with a baseline policy set, or bind
    /// ValidatingAdmissionPolicies.
    pub static RULE = Rule {
        id: "POD032",
        name: "admission-policy-engine-missing",
        domain: Domain::Pod,
        severity: Severity::Low,
        scope: Scope::Cluster,
        summary: "No admission policy engine enforces policy-as-code in the cluster",
        remediation: "Install a policy engine (OPA Gatekeeper, Kyverno, Kubewarden or `eksguard serve`) or bind ValidatingAdmissionPolicies, and keep the policies in version control.",
        references: References {
            seed: &["002 POD Security"],
            kubescape: &["C-0192"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/pods/#policy-as-code-pac", "https://open-policy-agent.github.io/gatekeeper/website/docs/", "https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/"],
            ..References::NONE
        },
        needs: &[Input::ClusterWorkloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    if inv.workloads.iter().any(|w| engine_of(w).is_some()) {
        return;
    }
    let bound_vap = inv.other.iter().any(|o| {
        o.res.kind == "ValidatingAdmissionPolicyBinding"
            && in_group(o, "admissionregistration.k8s.io/")
    });
    if bound_vap {
        return;
    }
    // Anchor the finding on a kube-system workload (there is no object for "missing").
    let Some(anchor) = inv
        .workloads
        .iter()
        .find(|w| is_system_namespace(w.namespace()))
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
        format!(
            "no admission policy engine runs in {cluster}: looked for {ENGINES} among its {} workload(s)",
            inv.workloads.len()
        ),
    )
    .on(ResourceRef {
        kind: "Cluster".into(),
        namespace: None,
        name: cluster,
        api_version: None,
        arn: inv.clusters.first().and_then(|c| c.arn.clone()),
    });
}
