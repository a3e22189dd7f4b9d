//! Suppressions that can be trusted: an annotation on the object (`eksguard.io/ignore: "ID,ID"`
//! with a required `eksguard.io/ignore-reason`) or an exception in `eksguard.toml`. Every
//! suppressed finding is kept, with who suppressed it and why; a suppression that names an
//! unknown rule or gives no reason is an error, never a silent no-op.

use std::collections::HashMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde_json::Value;

use crate::config::{Config, Date, Exception};
use crate::inventory::{Inventory, LoadError, ResourceRef, Source};
use crate::rule::Finding;
use crate::rules::util::annotation_path;

/// The annotation listing the rules to ignore on an object (ids, names or peer ids).
const IGNORE: &str = "eksguard.io/ignore";
/// The annotation that must say why.
const IGNORE_REASON: &str = "eksguard.io/ignore-reason";

/// Who hid a finding.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SuppressedBy {
    /// The object's own `eksguard.io/ignore` annotation (or its namespace's).
    Annotation {
        object: String,
        path: String,
        line: u32,
    },
    /// An exception of `eksguard.toml`.
    Exception { path: String, line: u32 },
}

/// An `eksguard.toml` exception that has expired: it no longer hides anything.
#[derive(Debug, Clone, Serialize)]
pub struct ExpiredException {
    pub rules: Vec<&'static str>,
    pub reason: String,
    pub expires: Date,
    pub path: String,
    pub line: u32,
}

/// A validated `eksguard.io/ignore` annotation.
struct Annotated {
    rules: Vec<&'static str>,
    reason: String,
    object: String,
    path: String,
    line: u32,
}

fn meta_annotations(meta: &ObjectMeta) -> Option<(Option<&str>, Option<&str>)> {
    let a = meta.annotations.as_ref()?;
    let ignore = a.get(IGNORE).map(String::as_str);
    ignore
        .is_some()
        .then(|| (ignore, a.get(IGNORE_REASON).map(String::as_str)))
}

fn json_annotations(v: &Value) -> Option<(Option<&str>, Option<&str>)> {
    let a = v.get("metadata")?.get("annotations")?;
    let ignore = a.get(IGNORE).and_then(Value::as_str);
    ignore
        .is_some()
        .then(|| (ignore, a.get(IGNORE_REASON).and_then(Value::as_str)))
}

/// Every object that carries `eksguard.io/ignore`, with its raw annotation values.
fn annotated_objects(inv: &Inventory) -> Vec<(&ResourceRef, &Source, &str, Option<&str>)> {
    let mut out = Vec::new();
    for w in &inv.workloads {
        if let Some((Some(i), r)) = meta_annotations(&w.meta) {
            out.push((&w.res, &w.src, i, r));
        }
    }
    macro_rules! typed {
        ($($list:ident),*) => {$(
            for o in &inv.$list {
                if let Some((Some(i), r)) = meta_annotations(&o.metadata) {
                    out.push((&o.res, &o.src, i, r));
                }
            }
        )*};
    }
    crate::kube_object_lists!(typed);
    for o in &inv.other {
        if let Some((Some(i), r)) = json_annotations(&o.value) {
            out.push((&o.res, &o.src, i, r));
        }
    }
    out
}

/// The suppressions of one scan, validated.
pub struct Suppressions<'c> {
    /// Annotation suppressions by the object that carries them.
    by_object: HashMap<ResourceRef, Annotated>,
    /// Annotation suppressions of Namespaces, by namespace name: they cover every object in it.
    by_namespace: HashMap<String, Annotated>,
    exceptions: Vec<&'c Exception>,
    pub expired: Vec<ExpiredException>,
    /// Invalid annotations: unknown rules, missing reasons.
    pub errors: Vec<LoadError>,
}

impl<'c> Suppressions<'c> {
    /// Collect the suppressions of `inv` (annotations, unless `config` turns them off) and of
    /// `config`, as of `today`.
    pub fn new(inv: &Inventory, config: &'c Config, today: Option<Date>) -> Self {
        let mut s = Self {
            by_object: HashMap::new(),
            by_namespace: HashMap::new(),
            exceptions: Vec::new(),
            expired: Vec::new(),
            errors: Vec::new(),
        };
        for e in &config.exceptions {
            match e.expires {
                Some(expires) if e.expired(today) => s.expired.push(ExpiredException {
                    rules: e.rules.clone(),
                    reason: e.reason.clone(),
                    expires,
                    path: e.path.clone(),
                    line: e.line,
                }),
                _ => s.exceptions.push(e),
            }
        }
        if !config.annotations {
            return s;
        }
        for (res, src, ignore, reason) in annotated_objects(inv) {
            let (line, _) = src.lines_of(&annotation_path(IGNORE));
            let error = |message: String| LoadError {
                path: src.path.to_string(),
                line: Some(line),
                message: format!("{res}: {message}"),
            };
            let mut rules = Vec::new();
            let mut ok = true;
            for token in ignore.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let found = crate::rules::resolve_with(token, &config.extra_rules);
                if found.is_empty() {
                    s.errors.push(error(format!(
                        "annotation {IGNORE}: no rule matches `{token}` (see `eksguard rules`)"
                    )));
                    ok = false;
                }
                rules.extend(found.iter().map(|r| r.id));
            }
            if rules.is_empty() && ok {
                s.errors.push(error(format!(
                    "annotation {IGNORE} is empty: list the rule ids to ignore"
                )));
                ok = false;
            }
            let reason = reason.map(str::trim).unwrap_or_default();
            if reason.is_empty() {
                s.errors.push(error(format!(
                    "annotation {IGNORE} needs {IGNORE_REASON} saying why; the findings stay reported"
                )));
                ok = false;
            }
            if !ok {
                continue;
            }
            let a = Annotated {
                rules,
                reason: reason.to_string(),
                object: res.to_string(),
                path: src.path.to_string(),
                line,
            };
            if res.kind == "Namespace" && res.api_version.as_deref() == Some("v1") {
                s.by_namespace.insert(res.name.clone(), a);
            } else {
                s.by_object.insert(res.clone(), a);
            }
        }
        s
    }

    /// Why `f` is suppressed, if it is.
    pub fn find(&self, f: &Finding) -> Option<(SuppressedBy, String)> {
        let ns_ann = match (&f.resource.namespace, f.resource.kind.as_str()) {
            (Some(ns), _) => self.by_namespace.get(ns),
            (None, "Namespace") => self.by_namespace.get(&f.resource.name),
            _ => None,
        };
        if let Some(a) = self
            .by_object
            .get(&f.resource)
            .into_iter()
            .chain(ns_ann)
            .find(|a| a.rules.contains(&f.rule_id))
        {
            return Some((
                SuppressedBy::Annotation {
                    object: a.object.clone(),
                    path: a.path.clone(),
                    line: a.line,
                },
                a.reason.clone(),
            ));
        }
        self.exceptions
            .iter()
            .find(|e| e.covers(f.rule_id, &f.resource))
            .map(|e| {
                (
                    SuppressedBy::Exception {
                        path: e.path.clone(),
                        line: e.line,
                    },
                    e.reason.clone(),
                )
            })
    }
}
