use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags ECR repositories whose tags are mutable (`imageTagMutability` is `MUTABLE`, the
    /// default, or `MUTABLE_WITH_EXCLUSION`).
    ///
    /// ## Why is this bad?
    /// With mutable tags anyone who can push can replace `v1.4.2` with different code, and
    /// every node that pulls next runs it. The seed talk lists tag immutability among ECR's
    /// security features.
    ///
    /// ## Example
    /// ```json
    /// {"repositoryName": "shop/payments", "imageTagMutability": "MUTABLE"}
    /// ```
    /// Instead:
    /// ```sh
    /// aws ecr put-image-tag-mutability --repository-name shop/payments --image-tag-mutability IMMUTABLE
    /// ```
    ///
    /// ## Differences from peers
    /// Prowler's tag-immutability checks fail only on `MUTABLE`; eksguard also reports
    /// `MUTABLE_WITH_EXCLUSION`, whose excluded tags can still be overwritten.
    pub static RULE = Rule {
        id: "IMG002",
        name: "ecr-tag-mutable",
        domain: Domain::Img,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "ECR repository allows tags to be overwritten",
        remediation: "Set the repository's image tag mutability to IMMUTABLE.",
        references: References {
            seed: &["000 Amazon Elastic Container Registry (ECR)"],
            checkov: &["CKV_AWS_51"],
            hardeneks: &["use_immutable_tags_with_ecr"],
            prowler: &["ecr_repositories_tag_immutability", "ecr_private_repository_tag_immutability", "ecr_repositories_immutability_tag_configured"],
            urls: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html", "https://aws.github.io/aws-eks-best-practices/security/docs/image/"],
            ..References::NONE
        },
        needs: &[Input::EcrRepositories],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for r in &cx.inv.ecr_repositories {
        let m = r.image_tag_mutability.as_deref().unwrap_or("MUTABLE");
        if m.starts_with("MUTABLE") {
            cx.report(
                r,
                format!(
                    "ECR repository {} has mutable tags ({m})",
                    r.repository_name
                ),
            )
            .at("imageTagMutability");
        }
    }
}
