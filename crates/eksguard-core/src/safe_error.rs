//! Deserialization errors told without the values they quote. serde's data errors quote the
//! offending value (`invalid type: string "hunter2", expected a map`), and that value can be a
//! Secret's data, a password in an env var or ConfigMap, or a request body in an audit event.
//! Every reader (the manifest loader, the audit-event reader) words its errors through here:
//! what was expected and the kind of value found, never the value. A leaf: it knows only JSON.

use serde_json::Value;

/// The kind of a JSON value, with its article: `a string`, `a number`, `a list`, `a mapping`.
pub fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The kind serde's `Unexpected` names at the start of `found` (`string "..."`, `integer 5`),
/// in the words of [`kind_of`].
fn kind_named(found: &str) -> &'static str {
    [
        ("string", "a string"),
        ("character", "a string"),
        ("integer", "a number"),
        ("floating point", "a number"),
        ("boolean", "a boolean"),
        ("map", "a mapping"),
        ("sequence", "a list"),
        ("unit", "null"),
        ("null", "null"),
    ]
    .iter()
    .find(|(prefix, _)| found.starts_with(prefix))
    .map_or("another type", |(_, kind)| kind)
}

/// serde's data error `message` reworded without any part of the input: `expected E, found K`.
/// `found` is the offending value when the caller has it (its kind is then exact); otherwise the
/// kind is read from serde's wording. Only messages whose wording serde fixes keep their detail;
/// any other (a type's own parse error, which may quote its input) becomes `invalid value`.
pub fn type_error(message: &str, found: Option<&Value>) -> String {
    // serde_json appends the position; the caller reports the line its own way.
    let message = message.rsplit_once(" at line ").map_or(message, |(m, _)| m);
    // The expected part follows the last ", expected ": serde's own wording, after the quoted
    // input (which could itself contain ", expected ").
    let expected = message
        .rsplit_once(", expected ")
        .map_or("another type", |(_, e)| e);
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let kind = found.map_or_else(|| kind_named(rest), kind_of);
        return format!("expected {expected}, found {kind}");
    }
    if message.starts_with("invalid value: ") {
        return format!("expected {expected}, found a value out of its range");
    }
    if message.starts_with("unknown variant ") {
        return format!("expected {expected}, found another value");
    }
    // Field names and lengths come from the schema, or are keys of the input (never secret:
    // every finding shows them), or counts: safe to keep.
    let schema_only = [
        "missing field `",
        "duplicate field `",
        "unknown field `",
        "invalid length ",
    ];
    if schema_only.iter().any(|p| message.starts_with(p)) {
        return message.to_string();
    }
    match found {
        Some(v) => format!("invalid value, found {}", kind_of(v)),
        None => "invalid value".to_string(),
    }
}
