//! eksguard-policy: the user's own Rego policies, through regorus.
//!
//! A policy is a Rego module in `package eksguard.<name>` with a `deny` set rule; each result
//! is `{"id", "msg", "severity"?, "field"?, "remediation"?}` and each id is declared by an OPA
//! METADATA block (title, `custom.id`, `custom.severity`, `custom.remediation`). Modules in
//! other packages are libraries the policies may import. `docs/policies.md` is the user's guide.
//!
//! [`Policies::load`] parses every `.rego` file once, checks the METADATA and prepares one
//! engine; [`Policies::evaluate`] clones that prepared engine (a few reference counts) and runs
//! every policy on one input document under a time budget, so it may be called from many
//! threads at once. Every policy rule becomes a `&'static Rule` of [`Domain::Policy`]: rules
//! are leaked once when policies are loaded, which a process does once (loading again leaks
//! again; a hot reload that happens rarely may accept that).

#![forbid(unsafe_code)]

mod error;
mod input;
mod metadata;
mod run;

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eksguard_core::engine::Outcome;
use eksguard_core::inventory::Inventory;
use eksguard_core::rule::{Context, Domain, Finding, References, Rule, Scope, Severity};
use regorus::utils::limits::ExecutionTimerConfig;
use serde_json::Value;

pub use error::{EvalError, EvalErrorKind, LoadError, LoadErrors};
pub use input::{INPUT_KIND, INPUT_VERSION, InputContext, Source, object_input};

/// Work units (loop iterations, rule and expression evaluations) between two clock reads of
/// regorus' execution timer: a clock read costs ~25 ns, so checking this often costs nothing
/// measurable and stops a runaway policy within microseconds of its budget.
const CHECK_INTERVAL: u32 = 32;

/// Deepest folder nesting followed under a policy folder (symbolic links may loop).
const MAX_DEPTH: usize = 32;

/// One violation of a policy by an input.
#[derive(Debug, Clone)]
pub struct Violation {
    pub rule: &'static Rule,
    pub message: String,
    /// The field of the object at fault, as eksguard writes field paths:
    /// `spec.containers[0].image`, `metadata.annotations["eks.amazonaws.com/role-arn"]`.
    pub field: Option<String>,
    /// The result's `severity`, else the rule's.
    pub severity: Severity,
    /// The result's own `remediation`, when it gives one (else the rule's applies).
    pub remediation: Option<String>,
}

impl Violation {
    /// The remediation of this violation: its own, else its rule's.
    pub fn fix(&self) -> &str {
        self.remediation.as_deref().unwrap_or(self.rule.remediation)
    }
}

/// A policy package: the `deny` rule of one `package eksguard.<name>` (possibly spread over
/// several files) and the rules its METADATA declares.
#[derive(Debug)]
struct Package {
    /// `eksguard.registries`.
    name: String,
    /// `data.eksguard.registries.deny`.
    query: String,
    files: Vec<String>,
    rules: Vec<&'static Rule>,
    /// The kinds its rules judge (`custom.kinds`), when every rule of the package names them:
    /// on other objects the package is not evaluated at all.
    kinds: Option<BTreeSet<String>>,
}

impl Package {
    /// Whether the package judges an object of `kind` (an input without a kind is judged by
    /// every package).
    fn judges(&self, kind: Option<&str>) -> bool {
        match (&self.kinds, kind) {
            (Some(kinds), Some(kind)) => kinds.contains(kind),
            _ => true,
        }
    }
}

/// The kind of the object of a policy input document.
fn object_kind(input: &Value) -> Option<&str> {
    input.get("object")?.get("kind")?.as_str()
}

#[derive(Debug)]
struct Inner {
    /// Prepared (parsed, analysed): evaluation clones it.
    engine: regorus::Engine,
    packages: Vec<Package>,
    rules: Vec<&'static Rule>,
}

/// Loaded policies, shared cheaply (`Clone` copies an `Arc`) across threads.
#[derive(Debug, Clone)]
pub struct Policies {
    inner: Option<Arc<Inner>>,
}

impl Default for Policies {
    fn default() -> Self {
        Self::empty()
    }
}

const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Policies>();
};

/// A policy file read from disk, or given by the caller.
struct File {
    path: String,
    text: String,
}

impl Policies {
    /// No policies: evaluation finds nothing.
    pub fn empty() -> Self {
        Self { inner: None }
    }

    pub fn is_empty(&self) -> bool {
        self.inner.is_none()
    }

    /// Load every `.rego` file under `dirs` (recursively; a `.rego` file may be given itself),
    /// except OPA test files (`*_test.rego`), and the `data.json`, `data.yaml` or `data.yml`
    /// files there, merged into `data`. Every problem is reported, each naming its file, line
    /// and column.
    pub fn load(dirs: &[PathBuf]) -> Result<Policies, LoadErrors> {
        let mut errors = Vec::new();
        let mut paths = Vec::new();
        for dir in dirs {
            let before = paths.len();
            if dir.is_file() {
                paths.push(dir.clone());
            } else if dir.is_dir() {
                collect(dir, 0, &mut paths, &mut errors);
                let found_rego = paths[before..].iter().any(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(is_policy_file)
                });
                if !found_rego {
                    errors.push(LoadError::new(
                        dir.display().to_string(),
                        "no .rego file in this folder",
                    ));
                }
            } else {
                errors.push(LoadError::new(
                    dir.display().to_string(),
                    "no such file or folder",
                ));
            }
        }
        // The same file reached twice (`--policy p --policy p/sub`) is loaded once.
        let mut seen = BTreeSet::new();
        let mut files = Vec::new();
        for p in paths {
            let key = p.canonicalize().unwrap_or_else(|_| p.clone());
            if !seen.insert(key) {
                continue;
            }
            let path = p.display().to_string();
            match std::fs::read_to_string(&p) {
                Ok(text) => files.push((path, text)),
                Err(e) => errors.push(LoadError::new(path, format!("cannot read: {e}"))),
            }
        }
        match Self::from_sources(&files) {
            Ok(p) if errors.is_empty() => Ok(p),
            Ok(_) => Err(LoadErrors(errors)),
            Err(LoadErrors(more)) => {
                errors.extend(more);
                Err(LoadErrors(errors))
            }
        }
    }

    /// Load policies from `(path, text)` pairs: `.rego` modules, and `data.json` / `data.yaml`
    /// documents merged into `data`. `path` names the file in errors and findings.
    pub fn from_sources(files: &[(String, String)]) -> Result<Policies, LoadErrors> {
        let files: Vec<File> = files
            .iter()
            .map(|(path, text)| File {
                path: path.clone(),
                text: text.clone(),
            })
            .collect();
        build(&files)
    }

    /// One rule per policy rule id, sorted by id.
    pub fn rules(&self) -> &[&'static Rule] {
        self.inner.as_ref().map_or(&[], |i| &i.rules)
    }

    /// Whether some policy judges objects of `kind` (see `custom.kinds`): when none does,
    /// [`Policies::evaluate`] finds nothing and the caller may skip building the input.
    pub fn judges(&self, kind: Option<&str>) -> bool {
        self.inner
            .as_ref()
            .is_some_and(|i| i.packages.iter().any(|p| p.judges(kind)))
    }

    /// Evaluate every policy on `input` (an [`object_input`] document). `budget` bounds the
    /// whole call: a policy still running when it is spent is stopped, and the error says so.
    /// The first policy that fails ends the evaluation.
    pub fn evaluate(&self, input: &Value, budget: Duration) -> Result<Vec<Violation>, EvalError> {
        let Some(inner) = &self.inner else {
            return Ok(Vec::new());
        };
        let start = Instant::now();
        let kind = object_kind(input);
        if !self.judges(kind) {
            return Ok(Vec::new());
        }
        let mut engine = inner.engine.clone();
        engine.set_input(regorus::Value::from(input.clone()));
        let mut out = Vec::new();
        for pkg in inner.packages.iter().filter(|p| p.judges(kind)) {
            let remaining = budget.saturating_sub(start.elapsed());
            out.extend(eval_package(&mut engine, pkg, remaining, budget)?);
        }
        Ok(out)
    }

    /// Evaluate every policy on every Kubernetes object of `inv`, on all cores. Each policy
    /// package gets `budget` for each object. Findings carry the object's file and line, and
    /// the line of the violation's field.
    pub fn scan(&self, inv: &Inventory, budget: Duration) -> (Vec<Finding>, Vec<EvalError>) {
        let Some(inner) = &self.inner else {
            return (Vec::new(), Vec::new());
        };
        let objects = input::objects(inv);
        let namespaces = input::namespaces(inv);
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .clamp(1, 16)
            .min(objects.len().max(1));
        let chunk = objects.len().div_ceil(threads).max(1);
        let results: Vec<(Vec<Finding>, Vec<EvalError>)> = std::thread::scope(|s| {
            let handles: Vec<_> = objects
                .chunks(chunk)
                .map(|part| {
                    let namespaces = &namespaces;
                    s.spawn(move || scan_objects(inner, inv, part, namespaces, budget))
                })
                .collect();
            handles
                .into_iter()
                // A panic in a worker is not swallowed (its findings would silently be lost).
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let mut findings = Vec::new();
        let mut errors = Vec::new();
        for (f, e) in results {
            findings.extend(f);
            errors.extend(e);
        }
        errors.sort_by(|a, b| {
            (&a.package, &a.object, a.to_string()).cmp(&(&b.package, &b.object, b.to_string()))
        });
        (findings, errors)
    }
}

/// Group `findings` (of [`Policies::scan`]) into one outcome per rule of `selected`, in that
/// order, for `eksguard_core::engine::finish`. Findings of rules not selected are dropped.
pub fn outcomes(selected: &[&'static Rule], findings: Vec<Finding>) -> Vec<Outcome> {
    let mut by_rule: BTreeMap<&str, Vec<Finding>> = BTreeMap::new();
    for f in findings {
        by_rule.entry(f.rule_id).or_default().push(f);
    }
    selected
        .iter()
        .map(|r| Ok(by_rule.remove(r.id).unwrap_or_default()))
        .collect()
}

fn scan_objects(
    inner: &Inner,
    inv: &Inventory,
    objects: &[input::Object<'_>],
    namespaces: &std::collections::HashMap<&str, Value>,
    budget: Duration,
) -> (Vec<Finding>, Vec<EvalError>) {
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    let mut engine = inner.engine.clone();
    for o in objects {
        let kind = o.json.get("kind").and_then(Value::as_str);
        if !inner.packages.iter().any(|p| p.judges(kind)) {
            continue;
        }
        let cx = InputContext {
            namespace: o.namespace.and_then(|n| namespaces.get(n)),
            ..InputContext::scan()
        };
        engine.set_input(regorus::Value::from(object_input(&o.json, &cx)));
        for pkg in inner.packages.iter().filter(|p| p.judges(kind)) {
            match eval_package(&mut engine, pkg, budget, budget) {
                Ok(violations) => {
                    for v in violations {
                        let mut cx = Context::new(inv, v.rule);
                        let mut f = cx.report(o.target, v.message);
                        if let Some(field) = v.field {
                            f = f.at(field);
                        }
                        if let Some(fix) = v.remediation {
                            f.fix(fix);
                        }
                        for mut finding in cx.into_findings() {
                            finding.severity = v.severity;
                            findings.push(finding);
                        }
                    }
                }
                Err(mut e) => {
                    e.object = Some(o.target.res().to_string());
                    errors.push(e);
                }
            }
        }
    }
    (findings, errors)
}

/// Evaluate one package's `deny` with `remaining` time (`budget` is what the caller granted,
/// for the message).
fn eval_package(
    engine: &mut regorus::Engine,
    pkg: &Package,
    remaining: Duration,
    budget: Duration,
) -> Result<Vec<Violation>, EvalError> {
    let error = |kind| EvalError {
        package: pkg.name.clone(),
        files: pkg.files.clone(),
        object: None,
        kind,
    };
    if remaining.is_zero() {
        return Err(error(EvalErrorKind::Timeout { budget }));
    }
    engine.set_execution_timer_config(ExecutionTimerConfig {
        limit: remaining,
        check_interval: NonZeroU32::new(CHECK_INTERVAL).unwrap_or(NonZeroU32::MIN),
    });
    let value = engine.eval_rule(pkg.query.clone()).map_err(|e| {
        if e.downcast_ref::<regorus::LimitError>()
            .is_some_and(|l| matches!(l, regorus::LimitError::TimeLimitExceeded { .. }))
        {
            error(EvalErrorKind::Timeout { budget })
        } else {
            error(EvalErrorKind::Runtime {
                message: e.to_string(),
            })
        }
    })?;
    let results: Vec<regorus::Value> = match value {
        regorus::Value::Undefined => return Ok(Vec::new()),
        regorus::Value::Set(s) => s.iter().cloned().collect(),
        regorus::Value::Array(a) => a.iter().cloned().collect(),
        other => {
            return Err(error(EvalErrorKind::BadResult {
                message: format!(
                    "`deny` must be a set (`deny contains result if {{ ... }}`), not {}",
                    describe(&other)
                ),
            }));
        }
    };
    results
        .iter()
        .map(|r| violation(pkg, r).map_err(|message| error(EvalErrorKind::BadResult { message })))
        .collect()
}

fn describe(v: &regorus::Value) -> &'static str {
    match v {
        regorus::Value::Null => "null",
        regorus::Value::Bool(_) => "a boolean",
        regorus::Value::Number(_) => "a number",
        regorus::Value::String(_) => "a string",
        regorus::Value::Array(_) => "an array",
        regorus::Value::Set(_) => "a set",
        regorus::Value::Object(_) => "an object",
        regorus::Value::Undefined => "undefined",
    }
}

/// One `deny` result: `{"id", "msg", "severity"?, "field"?, "remediation"?}`, or a plain
/// message string when the package declares a single rule.
fn violation(pkg: &Package, result: &regorus::Value) -> Result<Violation, String> {
    let json =
        serde_json::to_value(result).map_err(|e| format!("a `deny` result is not JSON: {e}"))?;
    let sole = || match pkg.rules.as_slice() {
        [r] => Ok(*r),
        rules => Err(format!(
            "a `deny` result has no `id`, and the package declares {} rules ({}): say which",
            rules.len(),
            rules.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
        )),
    };
    let (rule, message, obj) = match &json {
        Value::String(s) => (sole()?, s.clone(), None),
        Value::Object(o) => {
            let rule = match o.get("id") {
                None => sole()?,
                Some(Value::String(id)) => pkg
                    .rules
                    .iter()
                    .copied()
                    .find(|r| r.id == id)
                    .ok_or_else(|| {
                        format!(
                            "a `deny` result has id `{id}`, which no METADATA block of package {} declares",
                            pkg.name
                        )
                    })?,
                Some(other) => return Err(format!("`id` must be a string, not {other}")),
            };
            let message = match o.get("msg") {
                Some(Value::String(m)) => m.clone(),
                Some(other) => return Err(format!("`msg` must be a string, not {other}")),
                None => return Err(format!("a `deny` result of rule {} has no `msg`", rule.id)),
            };
            (rule, message, Some(o))
        }
        other => {
            return Err(format!(
                "a `deny` result must be an object {{\"id\", \"msg\", ...}} or a string, not {other}"
            ));
        }
    };
    let text = |key: &str| -> Result<Option<String>, String> {
        match obj.and_then(|o| o.get(key)) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("`{key}` must be a string, not {other}")),
        }
    };
    let severity = match text("severity")? {
        Some(s) => s.parse().map_err(|e| format!("rule {}: {e}", rule.id))?,
        None => rule.severity,
    };
    Ok(Violation {
        rule,
        message,
        field: text("field")?.filter(|f| !f.is_empty()),
        severity,
        remediation: text("remediation")?.filter(|r| !r.is_empty()),
    })
}

/// The policy and data files under `dir`, sorted.
fn collect(dir: &Path, depth: usize, out: &mut Vec<PathBuf>, errors: &mut Vec<LoadError>) {
    if depth > MAX_DEPTH {
        errors.push(LoadError::new(
            dir.display().to_string(),
            format!("folders nest deeper than {MAX_DEPTH} levels (a symbolic link loop?)"),
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            errors.push(LoadError::new(
                dir.display().to_string(),
                format!("cannot read the folder: {e}"),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            collect(&p, depth + 1, out, errors);
        } else if is_policy_file(name) || is_data_file(name) {
            out.push(p);
        }
    }
}

fn is_policy_file(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("rego"))
        && !name.to_ascii_lowercase().ends_with("_test.rego")
}

fn is_data_file(name: &str) -> bool {
    matches!(name, "data.json" | "data.yaml" | "data.yml")
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A regorus error as a load error of `path`, with the line and column it names.
fn regorus_error(path: &str, e: &anyhow::Error) -> LoadError {
    let text = e.to_string();
    match error::split_location(&text) {
        Some((file, line, col, message)) => LoadError::new(file, message).at(line, col),
        None => LoadError::new(path, text.trim().to_string()),
    }
}

/// One loaded module.
struct Module {
    path: String,
    package: Vec<String>,
    has_deny: bool,
    rules: Vec<metadata::RuleMeta>,
    /// A METADATA block of the file is invalid (and reported): its rule is missing here.
    bad_metadata: bool,
}

fn build(files: &[File]) -> Result<Policies, LoadErrors> {
    let mut errors = Vec::new();
    let mut engine = regorus::Engine::new();
    // `print` output is gathered (and dropped) rather than written to standard error.
    engine.set_gather_prints(true);
    let mut modules = Vec::new();
    let mut labels = BTreeSet::new();
    for f in files {
        if !labels.insert(f.path.as_str()) {
            errors.push(LoadError::new(&f.path, "given twice"));
            continue;
        }
        if is_data_file(file_name(&f.path)) {
            let (docs, errs) = eksguard_core::inventory::text::parse(
                &f.text,
                &eksguard_core::inventory::text::Limits::default(),
            );
            for e in errs {
                let mut le = LoadError::new(&f.path, e.message);
                if let Some(l) = e.line {
                    le = le.at(l, 1);
                }
                errors.push(le);
            }
            for d in docs {
                if !d.value.is_object() {
                    errors.push(
                        LoadError::new(
                            &f.path,
                            "data must be a mapping (it is merged into `data`)",
                        )
                        .at(d.start_line, 1),
                    );
                } else if let Err(e) = engine.add_data(regorus::Value::from(d.value)) {
                    errors.push(LoadError::new(
                        &f.path,
                        format!("cannot merge into `data`: {e}"),
                    ));
                }
            }
            continue;
        }
        let (rules, meta_errors) = metadata::rules(&f.path, &f.text);
        let bad_metadata = !meta_errors.is_empty();
        errors.extend(meta_errors);
        if let Err(e) = engine.add_policy(f.path.clone(), f.text.clone()) {
            errors.push(regorus_error(&f.path, &e));
            continue;
        }
        let package = engine
            .get_policy_package_components()
            .ok()
            .and_then(|all| all.into_iter().rev().find(|c| c.source_file == f.path))
            .map(|c| c.components)
            .unwrap_or_default();
        let has_deny = engine
            .has_declared_rule_rooted_at(&f.path, "deny")
            .unwrap_or(false);
        modules.push(Module {
            path: f.path.clone(),
            package,
            has_deny,
            rules,
            bad_metadata,
        });
    }

    // Group modules into packages and check the convention.
    let mut packages: BTreeMap<Vec<String>, Vec<&Module>> = BTreeMap::new();
    for m in &modules {
        let policy = m.package.first().is_some_and(|p| p == "eksguard");
        if policy && m.package.len() == 1 && (m.has_deny || !m.rules.is_empty()) {
            errors.push(
                LoadError::new(
                    &m.path,
                    "a policy's package is `eksguard.<name>`, not `eksguard`",
                )
                .at(1, 1),
            );
            continue;
        }
        if !policy {
            for r in &m.rules {
                errors.push(
                    LoadError::new(
                        &m.path,
                        format!(
                            "METADATA declares rule {} in package `{}`: policies live in `package eksguard.<name>` (other packages are libraries)",
                            r.id,
                            m.package.join(".")
                        ),
                    )
                    .at(r.id_line, 1),
                );
            }
            continue;
        }
        packages.entry(m.package.clone()).or_default().push(m);
    }

    let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut seen_names: BTreeMap<String, String> = BTreeMap::new();
    let mut built = Vec::new();
    for (components, mods) in &packages {
        let name = components.join(".");
        let has_deny = mods.iter().any(|m| m.has_deny);
        let metas: Vec<(&Module, &metadata::RuleMeta)> = mods
            .iter()
            .flat_map(|m| m.rules.iter().map(move |r| (*m, r)))
            .collect();
        if has_deny && metas.is_empty() && !mods.iter().any(|m| m.bad_metadata) {
            let m = mods.iter().find(|m| m.has_deny).unwrap_or(&mods[0]);
            errors.push(
                LoadError::new(
                    &m.path,
                    format!(
                        "package {name} has a `deny` rule but no METADATA block declares its rule (`# METADATA` with title and custom.id, severity, remediation)"
                    ),
                )
                .at(1, 1),
            );
            continue;
        }
        if !has_deny {
            for (m, r) in &metas {
                errors.push(
                    LoadError::new(
                        &m.path,
                        format!(
                            "rule {} is declared, but package {name} has no `deny` rule",
                            r.id
                        ),
                    )
                    .at(r.id_line, 1),
                );
            }
            continue;
        }
        let mut rules = Vec::new();
        for (m, r) in metas {
            let at = |msg: String| LoadError::new(&m.path, msg).at(r.id_line, 1);
            if let Some(b) = eksguard_core::rules::RULES
                .iter()
                .find(|b| b.id.eq_ignore_ascii_case(&r.id))
            {
                errors.push(at(format!(
                    "rule id {} collides with eksguard's built-in rule {} ({}): choose another id",
                    r.id, b.id, b.name
                )));
                continue;
            }
            if let Some(problem) = id_problem(&r.id) {
                errors.push(at(problem));
                continue;
            }
            let rule_name = r.name.clone().unwrap_or_else(|| kebab(&r.title));
            let origin = format!("{}:{}", m.path, r.id_line);
            if let Some(b) = eksguard_core::rules::RULES
                .iter()
                .find(|b| b.name.eq_ignore_ascii_case(&rule_name))
            {
                errors.push(at(format!(
                    "rule {} is named `{rule_name}`, the name of eksguard's built-in rule {}: set `custom.name`",
                    r.id, b.id
                )));
                continue;
            }
            if let Some(first) = seen_ids.get(&r.id.to_ascii_uppercase()) {
                errors.push(at(format!("rule id {} is also declared at {first}", r.id)));
                continue;
            }
            if let Some(first) = seen_names.get(&rule_name) {
                errors.push(at(format!(
                    "rule {} is named `{rule_name}`, like the rule declared at {first}: set `custom.name`",
                    r.id
                )));
                continue;
            }
            seen_ids.insert(r.id.to_ascii_uppercase(), origin.clone());
            seen_names.insert(rule_name.clone(), origin);
            rules.push((r, rule_name, m.path.clone()));
        }
        built.push((name, components.clone(), mods, rules));
    }

    if errors.is_empty() {
        // Analyse every module now (scheduling, imports, rule conflicts), not on the first
        // request.
        if let Err(e) = engine.eval_bool_query("true".into(), false) {
            errors.push(regorus_error("(policies)", &e));
        }
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(LoadErrors(errors));
    }
    if built.is_empty() {
        return Ok(Policies::empty());
    }

    let mut all_rules = Vec::new();
    let mut packages = Vec::new();
    for (name, components, mods, rules) in built {
        // A rule without `custom.kinds` judges every kind, and so does its package.
        let kinds = rules
            .iter()
            .map(|(r, _, _)| r.kinds.as_ref())
            .collect::<Option<Vec<_>>>()
            .map(|lists| {
                lists
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect::<BTreeSet<_>>()
            });
        let leaked: Vec<&'static Rule> = rules
            .into_iter()
            .map(|(r, rule_name, path)| leak_rule(r, rule_name, &name, &path))
            .collect();
        all_rules.extend(leaked.iter().copied());
        packages.push(Package {
            query: format!("{}.deny", rule_path(&components)),
            name,
            files: mods.iter().map(|m| m.path.clone()).collect(),
            rules: leaked,
            kinds,
        });
    }
    all_rules.sort_by_key(|r| r.id);
    Ok(Policies {
        inner: Some(Arc::new(Inner {
            engine,
            packages,
            rules: all_rules,
        })),
    })
}

/// What is wrong with a policy rule id, if anything.
fn id_problem(id: &str) -> Option<String> {
    let well_formed = (2..=64).contains(&id.len())
        && id.as_bytes()[0].is_ascii_alphabetic()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Some(format!(
            "rule id `{id}` must be 2 to 64 letters, digits, `-` or `_`, starting with a letter (`ACME001`)"
        ));
    }
    let letters: String = id.chars().take_while(char::is_ascii_alphabetic).collect();
    match Domain::from_prefix(&letters) {
        Some(d) if d != Domain::Policy => Some(format!(
            "rule id {id} uses the prefix {} of eksguard's built-in rules ({}): give your policies a prefix of your own (`ACME001`)",
            d.prefix(),
            d.title()
        )),
        _ => None,
    }
}

/// `Images come from allowed registries` -> `images-come-from-allowed-registries`.
fn kebab(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("policy");
    }
    out
}

/// `data.eksguard.registries` (bracketed where a component is not an identifier).
fn rule_path(components: &[String]) -> String {
    let mut s = String::from("data");
    for c in components {
        let ident = c
            .chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_')
            && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
        if ident {
            s.push('.');
            s.push_str(c);
        } else {
            s.push_str("[\"");
            s.push_str(&c.replace('\\', "\\\\").replace('"', "\\\""));
            s.push_str("\"]");
        }
    }
    s
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The rule record of a policy rule, leaked: it lives as long as the process.
fn leak_rule(r: &metadata::RuleMeta, name: String, package: &str, path: &str) -> &'static Rule {
    let what = r
        .description
        .clone()
        .unwrap_or_else(|| format!("{}.", r.title));
    let judges = r.kinds.as_ref().map_or_else(
        || " It judges objects of every kind.".to_string(),
        |k| format!(" It judges only these kinds: {}.", k.join(", ")),
    );
    let docs = format!(
        " ## What it does\n\n {}\n\n ## Where it is defined\n\n Rego policy `{package}`, declared at `{path}:{}`.{judges}\n",
        what.lines().collect::<Vec<_>>().join("\n "),
        r.line
    );
    let urls: Vec<&'static str> = r.urls.iter().cloned().map(leak).collect();
    Box::leak(Box::new(Rule {
        id: leak(r.id.clone()),
        name: leak(name),
        domain: Domain::Policy,
        severity: r.severity,
        scope: Scope::Object,
        summary: leak(r.title.clone()),
        docs: leak(docs),
        remediation: leak(r.remediation.clone()),
        references: References {
            urls: Box::leak(urls.into_boxed_slice()),
            ..References::NONE
        },
        needs: &[],
        check: eksguard_core::rule::evaluated_by_policy_engine,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_need_a_prefix_of_their_own() {
        assert_eq!(id_problem("ACME001"), None);
        assert_eq!(id_problem("POLICY1"), None);
        assert_eq!(id_problem("NETWORK-7"), None);
        assert!(id_problem("POD900").is_some_and(|m| m.contains("prefix POD")));
        assert!(id_problem("rbac1").is_some());
        assert!(id_problem("A,B").is_some());
        assert!(id_problem("1ABC").is_some());
    }

    #[test]
    fn names_and_paths() {
        assert_eq!(
            kebab("Images come from allowed registries!"),
            "images-come-from-allowed-registries"
        );
        assert_eq!(kebab("--"), "policy");
        assert_eq!(
            rule_path(&["eksguard".into(), "my-team".into()]),
            "data.eksguard[\"my-team\"]"
        );
    }
}
