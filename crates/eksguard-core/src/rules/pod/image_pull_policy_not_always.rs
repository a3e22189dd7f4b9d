use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers (init and ephemeral included) whose `imagePullPolicy` is `IfNotPresent` or
    /// `Never`, or unset with an image that Kubernetes defaults to `IfNotPresent` (a tag other than
    /// `latest`, or a digest without a tag). Workloads in `kube-system`, `kube-public` and
    /// `kube-node-lease` are not checked (EKS add-ons live there).
    ///
    /// ## Why is this bad?
    /// With `IfNotPresent`, a pod whose image is already on the node starts without the kubelet
    /// checking that the pod may pull it: any tenant that lands on the same node and names a private
    /// image (for example another team's ECR image) runs it with no pull secret and no ECR permission.
    /// This is why Kubernetes has the `AlwaysPullImages` admission plugin for multi-tenant clusters;
    /// EKS does not let you enable it, so the policy must be set on the workloads.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: api
    ///   image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2
    /// ```
    /// Instead, add `imagePullPolicy: Always` (ECR pulls of unchanged layers are cheap).
    ///
    /// ## Differences from peers
    /// CKV_K8S_15, kube-score and Polaris agree on explicit policies and on defaulting; CKV_K8S_15 strips
    /// the digest before deciding the default, so a digest-only image passes it although Kubernetes
    /// defaults it to `IfNotPresent`. Polaris' rationale is reliability; eksguard keeps the rule for the
    /// multi-tenant authorization gap.
    pub static RULE = Rule {
        id: "POD030",
        name: "image-pull-policy-not-always",
        domain: Domain::Pod,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Container may start from an image cached on the node without pull authorization",
        remediation: "Set imagePullPolicy: Always, so the kubelet checks the pod's pull credentials for every start.",
        references: References {
            seed: &["002 Multi-tenancy"],
            checkov: &["CKV_K8S_15"],
            polaris: &["pullPolicyNotAlways"],
            kube_score: &["container-image-pull-policy"],
            urls: &["https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy", "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

/// The policy Kubernetes defaults to when `imagePullPolicy` is unset.
fn default_is_always(image: &str) -> bool {
    let (name, digest) = match image.split_once('@') {
        Some((n, _)) => (n, true),
        None => (image, false),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    match last.split_once(':') {
        Some((_, tag)) => tag == "latest",
        None => !digest,
    }
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        if is_system_namespace(w.namespace()) {
            continue;
        }
        for c in w.containers() {
            let Some(image) = c.image.filter(|i| !i.is_empty()) else {
                continue;
            };
            match c.image_pull_policy {
                Some("Always") => {}
                Some(p) => {
                    let message = format!(
                        "{} of {} uses imagePullPolicy {p}: a cached image starts without checking pull authorization",
                        c.describe(),
                        w.res
                    );
                    let at = c.field("imagePullPolicy");
                    cx.report(w, message).at(at);
                }
                None if !default_is_always(image) => {
                    let message = format!(
                        "{} of {} has no imagePullPolicy and image {image} defaults to IfNotPresent",
                        c.describe(),
                        w.res
                    );
                    let at = c.field("image");
                    cx.report(w, message).at(at);
                }
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::default_is_always;

    #[test]
    fn kubernetes_defaulting() {
        assert!(default_is_always("nginx"));
        assert!(default_is_always("nginx:latest"));
        assert!(default_is_always("registry.example.com:5000/team/app"));
        assert!(!default_is_always("nginx:1.27"));
        assert!(!default_is_always("nginx@sha256:abc"));
        assert!(!default_is_always("nginx:1.27@sha256:abc"));
        assert!(default_is_always("nginx:latest@sha256:abc"));
    }
}
