use super::parse_image;
use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers whose image has the `latest` tag, or no tag and no digest (which
    /// means `latest`).
    ///
    /// ## Why is this bad?
    /// `latest` names whatever was pushed last: nodes pull different code at different times,
    /// a rollback does not roll back, a scan result no longer describes what runs, and anyone
    /// who can push to the repository changes production. The seeds ask for ECR tag
    /// immutability and scanned images, which only mean something with fixed tags.
    ///
    /// ## Example
    /// ```yaml
    /// image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/api:latest
    /// ```
    /// Instead: `.../shop/api:2.14.1` or `...@sha256:<digest>`.
    pub static RULE = Rule {
        id: "IMG001",
        name: "image-mutable-tag",
        domain: Domain::Img,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Image uses the latest tag or no tag",
        remediation: "Reference a fixed version tag (in an immutable repository) or an image digest.",
        references: References {
            seed: &["000 Amazon Elastic Container Registry (ECR)"],
            checkov: &["CKV_K8S_14"],
            polaris: &["tagNotSpecified"],
            kube_score: &["container-image-tag"],
            kubelinter: &["latest-tag"],
            urls: &["https://kubernetes.io/docs/concepts/containers/images/#image-names", "https://kubernetes.io/docs/concepts/configuration/overview/#container-images", "https://aws.github.io/aws-eks-best-practices/security/docs/image/"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        for c in w.containers() {
            let Some(image) = c.image else { continue };
            let r = parse_image(image);
            let why = match (r.tag, r.digest) {
                (Some("latest"), None) => "the latest tag",
                (None, None) => "no tag (latest)",
                _ => continue,
            };
            cx.report(
                w,
                format!("{} of {} runs {image} with {why}", c.describe(), w.res),
            )
            .at(c.field("image"));
        }
    }
}
