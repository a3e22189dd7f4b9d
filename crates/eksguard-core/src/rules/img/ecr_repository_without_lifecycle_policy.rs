use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags ECR repositories that have no lifecycle policy: no `aws ecr get-lifecycle-policy`
    /// output in the input names them. (ECR answers `LifecyclePolicyNotFoundException` for such
    /// repositories, so the rule needs the lifecycle policies of the others to be sure the
    /// input includes lifecycle policies at all.)
    ///
    /// ## Why is this bad?
    /// Without expiry, old images with known vulnerabilities stay pullable forever, and a
    /// rollback or a stale tag can bring them back into the cluster. The seed talk lists
    /// lifecycle management of images among ECR's features.
    ///
    /// ## Example
    /// A repository `shop/payments` in `describe-repositories` and no lifecycle policy for it.
    /// Instead:
    /// ```sh
    /// aws ecr put-lifecycle-policy --repository-name shop/payments --lifecycle-policy-text \
    ///   '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}'
    /// ```
    pub static RULE = Rule {
        id: "IMG007",
        name: "ecr-repository-without-lifecycle-policy",
        domain: Domain::Img,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "ECR repository keeps old images forever (no lifecycle policy)",
        remediation: "Add a lifecycle policy that expires untagged and superseded images.",
        references: References {
            seed: &["000 Amazon Elastic Container Registry (ECR)"],
            prowler: &["ecr_repositories_lifecycle_policy_enabled"],
            urls: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html"],
            ..References::NONE
        },
        needs: &[Input::EcrRepositories, Input::EcrLifecyclePolicies],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for r in &cx.inv.ecr_repositories {
        let has = cx.inv.ecr_lifecycle_policies.iter().any(|p| {
            p.repository_name == r.repository_name
                && match (&p.registry_id, &r.registry_id) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        });
        if !has {
            cx.report(
                r,
                format!(
                    "ECR repository {} has no lifecycle policy: old images never expire",
                    r.repository_name
                ),
            )
            .at("repositoryName");
        }
    }
}
