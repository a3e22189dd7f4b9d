//! The example policies of `examples/policies/` against their fixtures: under
//! `tests/fixtures/examples/<RULE ID>/`, every `fire-*.yaml` object must violate that rule (at
//! each field its `# field:` comments name) and no `ok-*.yaml` object may. Every rule has both.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use eksguard_core::inventory::text::{Limits, parse};
use eksguard_policy::{InputContext, Policies, Source, object_input};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn examples() -> Policies {
    Policies::load(&[root().join("examples/policies")])
        .unwrap_or_else(|e| panic!("the example policies load:\n{e}"))
}

/// The objects of a fixture (a `List` gives its items).
fn objects(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("fixture");
    let (docs, errors) = parse(&text, &Limits::default());
    assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    let mut out = Vec::new();
    for d in docs {
        match d.value.get("items") {
            Some(Value::Array(items)) => out.extend(items.iter().cloned()),
            _ => out.push(d.value),
        }
    }
    out
}

fn expected_fields(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("fixture")
        .lines()
        .filter_map(|l| l.strip_prefix("# field: "))
        .map(|f| f.trim().to_string())
        .collect()
}

#[test]
fn example_policies_fire_on_their_fire_fixtures_only() {
    let policies = examples();
    let ids: BTreeSet<&str> = policies.rules().iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        BTreeSet::from(["ACME001", "ACME002", "ACME003", "ACME004"])
    );
    let dir = root().join("crates/eksguard-policy/tests/fixtures/examples");
    let mut checked = BTreeSet::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for rule_dir in entries {
        let id = rule_dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_string();
        assert!(ids.contains(id.as_str()), "fixtures for unknown rule {id}");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&rule_dir)
            .expect("rule fixtures")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        let (mut fire, mut ok) = (0, 0);
        for f in files {
            let name = f.file_name().and_then(|n| n.to_str()).expect("name");
            let firing = name.starts_with("fire-");
            assert!(
                firing || name.starts_with("ok-"),
                "{name}: fixtures are fire-* or ok-*"
            );
            let mut fields = BTreeSet::new();
            for object in objects(&f) {
                let cx = InputContext {
                    source: Source::Admission,
                    operation: Some("CREATE"),
                    ..InputContext::scan()
                };
                let input = object_input(&object, &cx);
                let violations = policies
                    .evaluate(&input, Duration::from_secs(5))
                    .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                let mine: Vec<_> = violations.iter().filter(|v| v.rule.id == id).collect();
                if firing {
                    assert!(!mine.is_empty(), "{}: {id} did not fire", f.display());
                } else {
                    assert!(
                        mine.is_empty(),
                        "{}: {id} fired: {:?}",
                        f.display(),
                        mine.iter().map(|v| &v.message).collect::<Vec<_>>()
                    );
                }
                for v in mine {
                    assert!(!v.message.is_empty());
                    fields.extend(v.field.clone());
                }
            }
            for want in expected_fields(&f) {
                assert!(
                    fields.contains(&want),
                    "{}: no {id} violation at {want} (got {fields:?})",
                    f.display()
                );
            }
            if firing {
                fire += 1;
            } else {
                ok += 1;
            }
        }
        assert!(fire > 0 && ok > 0, "{id}: needs fire-* and ok-* fixtures");
        checked.insert(id);
    }
    let all: BTreeSet<String> = ids.iter().map(ToString::to_string).collect();
    assert_eq!(checked, all, "every example rule has fixtures");
}

#[test]
fn settings_in_data_change_what_policies_allow() {
    let dir = root().join("examples/policies");
    let mut files = Vec::new();
    for name in [
        "lib/kubernetes.rego",
        "ecr_only.rego",
        "allowed_registries.rego",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).expect("policy");
        files.push((name.to_string(), text));
    }
    let pod = serde_json::json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "a"},
        "spec": {"containers": [{"name": "c", "image": "public.ecr.aws/nginx/nginx:1.27"}]}
    });
    let input = object_input(&pod, &InputContext::scan());
    let fired = |p: &Policies| -> BTreeSet<&'static str> {
        p.evaluate(&input, Duration::from_secs(5))
            .expect("evaluates")
            .iter()
            .map(|v| v.rule.id)
            .collect()
    };
    // Without data.yaml: the policies' own defaults (ECR Public refused, not in the list).
    let defaults = Policies::from_sources(&files).expect("loads");
    assert_eq!(fired(&defaults), BTreeSet::from(["ACME001", "ACME003"]));
    files.push((
        "data.yaml".into(),
        "settings:\n  ecr_public_allowed: true\n  allowed_registries: [public.ecr.aws/nginx]\n"
            .into(),
    ));
    let configured = Policies::from_sources(&files).expect("loads");
    assert!(fired(&configured).is_empty());
}
