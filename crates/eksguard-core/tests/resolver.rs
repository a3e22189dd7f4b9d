//! One resolver (issue 14 item 1): every form of a rule token (id, name, peer tool's id,
//! domain, id prefix) means the same rules through every entry point of the core: the
//! selection of a verb, `eksguard.toml`'s select/ignore/exceptions, and the `eksguard.io/ignore`
//! annotation. The CLI, the webhook and detect are run through the same table in their crates'
//! tests (`crates/eksguard/tests/resolver_cli.rs`, `crates/eksguard-webhook/tests/resolver.rs`).

use eksguard_core::config::{self, Config, Date};
use eksguard_core::engine::{self, Options};
use eksguard_core::inventory::{LoadOptions, load_text};
use eksguard_core::rules::RULES;
use eksguard_core::select::{Form, Selection, resolve, resolve_form};
use eksguard_core::{Rule, detect};

/// Every form naming POD001 (privileged-container), as a user would type it.
const POD001_FORMS: [(&str, Form); 9] = [
    ("POD001", Form::Id),
    (" pod001 ", Form::Id),
    ("privileged-container", Form::Name),
    ("CKV_K8S_16", Form::PeerId),
    ("C-0057", Form::PeerId),
    ("4.2.1", Form::PeerId),
    (
        "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
        Form::PeerId,
    ),
    ("pod", Form::Domain),
    ("POD00", Form::Prefix),
];

fn posture() -> Vec<&'static Rule> {
    RULES
        .iter()
        .copied()
        .filter(|r| !detect::is_audit_rule(r))
        .collect()
}

fn ids(rules: &[&Rule]) -> Vec<&'static str> {
    rules.iter().map(|r| r.id).collect()
}

#[test]
fn every_form_resolves_by_its_own_form() {
    for (token, form) in POD001_FORMS {
        let (got, rules) = resolve_form(token, RULES).unwrap_or_else(|| panic!("{token}"));
        assert_eq!(got, form, "{token}");
        assert!(
            ids(&rules).contains(&"POD001"),
            "{token}: {:?}",
            ids(&rules)
        );
    }
    // Exact forms name exactly one rule; a peer id every rule that cites it (the posture rule
    // and the audit detector of the same GuardDuty finding type).
    assert_eq!(ids(&resolve("privileged-container", RULES)), ["POD001"]);
    let gd = ids(&resolve(
        "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
        RULES,
    ));
    assert!(gd.contains(&"POD001") && gd.contains(&"AUD010"), "{gd:?}");
    // A domain and its prefix are the same rules; `policy` is a domain too.
    assert_eq!(ids(&resolve("pod", RULES)), ids(&resolve("POD", RULES)));
    for token in ["", "  ", "POD999", "CKV_K8S_99999", "nope"] {
        assert!(resolve(token, RULES).is_empty(), "{token}");
    }
}

#[test]
fn every_form_selects_and_ignores() {
    let catalog = posture();
    for (token, _) in POD001_FORMS {
        let t = vec![token.to_string()];
        let selected = Selection {
            select: t.clone(),
            ignore: Vec::new(),
        }
        .apply(&catalog)
        .unwrap_or_else(|u| panic!("--select {token}: unknown {u:?}"));
        assert!(ids(&selected).contains(&"POD001"), "--select {token}");
        assert!(
            !ids(&selected).iter().any(|id| id.starts_with("AUD")),
            "--select {token}: audit rules are not posture rules"
        );
        let kept = Selection {
            select: Vec::new(),
            ignore: t,
        }
        .apply(&catalog)
        .unwrap_or_else(|u| panic!("--ignore {token}: unknown {u:?}"));
        assert!(!ids(&kept).contains(&"POD001"), "--ignore {token}");
        assert!(
            ids(&kept).contains(&"RBAC001"),
            "--ignore {token} keeps the rest"
        );
    }
    let unknown = Selection {
        select: vec!["POD999".into()],
        ignore: vec!["CKV_K8S_16".into(), "nope".into()],
    }
    .apply(&catalog)
    .expect_err("unknown tokens");
    assert_eq!(unknown, ["POD999", "nope"]);
}

#[test]
fn every_form_works_in_the_configuration() {
    let catalog = posture();
    for (token, _) in POD001_FORMS {
        let text = format!(
            "ignore = [\"{token}\"]\n[[exception]]\nrules = [\"{token}\"]\nnamespaces = [\"shop\"]\nreason = \"tested\"\n"
        );
        let config =
            config::parse("eksguard.toml", &text).unwrap_or_else(|e| panic!("{token}: {e:?}"));
        assert!(
            config.exceptions[0].rules.contains(&"POD001"),
            "{token}: {:?}",
            config.exceptions[0].rules
        );
        // The bug: a peer id in `ignore` made every scan fail.
        let selection = Selection::merged(&[], &[], &config.select, &config.ignore, &catalog);
        let rules = selection
            .apply(&catalog)
            .unwrap_or_else(|u| panic!("ignore = [{token}]: unknown {u:?}"));
        assert!(!ids(&rules).contains(&"POD001"), "ignore = [{token}]");
    }
}

#[test]
fn the_configuration_serves_every_verb_and_the_command_line_wins() {
    let catalog = posture();
    // `select = ["AUD"]` is detect's business: scan runs everything, detect the AUD rules.
    let config = config::parse(
        "eksguard.toml",
        "select = [\"AUD\"]\nignore = [\"AUD010\", \"POD002\"]\n",
    )
    .expect("valid");
    let scan = Selection::merged(&[], &[], &config.select, &config.ignore, &catalog)
        .apply(&catalog)
        .expect("scan selection");
    assert!(ids(&scan).contains(&"POD001") && !ids(&scan).contains(&"POD002"));
    let audit: Vec<&'static Rule> = RULES
        .iter()
        .copied()
        .filter(|r| detect::is_audit_rule(r))
        .collect();
    let detect = Selection::merged(&[], &[], &config.select, &config.ignore, &audit)
        .apply(&audit)
        .expect("detect selection");
    assert!(!detect.is_empty() && detect.iter().all(|r| r.id.starts_with("AUD")));
    assert!(!ids(&detect).contains(&"AUD010"));
    // --select replaces the configuration's select; --ignore adds to its ignore.
    let cli = Selection::merged(
        &["privileged-container".into(), "POD002".into()],
        &["C-0057".into()],
        &config.select,
        &config.ignore,
        &catalog,
    )
    .apply(&catalog)
    .expect("cli selection");
    assert!(
        ids(&cli).is_empty(),
        "POD001 ignored by C-0057, POD002 by the file: {:?}",
        ids(&cli)
    );
}

#[test]
fn every_form_works_in_the_ignore_annotation() {
    let rules: Vec<&'static Rule> = RULES.iter().copied().filter(|r| r.id == "POD001").collect();
    for (token, _) in POD001_FORMS {
        let text = format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    eksguard.io/ignore: \"{}\"\n    eksguard.io/ignore-reason: tested\nspec:\n  containers:\n    - name: web\n      image: nginx\n      securityContext: {{privileged: true}}\n",
            token.trim()
        );
        let inv = load_text("pod.yaml", &text, &LoadOptions::default());
        let config = Config::empty();
        let report = engine::run_with(
            &inv,
            &rules,
            "test",
            Options {
                config: &config,
                today: "2026-12-01".parse::<Date>().ok(),
                baseline: None,
            },
        );
        assert!(report.errors.is_empty(), "{token}: {:?}", report.errors);
        assert!(report.findings.is_empty(), "{token}: not suppressed");
        assert_eq!(report.suppressed.len(), 1, "{token}");
    }
}
