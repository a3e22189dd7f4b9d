//! One resolver (issue 14 item 1) at admission: every form of a rule token in eksguard.toml
//! selects and ignores the webhook's rules as it does scan's.

use eksguard_core::config;
use eksguard_webhook::review::{Reviewer, Settings};

const POD001_FORMS: [&str; 7] = [
    "POD001",
    "privileged-container",
    "CKV_K8S_16",
    "C-0057",
    "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
    "pod",
    "POD00",
];

fn rules(toml: &str) -> Vec<&'static str> {
    let config = config::parse("eksguard.toml", toml).expect("valid configuration");
    Reviewer::new(config, Settings::default(), None)
        .expect("reviewer")
        .rules()
        .iter()
        .map(|r| r.id)
        .collect()
}

#[test]
fn every_form_selects_and_ignores_admission_rules() {
    for form in POD001_FORMS {
        let ignored = rules(&format!("ignore = [\"{form}\"]\n"));
        assert!(!ignored.contains(&"POD001"), "ignore = [{form}]");
        assert!(
            ignored.iter().any(|id| !id.starts_with("POD")),
            "ignore = [{form}] keeps the rest"
        );
        let selected = rules(&format!("select = [\"{form}\"]\n"));
        assert!(selected.contains(&"POD001"), "select = [{form}]");
        assert!(
            !selected.iter().any(|id| id.starts_with("RBAC")),
            "select = [{form}]"
        );
    }
    // Entries for scan or detect alone are theirs: the webhook keeps its defaults.
    let all = rules("");
    assert_eq!(rules("select = [\"AUD\"]\nignore = [\"EKS001\"]\n"), all);
}
