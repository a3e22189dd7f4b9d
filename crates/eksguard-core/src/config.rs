//! `eksguard.toml`: which rules run, severity overrides, and exceptions that can be trusted:
//! every exception names its rules, says why, and may expire.
//!
//! ```toml
//! select = ["POD", "RBAC"]          # like --select (optional)
//! ignore = ["TEN001"]               # like --ignore (optional)
//! annotations = true                # honour eksguard.io/ignore annotations (default true)
//!
//! [severity]                        # override a rule's severity
//! IMG001 = "low"
//!
//! [[exception]]
//! rules = ["POD002"]                # rule ids, names, or a peer tool's id
//! namespaces = ["monitoring"]       # glob patterns (* and ?); omitted: any namespace
//! resources = ["node-exporter*"]    # glob patterns on the resource name; omitted: any
//! kinds = ["DaemonSet"]             # omitted: any kind
//! reason = "node-exporter reads host metrics through the host PID namespace"
//! expires = 2027-03-31              # optional; an expired exception no longer applies
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::inventory::{LoadError, ResourceRef};
use crate::rule::{Rule, Severity};

/// A calendar date (UTC). The engine is given "today" so that reports are reproducible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// The date `days` days after 1970-01-01 (Howard Hinnant's civil-from-days).
    pub fn from_unix_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    /// `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a date (expected YYYY-MM-DD)");
        let mut parts = s.trim().splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day: u8 = d.parse().map_err(|_| bad())?;
        if y.len() != 4 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(bad());
        }
        Ok(Self { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `*` (any run of characters) and `?` (one character) glob matching, case-sensitive.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some(pi);
                mark = ti;
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some(s) => {
                    pi = s + 1;
                    mark += 1;
                    ti = mark;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// One exception of `eksguard.toml`.
#[derive(Debug, Clone, Serialize)]
pub struct Exception {
    /// Rule ids this exception covers.
    pub rules: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    /// Where the exception is written.
    pub path: String,
    pub line: u32,
}

impl Exception {
    /// Whether this exception covers a finding of `rule_id` on `res`.
    pub fn covers(&self, rule_id: &str, res: &ResourceRef) -> bool {
        let any = |pats: &[String], v: Option<&str>| {
            pats.is_empty() || v.is_some_and(|v| pats.iter().any(|p| glob_match(p, v)))
        };
        self.rules.contains(&rule_id)
            && any(&self.namespaces, res.namespace.as_deref())
            && any(&self.resources, Some(&res.name))
            && (self.kinds.is_empty()
                || self.kinds.iter().any(|k| k.eq_ignore_ascii_case(&res.kind)))
    }

    /// Whether the exception has expired on `today` (it applies through its expiry date).
    pub fn expired(&self, today: Option<Date>) -> bool {
        matches!((self.expires, today), (Some(e), Some(t)) if t > e)
    }

    /// `eksguard.toml:12`.
    pub fn origin(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }
}

/// A parsed, validated `eksguard.toml`.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub path: String,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<&'static str, Severity>,
    /// Whether `eksguard.io/ignore` annotations are honoured (a platform team may turn this off
    /// so that only reviewed exceptions in this file hide findings).
    pub annotations: bool,
    pub exceptions: Vec<Exception>,
    /// Rules beyond the built-in catalog (those of loaded Rego policies, `--policy DIR`) that
    /// the ids of this file, of `eksguard.io/ignore` annotations and of `--select`/`--ignore`
    /// may name. Set by [`parse_with_rules`] or [`Config::with_rules`].
    pub extra_rules: Vec<&'static Rule>,
    /// `[serve]`: the admission webhook's cluster-wide defaults.
    pub serve: ServeConfig,
}

/// What the admission webhook does with findings in a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdmissionMode {
    /// Deny the request when a finding reaches the threshold.
    Enforce,
    /// Allow, and record the findings as audit annotations.
    Audit,
    /// Allow, and return the findings as warnings (kubectl prints them).
    Warn,
}

impl AdmissionMode {
    pub const ALL: [AdmissionMode; 3] = [Self::Enforce, Self::Audit, Self::Warn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enforce => "enforce",
            Self::Audit => "audit",
            Self::Warn => "warn",
        }
    }
}

impl fmt::Display for AdmissionMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for AdmissionMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "enforce" => Ok(Self::Enforce),
            "audit" => Ok(Self::Audit),
            "warn" => Ok(Self::Warn),
            _ => Err(format!(
                "unknown admission mode `{s}` (expected enforce, audit or warn)"
            )),
        }
    }
}

/// The `[serve]` table: the webhook's defaults for namespaces without `eksguard.io/<mode>`
/// labels, and who and what is never reviewed.
#[derive(Debug, Clone, Default)]
pub struct ServeConfig {
    pub default_mode: Option<AdmissionMode>,
    pub fail_on: Option<Severity>,
    /// Namespace name patterns (`*`, `?`) whose requests are allowed unreviewed.
    pub exempt_namespaces: Vec<String>,
    /// User name or group patterns whose requests are allowed unreviewed.
    pub exempt_users: Vec<String>,
    /// TLS connections served at once.
    pub max_connections: Option<usize>,
    /// TLS connections served at once from one client IP.
    pub max_connections_per_source: Option<usize>,
}

impl Config {
    /// The configuration used when there is no file.
    pub fn empty() -> Self {
        Self {
            annotations: true,
            ..Self::default()
        }
    }

    /// This configuration, also knowing the rules `extra` (a file's ids are validated by
    /// [`parse_with_rules`]; this is for the configuration used when there is no file).
    #[must_use]
    pub fn with_rules(mut self, extra: &[&'static Rule]) -> Self {
        self.extra_rules = extra.to_vec();
        self
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    annotations: Option<bool>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    exception: Vec<Spanned<RawException>>,
    #[serde(default)]
    serve: Option<Spanned<RawServe>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawServe {
    default_mode: Option<Spanned<String>>,
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    exempt_namespaces: Vec<String>,
    #[serde(default)]
    exempt_users: Vec<String>,
    max_connections: Option<Spanned<i64>>,
    max_connections_per_source: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    namespaces: Vec<String>,
    #[serde(default)]
    resources: Vec<String>,
    #[serde(default)]
    kinds: Vec<String>,
    reason: Option<String>,
    expires: Option<Spanned<toml::Value>>,
}

fn line_of(text: &str, offset: usize) -> u32 {
    let upto = text.get(..offset.min(text.len())).unwrap_or(text);
    u32::try_from(upto.bytes().filter(|b| *b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

/// Parse and validate `eksguard.toml`. Every problem is reported, each with its line: an
/// unknown rule, a missing reason, a bad date or severity, an unknown key.
pub fn parse(path: &str, text: &str) -> Result<Config, Vec<LoadError>> {
    parse_with_rules(path, text, &[])
}

/// [`parse`], where ids may also name the rules `extra` (those of loaded Rego policies). The
/// configuration remembers them, so that annotations may name them too.
pub fn parse_with_rules(
    path: &str,
    text: &str,
    extra: &[&'static Rule],
) -> Result<Config, Vec<LoadError>> {
    parse_against(path, text, crate::rules::RULES, extra)
}

/// [`parse`] against `catalog` (the rules ids may name, besides `extra`): the parser itself,
/// which knows no catalog of its own. [`parse`] and [`parse_with_rules`] pass the built-in one.
pub fn parse_against(
    path: &str,
    text: &str,
    catalog: &[&'static Rule],
    extra: &[&'static Rule],
) -> Result<Config, Vec<LoadError>> {
    let all: Vec<&'static Rule> = catalog.iter().chain(extra).copied().collect();
    let resolve = |token: &str| crate::select::resolve(token, &all);
    let err = |line: Option<u32>, message: String| LoadError {
        path: path.to_string(),
        line,
        message,
    };
    let raw: Raw = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.span().map(|s| line_of(text, s.start));
            return Err(vec![err(line, e.message().trim().to_string())]);
        }
    };
    let mut errors = Vec::new();
    let mut check_tokens = |list: &[Spanned<String>], key: &str| -> Vec<String> {
        for t in list {
            if resolve(t.get_ref()).is_empty() {
                errors.push(err(
                    Some(line_of(text, t.span().start)),
                    format!(
                        "{key}: no rule matches `{}` (see `eksguard rules`)",
                        t.get_ref()
                    ),
                ));
            }
        }
        list.iter().map(|t| t.get_ref().clone()).collect()
    };
    let select = check_tokens(&raw.select, "select");
    let ignore = check_tokens(&raw.ignore, "ignore");

    let mut severity = BTreeMap::new();
    for (k, v) in &raw.severity {
        let line = Some(line_of(text, k.span().start));
        let rules = resolve(k.get_ref());
        if rules.is_empty() {
            errors.push(err(
                line,
                format!("severity: no rule matches `{}`", k.get_ref()),
            ));
            continue;
        }
        match v.get_ref().parse::<Severity>() {
            Ok(s) => {
                for r in rules {
                    severity.insert(r.id, s);
                }
            }
            Err(e) => errors.push(err(line, format!("severity.{}: {e}", k.get_ref()))),
        }
    }

    let mut exceptions = Vec::new();
    for (i, spanned) in raw.exception.iter().enumerate() {
        let line = line_of(text, spanned.span().start);
        let e = spanned.get_ref();
        let at = |l: u32| Some(l);
        let mut ids: Vec<&'static str> = Vec::new();
        if e.rules.is_empty() {
            errors.push(err(
                at(line),
                format!(
                    "exception #{}: `rules` is empty; name the rules it covers",
                    i + 1
                ),
            ));
        }
        for t in &e.rules {
            let found = resolve(t.get_ref());
            if found.is_empty() {
                errors.push(err(
                    at(line_of(text, t.span().start)),
                    format!(
                        "exception #{}: no rule matches `{}` (see `eksguard rules`)",
                        i + 1,
                        t.get_ref()
                    ),
                ));
            }
            for r in found {
                if !ids.contains(&r.id) {
                    ids.push(r.id);
                }
            }
        }
        let reason = e.reason.as_deref().map(str::trim).unwrap_or_default();
        if reason.is_empty() {
            errors.push(err(
                at(line),
                format!(
                    "exception #{}: `reason` is required: say why these findings are accepted",
                    i + 1
                ),
            ));
        }
        let expires = match &e.expires {
            None => None,
            Some(v) => {
                let l = at(line_of(text, v.span().start));
                let parsed = match v.get_ref() {
                    toml::Value::String(s) => s.parse::<Date>(),
                    toml::Value::Datetime(d) => match (d.date, d.time) {
                        (Some(date), None) => Ok(Date {
                            year: i32::from(date.year),
                            month: date.month,
                            day: date.day,
                        }),
                        _ => Err(format!("`{d}` is not a date (expected YYYY-MM-DD)")),
                    },
                    other => Err(format!(
                        "a {} is not a date (expected YYYY-MM-DD)",
                        other.type_str()
                    )),
                };
                match parsed {
                    Ok(d) => Some(d),
                    Err(m) => {
                        errors.push(err(l, format!("exception #{}: expires: {m}", i + 1)));
                        None
                    }
                }
            }
        };
        exceptions.push(Exception {
            rules: ids,
            namespaces: e.namespaces.clone(),
            resources: e.resources.clone(),
            kinds: e.kinds.clone(),
            reason: reason.to_string(),
            expires,
            path: path.to_string(),
            line,
        });
    }
    let mut serve = ServeConfig::default();
    if let Some(raw_serve) = &raw.serve {
        let r = raw_serve.get_ref();
        if let Some(m) = &r.default_mode {
            match m.get_ref().parse() {
                Ok(m) => serve.default_mode = Some(m),
                Err(e) => errors.push(err(
                    Some(line_of(text, m.span().start)),
                    format!("serve.default_mode: {e}"),
                )),
            }
        }
        if let Some(f) = &r.fail_on {
            match f.get_ref().parse() {
                Ok(s) => serve.fail_on = Some(s),
                Err(e) => errors.push(err(
                    Some(line_of(text, f.span().start)),
                    format!("serve.fail_on: {e}"),
                )),
            }
        }
        serve.exempt_namespaces.clone_from(&r.exempt_namespaces);
        serve.exempt_users.clone_from(&r.exempt_users);
        for (key, raw, slot) in [
            (
                "max_connections",
                &r.max_connections,
                &mut serve.max_connections,
            ),
            (
                "max_connections_per_source",
                &r.max_connections_per_source,
                &mut serve.max_connections_per_source,
            ),
        ] {
            let Some(n) = raw else { continue };
            match usize::try_from(*n.get_ref()) {
                Ok(v @ 1..=1_000_000) => *slot = Some(v),
                _ => errors.push(err(
                    Some(line_of(text, n.span().start)),
                    format!("serve.{key}: expected a number of connections from 1 to 1000000"),
                )),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Config {
        path: path.to_string(),
        select,
        ignore,
        severity,
        annotations: raw.annotations.unwrap_or(true),
        exceptions,
        serve,
        extra_rules: extra.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(20_415).to_string(), "2025-11-23");
        assert_eq!(Date::from_unix_days(-1).to_string(), "1969-12-31");
        assert!("2026-13-01".parse::<Date>().is_err());
        assert!("26-01-01".parse::<Date>().is_err());
        assert_eq!(
            "2026-02-03".parse::<Date>().map(|d| d.to_string()),
            Ok("2026-02-03".into())
        );
    }

    #[test]
    fn globs() {
        assert!(glob_match("node-exporter*", "node-exporter-abc"));
        assert!(glob_match("*", ""));
        assert!(glob_match("team-?", "team-a"));
        assert!(!glob_match("team-?", "team-ab"));
        assert!(glob_match("*-system", "kube-system"));
        assert!(!glob_match("kube-*", "default"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
    }

    #[test]
    fn serve_connection_limits() {
        let c = parse(
            "eksguard.toml",
            "[serve]\nmax_connections = 2048\nmax_connections_per_source = 64\n",
        )
        .expect("valid");
        assert_eq!(c.serve.max_connections, Some(2048));
        assert_eq!(c.serve.max_connections_per_source, Some(64));
        let errors = parse(
            "eksguard.toml",
            "[serve]\nmax_connections = 0\nmax_connections_per_source = -3\n",
        )
        .expect_err("invalid");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].line, Some(2));
        assert!(
            errors[0].message.contains("serve.max_connections:"),
            "{errors:?}"
        );
        assert!(
            errors[1].message.contains("from 1 to 1000000"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_valid_file() {
        let text = r#"
ignore = ["TEN"]
[severity]
IMG001 = "low"
[[exception]]
rules = ["POD002", "CKV_K8S_16"]
namespaces = ["monitoring"]
resources = ["node-exporter*"]
reason = "reads host metrics"
expires = 2027-03-31
"#;
        let c = parse("eksguard.toml", text).expect("valid");
        assert_eq!(c.severity.get("IMG001"), Some(&Severity::Low));
        let e = &c.exceptions[0];
        assert_eq!(e.rules, ["POD002", "POD001"]);
        assert_eq!(e.line, 5);
        assert_eq!(
            e.expires.map(|d| d.to_string()).as_deref(),
            Some("2027-03-31")
        );
        let res = ResourceRef {
            kind: "DaemonSet".into(),
            namespace: Some("monitoring".into()),
            name: "node-exporter-x".into(),
            api_version: None,
            arn: None,
        };
        assert!(e.covers("POD002", &res));
        assert!(!e.covers("POD003", &res));
        assert!(!e.expired("2027-03-31".parse().ok()));
        assert!(e.expired("2027-04-01".parse().ok()));
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = "[[exception]]\nrules = [\"POD999\"]\n\n[[exception]]\nrules = [\"POD001\"]\nexpires = \"soon\"\n";
        let errs = parse("e.toml", text).expect_err("invalid");
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("e.toml:2:") && m.contains("POD999")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("e.toml:1:") && m.contains("reason")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("e.toml:6:") && m.contains("soon")),
            "{msgs:?}"
        );
        let unknown = parse("e.toml", "[[exceptions]]\nrules=[]\n").expect_err("unknown key");
        assert_eq!(unknown[0].line, Some(1));
        assert!(
            unknown[0].message.contains("exceptions"),
            "{}",
            unknown[0].message
        );
    }

    #[test]
    fn ids_of_extra_rules_are_known_only_when_given() {
        static CUSTOM: Rule = Rule {
            id: "ACME001",
            name: "registry-not-allowed",
            domain: crate::rule::Domain::Policy,
            severity: Severity::High,
            scope: crate::rule::Scope::Object,
            summary: "Images come from allowed registries",
            docs: "",
            remediation: "Push the image to an allowed registry",
            references: crate::rule::References::NONE,
            needs: &[],
            check: crate::rule::evaluated_by_policy_engine,
        };
        let text = "ignore = [\"ACME\"]\n[severity]\nACME001 = \"low\"\n[[exception]]\nrules = [\"registry-not-allowed\"]\nreason = \"legacy\"\n";
        let errs = parse("e.toml", text).expect_err("unknown without the policy");
        assert_eq!(errs.len(), 3, "{errs:?}");
        let c = parse_with_rules("e.toml", text, &[&CUSTOM]).expect("known with the policy");
        assert_eq!(c.severity.get("ACME001"), Some(&Severity::Low));
        assert_eq!(c.exceptions[0].rules, ["ACME001"]);
        assert_eq!(c.extra_rules.len(), 1);
        assert_eq!(crate::rules::resolve_with("acme001", &[&CUSTOM]).len(), 1);
        assert!(crate::rules::resolve_with("ACME002", &[&CUSTOM]).is_empty());
    }
}
