use super::parse_image;
use crate::declare_rule;
use crate::inventory::{Input, is_system_namespace};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags containers (outside the system namespaces) whose image is not referenced by a
    /// `@sha256:` digest (a tag alone, `latest`, or nothing).
    ///
    /// ## Why is this bad?
    /// A tag is a pointer that can be moved, in any registry where tags are mutable. A digest
    /// names exactly the bytes that were built, scanned and approved. Images from repositories
    /// with tag immutability are safer; a digest is safe everywhere.
    ///
    /// ## Example
    /// ```yaml
    /// image: ghcr.io/acme/worker:1.8
    /// ```
    /// Instead: `image: ghcr.io/acme/worker:1.8@sha256:<digest>`.
    pub static RULE = Rule {
        id: "IMG004",
        name: "image-not-pinned-by-digest",
        domain: Domain::Img,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Image is not pinned by digest",
        remediation: "Reference the image by digest (name:tag@sha256:...) — tools such as crane digest or your CD system can resolve it.",
        references: References {
            seed: &["000 Amazon Elastic Container Registry (ECR)"],
            checkov: &["CKV_K8S_43"],
            kubelinter: &["image-sha", "image-not-pinned-by-digest"],
            urls: &["https://kubernetes.io/docs/concepts/containers/images/#image-names", "https://kubernetes.io/docs/concepts/configuration/overview/#container-images"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        if is_system_namespace(w.namespace()) {
            continue;
        }
        for c in w.containers() {
            let Some(image) = c.image else { continue };
            let r = parse_image(image);
            if r.digest.is_none() {
                cx.report(
                    w,
                    format!(
                        "{} of {} runs {image} without a digest",
                        c.describe(),
                        w.res
                    ),
                )
                .at(c.field("image"));
            }
        }
    }
}
