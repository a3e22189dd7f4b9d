use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags ECR repositories with scan on push turned off.
    ///
    /// ## Why is this bad?
    /// Images reach the cluster without anyone learning about their known vulnerabilities.
    /// The seeds ask for image scanning (ECR's, or GuardDuty and Inspector's). When the
    /// registry's scanning configuration (`aws ecr get-registry-scanning-configuration`) is in
    /// the input, it decides, as it does in ECR: the repository must match one of its
    /// scan-on-push or continuous rules, and the repository-level `scanOnPush` is ignored.
    ///
    /// ## Example
    /// ```json
    /// {"repositoryName": "shop/payments", "imageScanningConfiguration": {"scanOnPush": false}}
    /// ```
    /// Instead:
    /// ```sh
    /// aws ecr put-image-scanning-configuration --repository-name shop/payments --image-scanning-configuration scanOnPush=true
    /// ```
    pub static RULE = Rule {
        id: "IMG003",
        name: "ecr-scan-on-push-disabled",
        domain: Domain::Img,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "ECR repository does not scan images on push",
        remediation: "Turn on scanOnPush for the repository, or enhanced scanning (Amazon Inspector) for the registry.",
        references: References {
            seed: &["000 Amazon Elastic Container Registry (ECR)", "003 Scan your container images", "000 Summary"],
            cis_eks: &["5.1.1"],
            checkov: &["CKV_AWS_33"],
            kubescape: &["C-0221"],
            prowler: &["ecr_repositories_scan_images_on_push_enabled"],
            urls: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html", "https://aws.github.io/aws-eks-best-practices/security/docs/image/"],
            ..References::NONE
        },
        needs: &[Input::EcrRepositories],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for r in &cx.inv.ecr_repositories {
        let on = r
            .image_scanning_configuration
            .as_ref()
            .is_some_and(|s| s.scan_on_push);
        // With registry-level scanning configured, ECR ignores the repository setting: a
        // registry rule that scans this repository on push or continuously is what counts.
        let registry = cx.inv.ecr_registry_scanning.iter().find(|g| {
            r.registry_id
                .as_deref()
                .is_none_or(|id| id == g.registry_id)
        });
        if let Some(g) = registry {
            if !g.scans_automatically(&r.repository_name) {
                cx.report(
                    r,
                    format!(
                        "ECR repository {} matches no scan-on-push or continuous rule of registry {}'s {} scanning configuration",
                        r.repository_name,
                        g.registry_id,
                        g.scanning_configuration.scan_type.as_deref().unwrap_or("BASIC")
                    ),
                )
                .at("repositoryName");
            }
            continue;
        }
        if !on {
            cx.report(
                r,
                format!(
                    "ECR repository {} does not scan images on push",
                    r.repository_name
                ),
            )
            .at("imageScanningConfiguration.scanOnPush");
        }
    }
}
