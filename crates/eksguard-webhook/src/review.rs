//! The admission review itself, free of I/O: an `AdmissionReview` (admission.k8s.io/v1) request
//! in, the `AdmissionReview` response out, plus what happened (for metrics and logs).
//!
//! The object is loaded by the same loader `scan` uses and judged by the object-scope rules of
//! the catalog, by POD014 (the Pod Security level its namespace enforces, exactly as Pod Security
//! Admission evaluates it) and by the user's Rego policies. What is done with the findings
//! depends on the namespace's mode, set like Pod Security Admission's:
//!
//! | label | effect |
//! |---|---|
//! | `eksguard.io/enforce: <severity>` | deny when a finding reaches the severity |
//! | `eksguard.io/audit: <severity>` | allow; findings from the severity up become audit annotations |
//! | `eksguard.io/warn: <severity>` | allow; findings from the severity up become warnings kubectl prints |
//!
//! A namespace with none of these labels gets the server's default mode and threshold
//! (`--default-mode`, `--fail-on`, or `[serve]` in eksguard.toml).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;

use eksguard_core::config::{AdmissionMode, Config, Date, glob_match};
use eksguard_core::engine::{self, Options, Selection};
use eksguard_core::inventory::value::load_values;
use eksguard_core::rule::{Finding, Rule, Scope, Severity};
use eksguard_core::rules::RULES;
use eksguard_core::suppress::Suppressions;
use serde_json::value::RawValue;
use serde_json::{Value, json};

/// The label prefix of the namespace modes.
pub const LABEL_PREFIX: &str = "eksguard.io/";
/// Warnings returned to kubectl, at most (the rest are counted in the last one).
pub const MAX_WARNINGS: usize = 12;
/// Findings recorded in the audit annotation, at most.
pub const MAX_AUDITED: usize = 20;
/// Findings listed in a denial, at most (the rest are counted).
pub const MAX_DENIED_LISTED: usize = 20;
/// Bytes of one finding's message in an answer, at most (a message may list every volume of
/// a pod): the answer stays small whatever the object.
pub const MAX_MESSAGE_BYTES: usize = 2048;
/// An object may cost this many times the request body in memory (as a JSON value and as the
/// loader's typed objects, estimated from its text: [`crate::cost`])...
pub const REVIEW_COST_PER_BODY_BYTE: usize = 32;
/// ...plus this (a Pod with a thousand volumes in a small body is still reviewed). An object
/// over it cannot be evaluated.
pub const REVIEW_COST_FLOOR: usize = 4 * 1024 * 1024;
/// Rules about resource limits a namespace's LimitRange may default.
const LIMIT_RANGE_RULES: [&str; 3] = ["TEN003", "TEN004", "TEN008"];

/// The server-wide settings of the review.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The mode of namespaces without `eksguard.io/<mode>` labels (and of cluster-scoped
    /// objects).
    pub default_mode: AdmissionMode,
    /// The threshold of the default mode.
    pub fail_on: Severity,
    /// Namespace name patterns whose requests are allowed without review.
    pub exempt_namespaces: Vec<String>,
    /// User name or group patterns whose requests are allowed without review.
    pub exempt_users: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            default_mode: AdmissionMode::Warn,
            fail_on: Severity::High,
            exempt_namespaces: vec!["kube-system".into()],
            exempt_users: Vec::new(),
        }
    }
}

/// User-written policies (Rego), judged at admission beside the built-in rules.
pub trait PolicyEngine: Send + Sync {
    /// Findings of the policies on `object` (the admitted object as JSON); `request` is the
    /// AdmissionReview request, `namespace` the Namespace object when known. An error is a
    /// policy that failed or ran past its budget.
    fn review(
        &self,
        object: &Value,
        request: &Value,
        namespace: Option<&Value>,
    ) -> Result<Vec<Finding>, String>;
}

/// Namespace labels, as the server knows them (watched through the Kubernetes API).
pub trait Namespaces: Send + Sync {
    /// The labels of namespace `name`, or None when it is unknown (not watched, or not there).
    fn labels(&self, name: &str) -> Option<BTreeMap<String, String>>;
}

/// No cluster access: every namespace is unknown and gets the default mode.
pub struct NoNamespaces;

impl Namespaces for NoNamespaces {
    fn labels(&self, _: &str) -> Option<BTreeMap<String, String>> {
        None
    }
}

/// What one namespace asks for: a threshold per mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Modes {
    pub enforce: Option<Severity>,
    pub audit: Option<Severity>,
    pub warn: Option<Severity>,
    /// `namespace labels` or `default`.
    pub source: &'static str,
    /// Invalid label values (ignored, and said in a warning).
    pub problems: Vec<String>,
}

impl Modes {
    /// The modes of a namespace with `labels` (None: unknown or cluster-scoped). Like Pod Security
    /// Admission, a namespace whose mode labels are all invalid gets the default, not nothing.
    pub fn of(labels: Option<&BTreeMap<String, String>>, settings: &Settings) -> Self {
        let mut m = Modes::default();
        let mut any = false;
        if let Some(labels) = labels {
            for mode in AdmissionMode::ALL {
                let key = format!("{LABEL_PREFIX}{mode}");
                let Some(v) = labels.get(&key) else { continue };
                match v.parse::<Severity>() {
                    Ok(s) => {
                        *m.slot(mode) = Some(s);
                        any = true;
                    }
                    Err(e) => m.problems.push(format!("label {key}={v}: {e}")),
                }
            }
        }
        if any {
            m.source = "namespace labels";
        } else {
            m.source = "default";
            *m.slot(settings.default_mode) = Some(settings.fail_on);
        }
        m
    }

    fn slot(&mut self, mode: AdmissionMode) -> &mut Option<Severity> {
        match mode {
            AdmissionMode::Enforce => &mut self.enforce,
            AdmissionMode::Audit => &mut self.audit,
            AdmissionMode::Warn => &mut self.warn,
        }
    }
}

/// A request that is not a valid AdmissionReview: answered with HTTP 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRequest(pub String);

impl std::fmt::Display for BadRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the review decided, for metrics and logs.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub uid: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub operation: String,
    pub user: String,
    pub dry_run: bool,
    pub allowed: bool,
    /// Why the request was not reviewed (exempt namespace or user, DELETE, ...).
    pub skipped: Option<String>,
    /// Rule ids and the mode that acted on each (denied, warned, audited).
    pub decisions: Vec<(String, AdmissionMode)>,
    /// The object could not be evaluated.
    pub error: Option<String>,
}

/// The reviewer: rules, configuration and policies, shared by every request.
pub struct Reviewer {
    rules: Vec<&'static Rule>,
    config: Config,
    settings: Settings,
    policies: Option<Arc<dyn PolicyEngine>>,
    today: Option<Date>,
}

/// The rules run at admission: every object-scope rule, and POD014 (the namespace's Pod
/// Security level), which needs the Namespace the server adds beside the object.
pub fn admission_rules() -> Vec<&'static Rule> {
    RULES
        .iter()
        .copied()
        .filter(|r| r.scope == Scope::Object || r.id == "POD014")
        .collect()
}

impl Reviewer {
    /// A reviewer with the admission rules that `config` selects.
    pub fn new(config: Config, settings: Settings, today: Option<Date>) -> Result<Self, String> {
        let all = admission_rules();
        // eksguard.toml serves scan and detect too: its entries that name no admission rule
        // are theirs.
        let selection = Selection::merged(&[], &[], &config.select, &config.ignore, &all);
        let rules = selection
            .apply(&all)
            .map_err(|u| format!("no admission rule matches {}", u.join(", ")))?;
        Ok(Self {
            rules,
            config,
            settings,
            policies: None,
            today,
        })
    }

    /// Judge with these policies too.
    #[must_use]
    pub fn with_policies(mut self, policies: Arc<dyn PolicyEngine>) -> Self {
        self.policies = Some(policies);
        self
    }

    pub fn rules(&self) -> &[&'static Rule] {
        &self.rules
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Review one AdmissionReview body.
    ///
    /// Memory: the review's envelope is parsed, but its `object` and `oldObject` stay text
    /// until their cost is estimated ([`crate::cost`]); an object over the budget
    /// ([`REVIEW_COST_PER_BODY_BYTE`] times the body, at least [`REVIEW_COST_FLOOR`]) cannot
    /// be evaluated (denied in enforce mode) and is never parsed.
    pub fn review(
        &self,
        body: &[u8],
        namespaces: &dyn Namespaces,
    ) -> Result<(Value, Outcome), BadRequest> {
        let top: Envelope<'_> = serde_json::from_slice(body)
            .map_err(|e| BadRequest(format!("the body is not JSON: {e}")))?;
        let api = top.api_version.as_ref().and_then(Value::as_str);
        let kind = top.kind.as_ref().and_then(Value::as_str);
        if kind != Some("AdmissionReview") {
            return Err(BadRequest(format!(
                "expected kind AdmissionReview, got {}",
                kind.map_or_else(|| "none".to_string(), |k| format!("`{k}`"))
            )));
        }
        if api != Some("admission.k8s.io/v1") {
            return Err(BadRequest(format!(
                "expected apiVersion admission.k8s.io/v1, got {} (configure admissionReviewVersions: [\"v1\"])",
                api.map_or_else(|| "none".to_string(), |a| format!("`{a}`"))
            )));
        }
        let parts: RequestParts<'_> = top
            .request
            .filter(|r| r.get().starts_with('{'))
            .and_then(|r| serde_json::from_str(r.get()).ok())
            .ok_or_else(|| BadRequest("the AdmissionReview has no request".into()))?;
        let request = Value::Object(parts.fields);
        let request = &request;
        let uid = request
            .get("uid")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| BadRequest("the AdmissionReview request has no uid".into()))?
            .to_string();
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let mut outcome = Outcome {
            uid: uid.clone(),
            kind: request
                .get("kind")
                .map(|k| s(k, "kind"))
                .unwrap_or_default(),
            namespace: s(request, "namespace"),
            name: s(request, "name"),
            operation: s(request, "operation"),
            user: request
                .get("userInfo")
                .map(|u| s(u, "username"))
                .unwrap_or_default(),
            dry_run: request
                .get("dryRun")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            allowed: true,
            ..Outcome::default()
        };
        let budget = body
            .len()
            .saturating_mul(REVIEW_COST_PER_BODY_BYTE)
            .saturating_add(REVIEW_COST_FLOOR);
        let objects = Objects {
            object: parts.object.map(RawValue::get),
            old_object: parts.old_object.map(RawValue::get),
            budget,
        };
        let mut response = self.decide(request, &objects, namespaces, &mut outcome);
        response.insert("uid".into(), json!(uid));
        response.insert("allowed".into(), json!(outcome.allowed));
        Ok((
            json!({
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "response": Value::Object(response),
            }),
            outcome,
        ))
    }

    fn decide(
        &self,
        request: &Value,
        objects: &Objects<'_>,
        namespaces: &dyn Namespaces,
        outcome: &mut Outcome,
    ) -> serde_json::Map<String, Value> {
        let mut response = serde_json::Map::new();
        if let Some(why) = self.exempt(request, outcome) {
            outcome.skipped = Some(why);
            return response;
        }
        // DELETE and CONNECT, which carry no object, are exempt above: every request reviewed
        // here must carry the object it creates or updates.
        let object = objects.parse(objects.object);
        if outcome.name.is_empty() {
            // At CREATE the name may be only in the object, or still to be generated.
            let meta = |k: &str| {
                object
                    .as_ref()
                    .ok()
                    .and_then(|o| o.pointer(&format!("/metadata/{k}")))
                    .and_then(Value::as_str)
                    .filter(|v| !v.is_empty())
            };
            outcome.name = meta("name")
                .map(str::to_string)
                .or_else(|| meta("generateName").map(|g| format!("{g}*")))
                .unwrap_or_default();
        }
        let ns_name = if outcome.kind == "Namespace" {
            // A Namespace is judged by the labels it is about to have.
            object
                .as_ref()
                .ok()
                .and_then(|o| o.pointer("/metadata/name"))
                .and_then(Value::as_str)
                .unwrap_or(&outcome.name)
                .to_string()
        } else {
            outcome.namespace.clone()
        };
        let ns_labels: Option<BTreeMap<String, String>> = if outcome.kind == "Namespace" {
            object.as_ref().ok().map(labels_of)
        } else if ns_name.is_empty() {
            None
        } else {
            namespaces.labels(&ns_name)
        };
        let modes = Modes::of(ns_labels.as_ref(), &self.settings);
        let object = match object {
            // Not a mapping (a string, a number, null, missing), or over its budget: nothing
            // to evaluate, so enforce fails closed. The value itself is never quoted.
            Err(e) => return Self::unevaluable(e, &modes, outcome),
            Ok(o) => o,
        };
        let namespace_object = (!ns_name.is_empty() && outcome.kind != "Namespace").then(|| {
            json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns_name, "labels": ns_labels.clone().unwrap_or_default()},
            })
        });

        let judged = self.judge(object, request, namespace_object.as_ref(), &ns_name, None);
        let findings = match judged {
            Ok(f) => f,
            Err(e) => return Self::unevaluable(e, &modes, outcome),
        };
        let at_least = |t: Option<Severity>, f: &Finding| t.is_some_and(|t| f.severity >= t);
        // An UPDATE is not denied for what the object already had: that is not this change.
        // Only the rules that would deny are run on the old object.
        let candidates: BTreeSet<&'static str> = findings
            .iter()
            .filter(|f| at_least(modes.enforce, f))
            .map(|f| f.rule_id)
            .collect();
        let before: BTreeSet<(String, String)> = if outcome.operation == "UPDATE"
            && !candidates.is_empty()
            && let Ok(old) = objects.parse(objects.old_object)
        {
            self.judge(
                old,
                request,
                namespace_object.as_ref(),
                &ns_name,
                Some(&candidates),
            )
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.rule_id.to_string(), f.message))
            .collect()
        } else {
            BTreeSet::new()
        };

        let mut denied = Vec::new();
        let mut warned = Vec::new();
        let mut audited = Vec::new();
        for f in &findings {
            let existing = before.contains(&(f.rule_id.to_string(), f.message.clone()));
            if at_least(modes.enforce, f) && !existing {
                denied.push(f);
            } else if at_least(modes.enforce, f) && existing {
                warned.push((f, true));
            } else if at_least(modes.warn, f) {
                warned.push((f, false));
            }
            if at_least(modes.audit, f) {
                audited.push(f);
            }
        }
        for f in &denied {
            outcome
                .decisions
                .push((f.rule_id.to_string(), AdmissionMode::Enforce));
        }
        for (f, _) in &warned {
            outcome
                .decisions
                .push((f.rule_id.to_string(), AdmissionMode::Warn));
        }
        for f in &audited {
            outcome
                .decisions
                .push((f.rule_id.to_string(), AdmissionMode::Audit));
        }

        let mut warnings: Vec<String> = modes
            .problems
            .iter()
            .map(|p| {
                format!(
                    "eksguard: namespace {ns_name}: {p} (ignored; {})",
                    if modes.source == "default" {
                        "the cluster default applies"
                    } else {
                        "its other labels apply"
                    }
                )
            })
            .collect();
        for (f, existing) in &warned {
            let already = if *existing {
                " (already present before this update; not denied)"
            } else {
                ""
            };
            warnings.push(format!(
                "eksguard {} [{}]: {}{already}. Fix: {}",
                f.rule_id,
                f.severity,
                clip(with_field(f)),
                f.remediation
            ));
        }
        if warnings.len() > MAX_WARNINGS {
            let more = warnings.len() - (MAX_WARNINGS - 1);
            warnings.truncate(MAX_WARNINGS - 1);
            warnings.push(format!(
                "eksguard: {more} more findings (eksguard scan or the audit annotations list them all)"
            ));
        }
        if !warnings.is_empty() {
            response.insert("warnings".into(), json!(warnings));
        }
        if !audited.is_empty() {
            let listed: Vec<Value> = audited
                .iter()
                .take(MAX_AUDITED)
                .map(|f| json!({"rule": f.rule_id, "severity": f.severity.as_str(), "message": clip(f.message.clone())}))
                .collect();
            let mut annotations = serde_json::Map::new();
            annotations.insert(
                "findings".into(),
                json!(serde_json::to_string(&listed).unwrap_or_default()),
            );
            annotations.insert("findings-count".into(), json!(audited.len().to_string()));
            response.insert("auditAnnotations".into(), Value::Object(annotations));
        }
        if !denied.is_empty() {
            outcome.allowed = false;
            let threshold = modes.enforce.map_or("", Severity::as_str);
            let mut msg = format!(
                "eksguard denied {} {}: {} finding{} at or above {threshold} ({} {}enforces {threshold}):",
                outcome.kind,
                display_name(outcome, &ns_name),
                denied.len(),
                if denied.len() == 1 { "" } else { "s" },
                if modes.source == "default" {
                    "the cluster default"
                } else {
                    "namespace"
                },
                if modes.source == "default" {
                    String::new()
                } else {
                    format!("{ns_name} ")
                },
            );
            for f in denied.iter().take(MAX_DENIED_LISTED) {
                let _ = write!(
                    msg,
                    "\n- {} {} [{}]: {}. Fix: {}",
                    f.rule_id,
                    f.rule_name,
                    f.severity,
                    clip(with_field(f)),
                    f.remediation
                );
            }
            if denied.len() > MAX_DENIED_LISTED {
                let _ = write!(
                    msg,
                    "\n- and {} more (eksguard scan lists them all)",
                    denied.len() - MAX_DENIED_LISTED
                );
            }
            let _ = write!(
                msg,
                "\n(eksguard explain {} says why. An accepted risk is annotated on the object: eksguard.io/ignore: \"{}\" with eksguard.io/ignore-reason.)",
                denied[0].rule_id, denied[0].rule_id
            );
            response.insert(
                "status".into(),
                json!({"code": 403, "reason": "Forbidden", "message": msg}),
            );
        }
        response
    }

    /// Why this request is not reviewed, if it is exempt.
    fn exempt(&self, request: &Value, outcome: &Outcome) -> Option<String> {
        if outcome.operation == "DELETE" || outcome.operation == "CONNECT" {
            return Some(format!("{} is not reviewed", outcome.operation));
        }
        if request
            .get("subResource")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
        {
            return Some("subresources are not reviewed".into());
        }
        let ns = &outcome.namespace;
        if !ns.is_empty()
            && let Some(p) = self
                .settings
                .exempt_namespaces
                .iter()
                .find(|p| glob_match(p, ns))
        {
            return Some(format!("namespace {ns} is exempt ({p})"));
        }
        let groups: Vec<&str> = request
            .pointer("/userInfo/groups")
            .and_then(Value::as_array)
            .map(|g| g.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for p in &self.settings.exempt_users {
            if glob_match(p, &outcome.user) {
                return Some(format!("user {} is exempt ({p})", outcome.user));
            }
            if let Some(g) = groups.iter().find(|g| glob_match(p, g)) {
                return Some(format!("group {g} is exempt ({p})"));
            }
        }
        None
    }

    /// The findings on `object`: built-in rules, then policies, with eksguard.toml severities
    /// and suppressions (annotations and exceptions) applied. `only`: just these rule ids.
    ///
    /// The object is loaded from its value as it is (no text, no YAML parser, no field lines:
    /// see [`load_values`]) and consumed by the loading, so that a review holds its object
    /// about once beside the typed one.
    fn judge(
        &self,
        mut object: Value,
        request: &Value,
        namespace: Option<&Value>,
        ns_name: &str,
        only: Option<&BTreeSet<&'static str>>,
    ) -> Result<Vec<Finding>, String> {
        let is_str = |k: &str| object.get(k).is_some_and(Value::is_string);
        if !is_str("apiVersion") || !is_str("kind") {
            // The loader would skip it as "not a Kubernetes object" and find nothing.
            return Err("the object has no apiVersion and kind (strings)".into());
        }
        complete_metadata(&mut object, request, ns_name);
        // Policies see a Secret as the rules do: its keys, never its values (nor the copy of
        // them in the last-applied annotation). A policy's message cannot leak what it never had.
        if object.get("kind").and_then(Value::as_str) == Some("Secret")
            && let Value::Object(o) = &mut object
        {
            eksguard_core::inventory::redact_secret(o);
        }
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        // Policies read the object as JSON: they run before the loader consumes it.
        let policies_wanted =
            only.is_none_or(|ids| ids.iter().any(|id| !self.rules.iter().any(|r| r.id == *id)));
        let from_policies = match self.policies.as_ref().filter(|_| policies_wanted) {
            Some(p) => p.review(&object, request, namespace)?,
            None => Vec::new(),
        };
        let inv = load_values(
            "admission",
            std::iter::once(object).chain(namespace.cloned()),
        );
        if let Some(e) = inv.errors.first() {
            return Err(e.message.clone());
        }
        let outcomes = self.rules.iter().map(|r| engine::check(&inv, r)).collect();
        let report = engine::finish(
            &inv,
            &self.rules,
            outcomes,
            eksguard_core::VERSION,
            Options {
                config: &self.config,
                today: self.today,
                baseline: None,
            },
        );
        // Limits a LimitRange defaults are set on Pods before validating webhooks run, not on
        // the templates of workloads: those rules judge Pods only here.
        let ours = |f: &Finding| {
            f.resource.kind == kind
                && f.resource.name == name
                && (kind == "Pod" || !LIMIT_RANGE_RULES.contains(&f.rule_id))
        };
        let mut findings: Vec<Finding> = report.findings.into_iter().filter(ours).collect();
        if !from_policies.is_empty() {
            let suppressions = Suppressions::new(&inv, &self.config, self.today);
            for mut f in from_policies {
                if let Some(&s) = self.config.severity.get(f.rule_id) {
                    f.severity = s;
                }
                if suppressions.find(&f).is_none() {
                    findings.push(f);
                }
            }
        }
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Ok(findings)
    }

    /// The object could not be evaluated: enforce fails closed, the other modes allow and say so.
    fn unevaluable(
        error: String,
        modes: &Modes,
        outcome: &mut Outcome,
    ) -> serde_json::Map<String, Value> {
        let mut response = serde_json::Map::new();
        let msg = format!(
            "eksguard could not evaluate {} {}: {error}",
            outcome.kind, outcome.name
        );
        if modes.enforce.is_some() {
            outcome.allowed = false;
            response.insert(
                "status".into(),
                json!({"code": 400, "reason": "BadRequest", "message": msg}),
            );
        } else {
            response.insert("warnings".into(), json!([msg]));
        }
        outcome.error = Some(error);
        response
    }
}

/// `message`, cut to [`MAX_MESSAGE_BYTES`] (at a character boundary) with what was cut said.
fn clip(mut message: String) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message;
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    let cut = message.len() - end;
    message.truncate(end);
    let _ = write!(message, "... ({cut} more bytes)");
    message
}

/// `shop/web`, or `web` for cluster-scoped objects and Namespaces.
fn display_name(outcome: &Outcome, ns: &str) -> String {
    let name = if outcome.name.is_empty() {
        "(unnamed)"
    } else {
        &outcome.name
    };
    if ns.is_empty() || outcome.kind == "Namespace" {
        name.to_string()
    } else {
        format!("{ns}/{name}")
    }
}

/// The message with the field that causes it: `... (spec.containers[0].securityContext)`.
/// The finding's message names the object, which the answer already names: that prefix goes.
fn with_field(f: &Finding) -> String {
    let prefix = format!("{}: ", f.resource);
    let message = f.message.strip_prefix(&prefix).unwrap_or(&f.message);
    match f.location.as_ref().and_then(|l| l.field.as_deref()) {
        Some(field) if !field.is_empty() => format!("{message} (at {field})"),
        _ => message.to_string(),
    }
}

fn labels_of(object: &Value) -> BTreeMap<String, String> {
    object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// At CREATE the object may have only a `generateName` and no namespace yet: give it the
/// request's, so that the loader and the rules see a complete object.
fn complete_metadata(object: &mut Value, request: &Value, ns: &str) {
    let Some(meta) = object
        .as_object_mut()
        .map(|o| o.entry("metadata").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if meta
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        let name = request
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .or_else(|| {
                meta.get("generateName")
                    .and_then(Value::as_str)
                    .map(|g| format!("{g}*"))
            })
            .unwrap_or_else(|| "unnamed".into());
        meta.insert("name".into(), json!(name));
    }
    let is_namespace = object.get("kind").and_then(Value::as_str) == Some("Namespace");
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut)
        && !is_namespace
        && !ns.is_empty()
        && meta
            .get("namespace")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        meta.insert("namespace".into(), json!(ns));
    }
}

/// The top of an AdmissionReview: `request` kept as text. Anything but a mapping, and any
/// other key, is nothing (the review then says what is missing).
#[derive(Default)]
struct Envelope<'a> {
    api_version: Option<Value>,
    kind: Option<Value>,
    request: Option<&'a RawValue>,
}

impl<'de> serde::Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Envelope<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an AdmissionReview")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Envelope::default();
                while let Some(key) = m.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "apiVersion" => out.api_version = Some(m.next_value()?),
                        "kind" => out.kind = Some(m.next_value()?),
                        "request" => out.request = Some(m.next_value()?),
                        _ => {
                            m.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut s: A,
            ) -> Result<Self::Value, A::Error> {
                while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Envelope::default())
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Envelope::default())
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Envelope::default())
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Envelope::default())
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Envelope::default())
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Envelope::default())
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Envelope::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// The request of an AdmissionReview: every field as a value, but `object` and `oldObject` as
/// text (the last of a repeated key wins, as in a parsed value).
struct RequestParts<'a> {
    fields: serde_json::Map<String, Value>,
    object: Option<&'a RawValue>,
    old_object: Option<&'a RawValue>,
}

impl<'de> serde::Deserialize<'de> for RequestParts<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RequestParts<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an AdmissionReview request (a mapping)")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = RequestParts {
                    fields: serde_json::Map::new(),
                    object: None,
                    old_object: None,
                };
                while let Some(key) = m.next_key::<String>()? {
                    match key.as_str() {
                        "object" => out.object = Some(m.next_value()?),
                        "oldObject" => out.old_object = Some(m.next_value()?),
                        _ => {
                            let v: Value = m.next_value()?;
                            out.fields.insert(key, v);
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// The objects of a request, as text, and what each may cost.
struct Objects<'a> {
    object: Option<&'a str>,
    old_object: Option<&'a str>,
    budget: usize,
}

impl Objects<'_> {
    /// `text` (the object or the old object) parsed, if it is a mapping within the budget;
    /// else why it cannot be evaluated (never quoting it: it may be secret).
    fn parse(&self, text: Option<&str>) -> Result<Value, String> {
        let Some(text) = text else {
            return Err("request.object is missing; expected the object (a mapping)".into());
        };
        let what = match text.trim_start().as_bytes().first() {
            Some(b'{') => None,
            Some(b'[') => Some("a list"),
            Some(b'"') => Some("a string"),
            Some(b'n') => Some("null"),
            Some(b't' | b'f') => Some("a boolean"),
            _ => Some("a number"),
        };
        if let Some(what) = what {
            return Err(format!(
                "request.object is {what}; expected the object (a mapping)"
            ));
        }
        let cost = crate::cost::of(text).map_err(|e| format!("request.object: {e}"))?;
        if cost.total() > self.budget {
            return Err(format!(
                "the object would take about {} MiB of memory to evaluate, over the limit of {} MiB ({REVIEW_COST_PER_BODY_BYTE} times the request's size, plus {} MiB): too many volumes, containers or other items",
                cost.total().div_ceil(1 << 20),
                self.budget >> 20,
                REVIEW_COST_FLOOR >> 20
            ));
        }
        serde_json::from_str(text).map_err(|e| format!("request.object: {e}"))
    }
}
