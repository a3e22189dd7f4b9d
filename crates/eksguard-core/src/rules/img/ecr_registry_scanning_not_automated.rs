use crate::declare_rule;
use crate::inventory::{Input, RegistryScanningRule};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags ECR registries whose scanning configuration
    /// (`aws ecr get-registry-scanning-configuration`) has no rule that scans automatically:
    /// no rule, or only `MANUAL` ones.
    ///
    /// ## Why is this bad?
    /// Registry-level rules decide which repositories are scanned on push or continuously. With
    /// none, no image is scanned unless someone asks, so vulnerable images reach the cluster
    /// unnoticed. (Per-repository coverage is IMG003.)
    ///
    /// ## Example
    /// ```json
    /// {"registryId": "111122223333", "scanningConfiguration": {"scanType": "BASIC", "rules": []}}
    /// ```
    /// Instead:
    /// ```sh
    /// aws ecr put-registry-scanning-configuration --scan-type BASIC \
    ///   --rules '[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]'
    /// ```
    ///
    /// ## Differences from peers
    /// Prowler `ecr_registry_scan_images_on_push_enabled` also judges the rules' repository
    /// filters; eksguard reports a repository left out by the filters on the repository (IMG003).
    pub static RULE = Rule {
        id: "IMG009",
        name: "ecr-registry-scanning-not-automated",
        domain: Domain::Img,
        severity: Severity::Medium,
        scope: Scope::Aws,
        summary: "ECR registry does not scan images automatically",
        remediation: "Add a registry scanning rule with scanFrequency SCAN_ON_PUSH (basic) or CONTINUOUS_SCAN (enhanced) and filter *.",
        references: References {
            seed: &["000 Amazon Elastic Container Registry (ECR)", "003 Scan your container images", "000 Summary"],
            cis_eks: &["5.1.1"],
            prowler: &["ecr_registry_scan_images_on_push_enabled"],
            urls: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html"],
            ..References::NONE
        },
        needs: &[Input::EcrRegistryScanning],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for g in &cx.inv.ecr_registry_scanning {
        let cfg = &g.scanning_configuration;
        if !cfg.rules.iter().any(RegistryScanningRule::automated) {
            let why = if cfg.rules.is_empty() {
                "has no scanning rules"
            } else {
                "has only MANUAL scanning rules"
            };
            cx.report(
                g,
                format!(
                    "ECR registry {} {why}: images are not scanned when pushed",
                    g.registry_id
                ),
            )
            .at("scanningConfiguration.rules");
        }
    }
}
