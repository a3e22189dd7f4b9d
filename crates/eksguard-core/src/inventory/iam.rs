//! IAM policy documents, normalised: `Statement` may be one object or a list, `Action` and
//! `Resource` a string or a list, and the raw IAM API URL-encodes documents.

use std::borrow::Cow;

use serde_json::Value;

/// One statement of a policy document, borrowed from the document.
#[derive(Debug, Clone)]
pub struct Statement<'a> {
    pub allow: bool,
    /// `Action` values; empty when the statement uses `NotAction`.
    pub actions: Vec<&'a str>,
    pub not_action: bool,
    pub resources: Vec<&'a str>,
    pub principal: &'a Value,
    pub condition: &'a Value,
}

static NULL: Value = Value::Null;

/// Decode a policy document that may be URL-encoded JSON text.
pub fn document(v: &Value) -> Cow<'_, Value> {
    match v {
        Value::String(s) => {
            let decoded = percent_decode(s);
            serde_json::from_str(&decoded).map_or(Cow::Borrowed(&NULL), Cow::Owned)
        }
        other => Cow::Borrowed(other),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|c| (*c as char).to_digit(16)),
                b.get(i + 2).and_then(|c| (*c as char).to_digit(16)),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The statements of a (decoded) policy document.
pub fn statements(doc: &Value) -> Vec<Statement<'_>> {
    let list: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => Vec::new(),
    };
    list.into_iter()
        .map(|s| Statement {
            allow: s.get("Effect").and_then(Value::as_str) == Some("Allow"),
            not_action: s.get("NotAction").is_some(),
            actions: s.get("Action").map(strings).unwrap_or_default(),
            resources: s.get("Resource").map(strings).unwrap_or_default(),
            principal: s.get("Principal").unwrap_or(&NULL),
            condition: s.get("Condition").unwrap_or(&NULL),
        })
        .collect()
}

impl Statement<'_> {
    /// `Allow` of every action on every resource (`"*"` / `"*:*"`, or `NotAction` on `*`).
    pub fn is_full_admin(&self) -> bool {
        self.allow
            && self.resources.contains(&"*")
            && (self.not_action || self.actions.iter().any(|a| *a == "*" || *a == "*:*"))
    }

    /// Federated principals of this statement.
    pub fn federated(&self) -> Vec<&str> {
        self.principal
            .get("Federated")
            .map(strings)
            .unwrap_or_default()
    }

    /// Values that condition operators in `ops` (e.g. `StringEquals`) give to `key`
    /// (compared case-insensitively, as IAM does for condition keys).
    pub fn condition_values(&self, ops: &[&str], key: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let Some(conds) = self.condition.as_object() else {
            return out;
        };
        for (op, body) in conds {
            if !ops.iter().any(|o| o.eq_ignore_ascii_case(op)) {
                continue;
            }
            if let Some(body) = body.as_object() {
                for (k, v) in body {
                    if k.eq_ignore_ascii_case(key) {
                        out.extend(strings(v));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn url_encoded_documents_decode() {
        let v = Value::String("%7B%22Statement%22%3A%5B%5D%7D".into());
        assert_eq!(*document(&v), json!({"Statement": []}));
    }

    #[test]
    fn single_statement_and_string_action() {
        let d = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}});
        let s = statements(&d);
        assert_eq!(s.len(), 1);
        assert!(s[0].is_full_admin());
    }

    #[test]
    fn condition_keys_are_case_insensitive() {
        let d = json!({"Statement": [{"Effect": "Allow", "Condition": {"StringEquals": {"oidc.x/id/Y:sub": "system:serviceaccount:a:b"}}}]});
        let s = statements(&d);
        assert_eq!(
            s[0].condition_values(&["stringequals"], "OIDC.x/id/Y:sub"),
            vec!["system:serviceaccount:a:b"]
        );
    }
}
