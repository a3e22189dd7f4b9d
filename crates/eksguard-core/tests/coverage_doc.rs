//! docs/coverage.md maps the seed practices and peer checks to rules: every id it names must
//! exist, and every rule must appear in it (each rule is justified by a practice or a peer).

mod common;

use std::collections::BTreeSet;

use eksguard_core::rules::RULES;
use regex::Regex;

#[test]
fn coverage_page_names_real_rules_and_every_rule() {
    let path = common::root().join("docs/coverage.md");
    let text = std::fs::read_to_string(&path).expect("docs/coverage.md exists");
    let re = Regex::new(r"\b(EKS|IAM|RBAC|POD|NET|NODE|IMG|SEC|LOG|TEN|RUN|EDGE|AUD)\d{3}\b")
        .expect("valid regex");
    let named: BTreeSet<&str> = re.find_iter(&text).map(|m| m.as_str()).collect();
    let known: BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
    let unknown: Vec<&&str> = named.difference(&known).collect();
    assert!(
        unknown.is_empty(),
        "docs/coverage.md names unknown rules: {unknown:?}"
    );
    let missing: Vec<&&str> = known.difference(&named).collect();
    assert!(
        missing.is_empty(),
        "rules missing from docs/coverage.md: {missing:?}"
    );
}
