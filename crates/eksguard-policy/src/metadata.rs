//! OPA METADATA comment blocks. regorus parses Rego but exposes no annotations, so the blocks
//! are read here: a `# METADATA` line, then the comment lines that follow it, which hold YAML
//! (read with eksguard's YAML loader).
//!
//! ```rego
//! # METADATA
//! # title: Images come from allowed registries
//! # description: Only images of the registries the platform team runs may be deployed.
//! # related_resources:
//! #   - ref: https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html
//! # custom:
//! #   id: ACME001
//! #   severity: high
//! #   remediation: Push the image to an allowed registry (or an ECR pull-through cache).
//! ```

use eksguard_core::inventory::text::{self, Limits};
use serde_json::Value;

use crate::error::LoadError;

/// A METADATA block that declares a rule (`custom.id`).
#[derive(Debug, Clone)]
pub(crate) struct RuleMeta {
    pub id: String,
    pub name: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub severity: eksguard_core::Severity,
    pub remediation: String,
    pub urls: Vec<String>,
    /// `custom.kinds`: the object kinds the rule judges (`Pod`, `Deployment`); `None` for every
    /// kind. The package is not evaluated on other kinds.
    pub kinds: Option<Vec<String>>,
    /// Line of the `# METADATA` marker.
    pub line: u32,
    /// Line of `custom.id`.
    pub id_line: u32,
}

/// The rules declared by the METADATA blocks of one file, or what is wrong with them.
pub(crate) fn rules(path: &str, source: &str) -> (Vec<RuleMeta>, Vec<LoadError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let lines: Vec<&str> = source.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let is_marker = lines[i]
            .trim()
            .strip_prefix('#')
            .is_some_and(|r| r.trim() == "METADATA");
        if !is_marker {
            i += 1;
            continue;
        }
        let marker_line = line_no(i);
        let mut yaml = String::new();
        let mut j = i + 1;
        // The block is the comment lines that follow, up to the next block.
        while let Some(rest) = lines.get(j).and_then(|l| l.trim_start().strip_prefix('#')) {
            if rest.trim() == "METADATA" {
                break;
            }
            yaml.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            yaml.push('\n');
            j += 1;
        }
        i = j;
        match block(path, marker_line, &yaml) {
            Ok(Some(m)) => out.push(m),
            Ok(None) => {}
            Err(mut e) => errors.append(&mut e),
        }
    }
    (out, errors)
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

/// One block: `Ok(None)` when it declares no rule (no `custom.id`).
fn block(path: &str, marker: u32, yaml: &str) -> Result<Option<RuleMeta>, Vec<LoadError>> {
    // Line n of the YAML is line marker + n of the file.
    let at = |l: u32| marker.saturating_add(l.max(1));
    let (docs, errs) = text::parse(yaml, &Limits::default());
    if let Some(e) = errs.first() {
        return Err(vec![
            LoadError::new(path, format!("METADATA: not YAML: {}", e.message))
                .at(at(e.line.unwrap_or(1)), 1),
        ]);
    }
    let Some(doc) = docs.into_iter().next() else {
        return Ok(None);
    };
    let field_line = |p: &str| at(doc.fields.lookup(p).map_or(1, |(s, _)| s));
    let v = &doc.value;
    let Some(custom) = v.get("custom") else {
        return Ok(None);
    };
    let Some(id) = custom.get("id") else {
        return Ok(None);
    };
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| {
        errors.push(LoadError::new(path, format!("METADATA: {message}")).at(field_line(field), 1));
    };
    let string = |x: Option<&Value>| x.and_then(Value::as_str).map(str::trim).map(str::to_string);
    // YAML reads some bare words as other types (`y` is true, `1.0` a number).
    for (field, value) in [
        ("title", v.get("title")),
        ("description", v.get("description")),
        ("custom.severity", custom.get("severity")),
        ("custom.remediation", custom.get("remediation")),
    ] {
        if value.is_some_and(|x| !x.is_string()) {
            err(field, format!("{field} must be text (quote it)"));
        }
    }
    let id = match id.as_str().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => {
            err("custom.id", "custom.id must be a string (`ACME001`)".into());
            String::new()
        }
    };
    let title = string(v.get("title")).filter(|t| !t.is_empty());
    if v.get("title").is_none_or(Value::is_string) && title.is_none() {
        err(
            "custom.id",
            format!("rule {id} has no `title`: one line saying what the rule requires"),
        );
    }
    let severity = if let Some(s) = string(custom.get("severity")) {
        match s.parse() {
            Ok(s) => Some(s),
            Err(m) => {
                err("custom.severity", format!("custom.severity: {m}"));
                None
            }
        }
    } else {
        if custom.get("severity").is_none() {
            err(
                "custom.id",
                format!("rule {id} has no `custom.severity` (critical, high, medium, low or info)"),
            );
        }
        None
    };
    let remediation = string(custom.get("remediation")).filter(|r| !r.is_empty());
    if custom.get("remediation").is_none_or(Value::is_string) && remediation.is_none() {
        err(
            "custom.id",
            format!("rule {id} has no `custom.remediation`: say how to fix a violation"),
        );
    }
    let name = match custom.get("name") {
        None => None,
        Some(n) => match n.as_str().map(str::trim) {
            Some(s)
                if !s.is_empty()
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
            {
                Some(s.to_string())
            }
            _ => {
                err(
                    "custom.name",
                    "custom.name must be kebab-case (`registry-not-allowed`)".into(),
                );
                None
            }
        },
    };
    let kinds = match custom.get("kinds") {
        None => None,
        Some(Value::Array(list)) if !list.is_empty() => {
            let mut kinds = Vec::new();
            for k in list {
                match k.as_str().map(str::trim) {
                    Some(s) if is_kind(s) => kinds.push(s.to_string()),
                    _ => {
                        err(
                            "custom.kinds",
                            format!(
                                "custom.kinds: {} is not a Kubernetes kind (`Pod`, `Deployment`, `ServiceAccount`)",
                                serde_json::to_string(k).unwrap_or_default()
                            ),
                        );
                    }
                }
            }
            Some(kinds)
        }
        Some(_) => {
            err(
                "custom.kinds",
                "custom.kinds must be a non-empty list of kinds (`[Pod, Deployment]`); leave it out to judge every kind".into(),
            );
            None
        }
    };
    let mut urls = Vec::new();
    if let Some(Value::Array(refs)) = v.get("related_resources") {
        for r in refs {
            match r {
                Value::String(s) => urls.push(s.clone()),
                Value::Object(o) => {
                    if let Some(s) = o.get("ref").and_then(Value::as_str) {
                        urls.push(s.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    let id_line = field_line("custom.id");
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(title), Some(severity), Some(remediation)) = (title, severity, remediation) else {
        return Err(vec![
            LoadError::new(path, "METADATA: incomplete rule").at(marker, 1),
        ]);
    };
    Ok(Some(RuleMeta {
        id,
        name,
        title: title.trim_end_matches('.').to_string(),
        description: string(v.get("description")).filter(|d| !d.is_empty()),
        severity,
        remediation,
        urls,
        kinds,
        line: marker,
        id_line,
    }))
}

/// A Kubernetes kind name: an upper-case letter, then letters and digits (`ClusterRoleBinding`).
fn is_kind(s: &str) -> bool {
    s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_declares_a_rule() {
        let src = "package eksguard.x\n\n# METADATA\n# title: Images come from allowed registries.\n# related_resources:\n#   - ref: https://example.com/a\n#   - https://example.com/b\n# custom:\n#   id: ACME001\n#   severity: High\n#   remediation: Push it elsewhere.\ndeny contains r if { false }\n";
        let (rules, errors) = rules("x.rego", src);
        assert!(errors.is_empty(), "{errors:?}");
        let r = &rules[0];
        assert_eq!(r.id, "ACME001");
        assert_eq!(r.title, "Images come from allowed registries");
        assert_eq!(r.severity, eksguard_core::Severity::High);
        assert_eq!(r.urls, ["https://example.com/a", "https://example.com/b"]);
        assert_eq!((r.line, r.id_line), (3, 9));
        assert_eq!(r.kinds, None, "no custom.kinds: every kind");
    }

    #[test]
    fn kinds_limit_a_rule_and_are_checked() {
        let block = |kinds: &str| {
            format!(
                "# METADATA\n# title: t\n# custom:\n#   id: ACME001\n#   severity: low\n#   remediation: r\n#   kinds: {kinds}\npackage eksguard.x\n"
            )
        };
        let (rules_, errors) = rules("x.rego", &block("[Pod, Deployment]"));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            rules_[0].kinds.as_deref(),
            Some(&["Pod".to_string(), "Deployment".to_string()][..])
        );
        for bad in ["[pod]", "[]", "Pod", "[Pod, 3]", "[apps/v1.Deployment]"] {
            let (_, errors) = rules("x.rego", &block(bad));
            assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
            assert!(
                errors[0].to_string().starts_with("x.rego:7:1: ")
                    && errors[0].message.contains("custom.kinds"),
                "{bad}: {errors:?}"
            );
        }
    }

    #[test]
    fn blocks_without_an_id_declare_nothing() {
        let (rules, errors) = rules("x.rego", "# METADATA\n# title: helpers\npackage lib\n");
        assert!(rules.is_empty() && errors.is_empty());
    }

    #[test]
    fn every_problem_is_named_with_its_line() {
        let src =
            "# METADATA\n# custom:\n#   id: ACME001\n#   severity: urgent\npackage eksguard.x\n";
        let (_, errors) = rules("x.rego", src);
        let msgs: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("x.rego:4:1: ") && m.contains("urgent")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("x.rego:3:1: ") && m.contains("title")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("x.rego:3:1: ") && m.contains("remediation")),
            "{msgs:?}"
        );
        let (_, errors) = rules(
            "z.rego",
            "# METADATA\n# title: t\n# custom:\n#   id: A1\n#   severity: low\n#   remediation: y\n",
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].to_string().starts_with("z.rego:6:1: ")
                && errors[0].message.contains("must be text"),
            "{errors:?}"
        );
        let (_, errors) = rules("y.rego", "# METADATA\n# custom: [unclosed\n");
        assert_eq!(errors[0].path, "y.rego");
        assert!(errors[0].message.contains("not YAML"), "{errors:?}");
    }
}
