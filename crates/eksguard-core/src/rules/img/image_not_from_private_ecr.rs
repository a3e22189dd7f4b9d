use std::sync::LazyLock;

use regex::Regex;

use super::parse_image;
use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers (init and ephemeral included) of user workloads whose image does not
    /// come from a private Amazon ECR registry (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/...`):
    /// Docker Hub, ECR Public, GitHub, Quay and any other registry. Workloads of `kube-system`,
    /// `kube-public` and `kube-node-lease` are EKS's and are not judged.
    ///
    /// ## Why is this bad?
    /// Images from outside your registries escape your controls: no tag immutability, no scan
    /// on push, no lifecycle, no IAM policy on who may publish, and the upstream can change or
    /// vanish. Pull public images through an ECR pull-through cache or copy them into ECR, so
    /// every image the cluster runs passes the same gates. CIS 5.1.4: minimize container
    /// registries to only those approved.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    /// - name: web
    ///   image: docker.io/library/nginx:1.27
    /// ```
    /// Instead: `image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/library/nginx:1.27`
    /// (a pull-through cache rule for Docker Hub).
    ///
    /// ## Differences from peers
    /// kubescape C-0078 checks a configurable allow-list of registries; eksguard's list is
    /// private ECR, so a registry you approve beyond ECR needs a suppression with that reason.
    pub static RULE = Rule {
        id: "IMG008",
        name: "image-not-from-private-ecr",
        domain: Domain::Img,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Container image does not come from a private ECR registry",
        remediation: "Copy the image into ECR or pull it through an ECR pull-through cache rule, and reference the ECR image.",
        references: References {
            seed: &["000 Amazon Elastic Container Registry (ECR)", "000 Summary"],
            cis_eks: &["5.1.4"],
            kubescape: &["C-0078"],
            urls: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html", "https://aws.github.io/aws-eks-best-practices/security/docs/image/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

/// `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]/`
fn is_private_ecr(image: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.(amazonaws\.com|amazonaws\.com\.cn|on\.aws)/")
            .expect("valid regex")
    });
    RE.is_match(image)
}

/// The registry host of an image reference (`docker.io` when none is named).
fn registry(image: &str) -> &str {
    let name = parse_image(image).name;
    match name.split_once('/') {
        Some((host, _)) if host.contains('.') || host.contains(':') || host == "localhost" => host,
        _ => "docker.io",
    }
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        if is_system_namespace(w.namespace()) {
            continue;
        }
        for c in w.containers() {
            let Some(image) = c.image else { continue };
            if image.is_empty() || is_private_ecr(image) {
                continue;
            }
            cx.report(
                w,
                format!(
                    "{} of {} pulls {image} from {}, not from a private ECR registry",
                    c.describe(),
                    w.res,
                    registry(image)
                ),
            )
            .at(c.field("image"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries() {
        assert!(is_private_ecr(
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1"
        ));
        assert!(is_private_ecr(
            "111122223333.dkr.ecr-fips.us-east-1.amazonaws.com/app@sha256:ab"
        ));
        assert!(!is_private_ecr(
            "public.ecr.aws/eks/aws-load-balancer-controller:v2.8.0"
        ));
        assert!(!is_private_ecr(
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com.evil.example/app"
        ));
        assert_eq!(registry("nginx:1.27"), "docker.io");
        assert_eq!(registry("library/nginx"), "docker.io");
        assert_eq!(registry("ghcr.io/org/app:1"), "ghcr.io");
        assert_eq!(registry("registry:5000/app"), "registry:5000");
    }
}
