use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags ECR registries whose scan type is not `ENHANCED` (Amazon Inspector).
    ///
    /// ## Why is this bad?
    /// Basic scanning checks operating-system packages once, at push time. Enhanced scanning
    /// also covers language packages (npm, pip, Maven, Go modules, ...) and rescans stored
    /// images as new CVEs are published, so an image that was clean when pushed is reported
    /// when it stops being so.
    ///
    /// ## Example
    /// ```json
    /// {"registryId": "111122223333", "scanningConfiguration": {"scanType": "BASIC", "rules": [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]}}
    /// ```
    /// Instead: `aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules '[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]'`.
    pub static RULE = Rule {
        id: "IMG010",
        name: "ecr-enhanced-scanning-disabled",
        domain: Domain::Img,
        severity: Severity::Low,
        scope: Scope::Aws,
        summary: "ECR registry uses basic scanning, not enhanced (Inspector) scanning",
        remediation: "Switch the registry to enhanced scanning with continuous scanning rules.",
        references: References {
            seed: &["003 Scan your container images"],
            prowler: &["ecr_registry_enhanced_scanning_enabled"],
            urls: &["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html"],
            ..References::NONE
        },
        needs: &[Input::EcrRegistryScanning],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    for g in &cx.inv.ecr_registry_scanning {
        let ty = g
            .scanning_configuration
            .scan_type
            .as_deref()
            .unwrap_or("BASIC");
        if ty != "ENHANCED" {
            cx.report(
                g,
                format!(
                    "ECR registry {} uses {ty} scanning: language packages are not scanned and stored images are not rescanned for new CVEs",
                    g.registry_id
                ),
            )
            .at("scanningConfiguration.scanType");
        }
    }
}
