//! Loading, evaluating and scanning with Rego policies: errors name file and line, a runaway
//! policy is stopped at its budget, ids cannot collide with built-in rules, and policy findings
//! go through eksguard's suppressions like built-in ones.

use std::time::Duration;

use eksguard_core::config::{self, Config};
use eksguard_core::engine::{self, Options};
use eksguard_core::inventory::{LoadOptions, load_text};
use eksguard_core::rule::Domain;
use eksguard_policy::{
    EvalErrorKind, InputContext, LoadErrors, Policies, Source, object_input, outcomes,
};
use serde_json::{Value, json};

const BUDGET: Duration = Duration::from_secs(5);

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
        .collect()
}

fn load(list: &[(&str, &str)]) -> Result<Policies, LoadErrors> {
    Policies::from_sources(&files(list))
}

fn load_ok(list: &[(&str, &str)]) -> Policies {
    load(list).unwrap_or_else(|e| panic!("loads:\n{e}"))
}

fn errors(list: &[(&str, &str)]) -> Vec<String> {
    match load(list) {
        Ok(_) => panic!("loaded, but should not have"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

fn meta(id: &str) -> String {
    format!(
        "# METADATA\n# title: Rule {id}\n# custom:\n#   id: {id}\n#   severity: medium\n#   remediation: Fix it.\n"
    )
}

fn pod(image: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "shop"},
        "spec": {"containers": [{"name": "c", "image": image}]}
    })
}

fn input(object: &Value) -> Value {
    object_input(object, &InputContext::scan())
}

/// A policy that denies images with `latest` in them.
fn latest_policy() -> String {
    format!(
        "package eksguard.latest\n\n{}deny contains {{\"id\": \"ACME100\", \"msg\": sprintf(\"image %s\", [c.image]), \"field\": sprintf(\"spec.containers[%d].image\", [i])}} if {{\n  some i, c in input.object.spec.containers\n  contains(c.image, \"latest\")\n}}\n",
        meta("ACME100")
    )
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let bad = "package eksguard.bad\n\ndeny contains x if {\n  x := input.object\n  y = = 1\n}\n";
    let msgs = errors(&[
        ("policies/bad.rego", bad),
        (
            "policies/also-bad.rego",
            "package eksguard.x\n\ndeny contains if\n",
        ),
    ]);
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("policies/bad.rego:5:7: ") && m.contains("expecting expression")),
        "{msgs:?}"
    );
    // Every file's error is reported, not only the first.
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("policies/also-bad.rego:3:")),
        "{msgs:?}"
    );
}

#[test]
fn loading_folders_reports_files_and_skips_tests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("team");
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::write(sub.join("latest.rego"), latest_policy()).expect("write");
    // OPA test files are not policies.
    std::fs::write(sub.join("latest_test.rego"), "package broken(").expect("write");
    std::fs::write(sub.join("notes.txt"), "not rego").expect("write");
    let p = Policies::load(&[dir.path().to_path_buf()]).expect("loads");
    assert_eq!(p.rules().len(), 1);
    assert_eq!(p.rules()[0].domain, Domain::Policy);

    std::fs::write(
        sub.join("broken.rego"),
        "package eksguard.b\n\ndeny contains x if {\n  x :=\n}\n",
    )
    .expect("write");
    let err = Policies::load(&[dir.path().to_path_buf()]).expect_err("syntax error");
    let text = err.to_string();
    let file = sub.join("broken.rego").display().to_string();
    assert!(text.starts_with(&format!("{file}:4:")), "{text}");

    let empty = tempfile::tempdir().expect("tempdir");
    let err = Policies::load(&[empty.path().to_path_buf(), dir.path().join("missing")])
        .expect_err("nothing to load");
    assert_eq!(err.0.len(), 2, "{err}");
    assert!(err.to_string().contains("no .rego file"), "{err}");
    assert!(err.to_string().contains("no such file or folder"), "{err}");
}

#[test]
fn violations_carry_rule_message_field_and_severity() {
    let p = load_ok(&[("latest.rego", &latest_policy())]);
    assert!(!p.is_empty());
    let v = p
        .evaluate(&input(&pod("nginx:latest")), BUDGET)
        .expect("evaluates");
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].rule.id, "ACME100");
    assert_eq!(v[0].message, "image nginx:latest");
    assert_eq!(v[0].field.as_deref(), Some("spec.containers[0].image"));
    assert_eq!(v[0].severity, eksguard_core::Severity::Medium);
    assert_eq!(v[0].fix(), "Fix it.");
    assert!(
        p.evaluate(&input(&pod("nginx:1.27")), BUDGET)
            .expect("evaluates")
            .is_empty()
    );
    assert!(
        Policies::empty()
            .evaluate(&input(&pod("nginx:latest")), BUDGET)
            .expect("nothing to evaluate")
            .is_empty()
    );
}

#[test]
fn the_input_document_is_versioned() {
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
    let user = json!({"username": "alice", "groups": ["dev"]});
    let cx = InputContext {
        source: Source::Admission,
        operation: Some("UPDATE"),
        namespace: Some(&ns),
        user: Some(&user),
        dry_run: true,
    };
    let doc = object_input(&pod("x"), &cx);
    assert_eq!(doc["apiVersion"], eksguard_policy::INPUT_VERSION);
    assert_eq!(doc["kind"], "PolicyInput");
    assert_eq!(doc["source"], "admission");
    assert_eq!(doc["operation"], "UPDATE");
    assert_eq!(doc["namespace"]["metadata"]["name"], "shop");
    assert_eq!(doc["user"]["username"], "alice");
    assert_eq!(doc["dryRun"], true);
    assert_eq!(doc["object"]["kind"], "Pod");
    let scan = input(&pod("x"));
    assert_eq!(scan["source"], "scan");
    assert_eq!(scan["operation"], Value::Null);
    assert_eq!(scan["user"], Value::Null);

    // Policies see all of it.
    let policy = format!(
        "package eksguard.who\n\n{}deny contains sprintf(\"%s by %s in %s\", [input.operation, input.user.username, input.namespace.metadata.name]) if {{\n  input.apiVersion == \"eksguard.io/v1\"\n  input.dryRun\n}}\n",
        meta("ACME101")
    );
    let p = load_ok(&[("who.rego", &policy)]);
    let v = p.evaluate(&doc, BUDGET).expect("evaluates");
    assert_eq!(v[0].message, "UPDATE by alice in shop");
}

#[test]
fn a_runaway_policy_is_stopped_at_its_budget() {
    // 10^10 iterations: hours of work, unless it is stopped.
    let slow = format!(
        "package eksguard.slow\n\n{}deny contains \"never\" if {{\n  some i in numbers.range(1, 100000)\n  some j in numbers.range(1, 100000)\n  i * j < 0\n}}\n",
        meta("ACME102")
    );
    let p = load_ok(&[
        ("policies/slow.rego", &slow),
        ("latest.rego", &latest_policy()),
    ]);
    let err = p
        .evaluate(&input(&pod("nginx:latest")), Duration::from_millis(50))
        .expect_err("stopped");
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(
        err.kind,
        EvalErrorKind::Timeout {
            budget: Duration::from_millis(50)
        }
    );
    assert_eq!(err.package, "eksguard.slow");
    let msg = err.to_string();
    assert!(
        msg.contains("eksguard.slow (policies/slow.rego)")
            && msg.contains("exceeded its time budget of 50 ms"),
        "{msg}"
    );

    // A scan reports it per object and keeps the other policies' findings.
    let inv = load_text(
        "pods.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers: [{name: c, image: 'nginx:latest'}]\n",
        &LoadOptions::default(),
    );
    let (findings, errs) = p.scan(&inv, Duration::from_millis(20));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(errs.len(), 1);
    assert!(errs[0].is_timeout());
    assert_eq!(errs[0].object.as_deref(), Some("Pod shop/p"));
    let report_error = errs[0].to_load_error();
    assert_eq!(report_error.path, "policies/slow.rego");
    assert!(
        report_error
            .message
            .contains("exceeded its time budget of 20 ms"),
        "{report_error}"
    );
}

#[test]
fn runtime_errors_name_the_policy_and_line() {
    let policy = format!(
        "package eksguard.div\n\n{}deny contains x if {{\n  x := 1 / count(input.object.spec.volumes)\n}}\n",
        meta("ACME103")
    );
    let p = load_ok(&[("div.rego", &policy)]);
    let mut object = pod("x");
    object["spec"]["volumes"] = json!([]);
    let err = p
        .evaluate(&input(&object), BUDGET)
        .expect_err("divides by zero");
    assert!(matches!(err.kind, EvalErrorKind::Runtime { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("div.rego:10:"), "{msg}");
    let le = err.to_load_error();
    assert_eq!((le.path.as_str(), le.line), ("div.rego", Some(10)));
}

#[test]
fn deny_results_follow_the_convention() {
    let two = format!(
        "package eksguard.two\n\n{}{}deny contains r if {{\n  r := input.object.result\n}}\n",
        meta("ACME104"),
        meta("ACME105")
    );
    let p = load_ok(&[("two.rego", &two)]);
    let eval = |result: Value| p.evaluate(&input(&json!({"kind": "X", "result": result})), BUDGET);
    let v = eval(
        json!({"id": "ACME105", "msg": "m", "severity": "critical", "remediation": "do this"}),
    )
    .expect("valid");
    assert_eq!(v[0].rule.id, "ACME105");
    assert_eq!(v[0].severity, eksguard_core::Severity::Critical);
    assert_eq!(v[0].fix(), "do this");
    for (bad, says) in [
        (json!("just a message"), "say which"),
        (json!({"msg": "no id"}), "say which"),
        (json!({"id": "ACME999", "msg": "m"}), "no METADATA block"),
        (json!({"id": "ACME104"}), "no `msg`"),
        (
            json!({"id": "ACME104", "msg": "m", "severity": "urgent"}),
            "urgent",
        ),
        (json!({"id": "ACME104", "msg": 5}), "`msg` must be a string"),
        (json!(7), "must be an object"),
    ] {
        let err = eval(bad.clone()).expect_err("bad result");
        assert!(
            matches!(err.kind, EvalErrorKind::BadResult { .. }) && err.to_string().contains(says),
            "{bad}: {err}"
        );
    }
    // With one rule, a plain message is enough (conftest-style policies).
    let one = format!(
        "package eksguard.one\n\n{}deny contains \"plain\" if input.object.kind == \"X\"\n",
        meta("ACME106")
    );
    let p = load_ok(&[("one.rego", &one)]);
    let v = p
        .evaluate(&input(&json!({"kind": "X"})), BUDGET)
        .expect("valid");
    assert_eq!((v[0].rule.id, v[0].message.as_str()), ("ACME106", "plain"));
    // `deny` that is not a set.
    let boolean = format!("package eksguard.b\n\n{}deny := true\n", meta("ACME107"));
    let p = load_ok(&[("b.rego", &boolean)]);
    let err = p
        .evaluate(&input(&json!({})), BUDGET)
        .expect_err("not a set");
    assert!(err.to_string().contains("must be a set"), "{err}");
}

#[test]
fn ids_cannot_collide_with_built_in_rules_or_each_other() {
    let policy = |pkg: &str, id: &str| {
        format!(
            "package eksguard.{pkg}\n\n{}deny contains \"x\" if false\n",
            meta(id)
        )
    };
    let msgs = errors(&[("a.rego", &policy("a", "POD001"))]);
    assert!(
        msgs.iter().any(|m| m.starts_with("a.rego:6:1: ")
            && m.contains("collides with eksguard's built-in rule POD001 (privileged-container)")),
        "{msgs:?}"
    );
    let msgs = errors(&[("a.rego", &policy("a", "pod900"))]);
    assert!(msgs[0].contains("prefix POD"), "{msgs:?}");
    let msgs = errors(&[
        ("a.rego", &policy("a", "ACME001")),
        ("b.rego", &policy("b", "ACME001")),
    ]);
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("b.rego:6:1: ") && m.contains("also declared at a.rego:6")),
        "{msgs:?}"
    );
    let named = "package eksguard.n\n\n# METADATA\n# title: x\n# custom:\n#   id: ACME002\n#   name: privileged-container\n#   severity: low\n#   remediation: Rename it.\ndeny contains \"x\" if false\n";
    let msgs = errors(&[("n.rego", named)]);
    assert!(msgs[0].contains("built-in rule POD001"), "{msgs:?}");
}

#[test]
fn the_convention_is_checked_at_load() {
    let msgs = errors(&[(
        "nometa.rego",
        "package eksguard.nometa\n\ndeny contains \"x\" if true\n",
    )]);
    assert!(
        msgs[0].contains("no METADATA block declares its rule"),
        "{msgs:?}"
    );
    let msgs = errors(&[(
        "lib.rego",
        &format!("package lib.helpers\n\n{}x := 1\n", meta("ACME001")),
    )]);
    assert!(
        msgs[0].contains("policies live in `package eksguard.<name>`"),
        "{msgs:?}"
    );
    let msgs = errors(&[(
        "nodeny.rego",
        &format!(
            "package eksguard.nodeny\n\n{}allow := true\n",
            meta("ACME001")
        ),
    )]);
    assert!(msgs[0].contains("has no `deny` rule"), "{msgs:?}");
    let msgs = errors(&[(
        "top.rego",
        &format!(
            "package eksguard\n\n{}deny contains \"x\" if true\n",
            meta("ACME001")
        ),
    )]);
    assert!(msgs[0].contains("not `eksguard`"), "{msgs:?}");
    // Libraries load without METADATA, and are not policies.
    let p = load_ok(&[(
        "lib.rego",
        "package lib.k8s\n\nis_pod if input.object.kind == \"Pod\"\n",
    )]);
    assert!(p.is_empty());
    // Bad data is an error naming the file.
    let msgs = errors(&[
        ("latest.rego", &latest_policy()),
        ("data.yaml", "- a list\n"),
    ]);
    assert!(
        msgs[0].starts_with("data.yaml:1:1: data must be a mapping"),
        "{msgs:?}"
    );
}

#[test]
fn evaluation_is_safe_from_many_threads() {
    let p = load_ok(&[("latest.rego", &latest_policy())]);
    let bad = input(&pod("nginx:latest"));
    let good = input(&pod("nginx:1.27"));
    std::thread::scope(|s| {
        for t in 0..8 {
            let (p, bad, good) = (p.clone(), &bad, &good);
            s.spawn(move || {
                for i in 0..50 {
                    let doc = if (i + t) % 2 == 0 { bad } else { good };
                    let v = p.evaluate(doc, BUDGET).expect("evaluates");
                    assert_eq!(v.len(), usize::from(doc == bad));
                }
            });
        }
    });
}

/// A rule that denies everything it judges, limited to `kinds` (a YAML list) when given.
fn deny_all(package: &str, id: &str, kinds: Option<&str>) -> String {
    let kinds = kinds.map_or_else(String::new, |k| format!("#   kinds: {k}\n"));
    format!(
        "# METADATA\n# title: Rule {id}\n# custom:\n#   id: {id}\n#   severity: low\n#   remediation: r\n{kinds}package eksguard.{package}\n\ndeny contains {{\"id\": \"{id}\", \"msg\": input.object.kind}} if true\n"
    )
}

#[test]
fn custom_kinds_limit_which_objects_a_package_judges() {
    let service_account =
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a"}});
    let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    let ids = |p: &Policies, object: &Value| -> Vec<&str> {
        let mut ids: Vec<&str> = p
            .evaluate(&input(object), BUDGET)
            .expect("evaluates")
            .iter()
            .map(|v| v.rule.id)
            .collect();
        ids.sort_unstable();
        ids
    };
    let p = load_ok(&[
        (
            "pods.rego",
            &deny_all("pods", "ACME201", Some("[Pod, Deployment]")),
        ),
        (
            "sa.rego",
            &deny_all("sa", "ACME202", Some("[ServiceAccount]")),
        ),
        ("all.rego", &deny_all("all", "ACME203", None)),
    ]);
    assert_eq!(ids(&p, &pod("nginx")), ["ACME201", "ACME203"]);
    assert_eq!(ids(&p, &service_account), ["ACME202", "ACME203"]);
    assert_eq!(ids(&p, &config_map), ["ACME203"]);
    assert_eq!(
        p.rules()
            .iter()
            .find(|r| r.id == "ACME202")
            .map(|r| r.docs.contains("only these kinds: ServiceAccount")),
        Some(true)
    );

    // Without the package that judges every kind, a ConfigMap is not evaluated at all.
    let p = load_ok(&[("pods.rego", &deny_all("pods", "ACME201", Some("[Pod]")))]);
    assert!(ids(&p, &config_map).is_empty());
    assert_eq!(ids(&p, &pod("nginx")), ["ACME201"]);

    // One rule of a package without kinds: the whole package judges every kind.
    let two = format!(
        "{}{}",
        deny_all("mixed", "ACME204", Some("[Pod]")),
        meta("ACME205")
    );
    let p = load_ok(&[("mixed.rego", &two)]);
    assert_eq!(ids(&p, &config_map), ["ACME204"]);

    // A scan skips objects of other kinds too.
    let p = load_ok(&[(
        "sa.rego",
        &deny_all("sa", "ACME202", Some("[ServiceAccount]")),
    )]);
    let inv = load_text(
        "k.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n",
        &LoadOptions::default(),
    );
    let (findings, errors) = p.scan(&inv, BUDGET);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].message, "ServiceAccount");
}

const MANIFESTS: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:latest
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  annotations:
    eksguard.io/ignore: ACME100
    eksguard.io/ignore-reason: pinned by digest in the next release
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: api:latest
";

#[test]
fn a_scan_reports_policy_findings_with_file_and_line() {
    // Policies see whole objects (the controller's replicas too) and the object's namespace.
    let policy = format!(
        "{}package eksguard.latest\n\ndeny contains {{\"id\": \"ACME100\", \"msg\": sprintf(\"%s in team %s (%d replicas)\", [c.image, input.namespace.metadata.labels.team, input.object.spec.replicas]), \"field\": sprintf(\"spec.template.spec.containers[%d].image\", [i])}} if {{\n  some i, c in input.object.spec.template.spec.containers\n  contains(c.image, \"latest\")\n}}\n",
        meta("ACME100")
    );
    let p = load_ok(&[("latest.rego", &policy)]);
    let inv = load_text("shop.yaml", MANIFESTS, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let (findings, errs) = p.scan(&inv, BUDGET);
    assert!(errs.is_empty(), "{errs:?}");
    let web = findings
        .iter()
        .find(|f| f.resource.name == "web")
        .expect("web finding");
    assert_eq!(web.rule_id, "ACME100");
    assert_eq!(web.domain, Domain::Policy);
    assert_eq!(web.message, "nginx:latest in team shop (1 replicas)");
    let loc = web.location.as_ref().expect("location");
    assert_eq!((&*loc.path, loc.start_line), ("shop.yaml", 20));
    assert_eq!(
        loc.field.as_deref(),
        Some("spec.template.spec.containers[0].image")
    );

    // Through the engine: the annotation that names the policy's id suppresses its finding,
    // once the configuration knows the policy's rules.
    let rules = p.rules().to_vec();
    let config = Config::empty().with_rules(&rules);
    let opts = Options {
        config: &config,
        today: None,
        baseline: None,
    };
    let report = engine::finish(
        &inv,
        &rules,
        outcomes(&rules, findings.clone()),
        "test",
        opts,
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].resource.name, "web");
    assert_eq!(report.suppressed.len(), 1);
    assert_eq!(report.suppressed[0].finding.resource.name, "api");
    // Without the policy's rules, the annotation names an unknown rule: an error.
    let bare = Config::empty();
    let report = engine::finish(
        &inv,
        &rules,
        outcomes(&rules, findings),
        "test",
        Options {
            config: &bare,
            ..opts
        },
    );
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("no rule matches `ACME100`")),
        "{:?}",
        report.errors
    );
    // eksguard.toml may name policy ids when the policies are loaded.
    let c = config::parse_with_rules(
        "eksguard.toml",
        "[severity]\nACME100 = \"critical\"\n",
        &rules,
    )
    .expect("valid");
    assert_eq!(c.extra_rules.len(), 1);
    assert!(config::parse("eksguard.toml", "[severity]\nACME100 = \"critical\"\n").is_err());
}

#[test]
fn a_selection_of_builtin_and_policy_rules_runs_each_where_it_belongs() {
    let policies = load_ok(&[("latest.rego", &latest_policy())]);
    let catalog = policies.catalog();
    assert_eq!(
        catalog.len(),
        eksguard_core::rules::RULES.len() + 1,
        "the built-in catalog, then the policy's rule"
    );
    let pick = |id: &str| *catalog.iter().find(|r| r.id == id).expect("rule");
    let mut inv = load_text(
        "pods.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers:\n    - {name: web, image: 'nginx:latest', securityContext: {privileged: true}}\n",
        &LoadOptions::default(),
    );
    // Policy rule first in the selection: outcomes still come built-in first, each with its rule.
    let (rules, outcomes) = policies.run(
        &mut inv,
        &[pick("ACME100"), pick("POD001")],
        Duration::from_secs(2),
    );
    let ids: Vec<&str> = rules.iter().map(|r| r.id).collect();
    assert_eq!(ids, ["POD001", "ACME100"]);
    for (rule, outcome) in rules.iter().zip(&outcomes) {
        let findings = outcome.as_ref().expect("evaluated");
        assert_eq!(findings.len(), 1, "{}", rule.id);
        assert_eq!(findings[0].rule_id, rule.id);
    }
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
}
