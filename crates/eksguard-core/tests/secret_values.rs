//! Issue 13: a value that could be secret never appears in a load error, and a Secret is
//! loaded without its values (nor the last-applied copy of them) by every loader path.

use eksguard_core::inventory::{LAST_APPLIED, LoadOptions, load_text};
use eksguard_core::safe_error::type_error as safe_type_error;
use serde_json::json;

fn errors(text: &str) -> Vec<String> {
    load_text("in.yaml", text, &LoadOptions::default())
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn type_errors_name_the_field_and_type_never_the_value() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: \"hunter2-plain\"\n",
            "hunter2-plain",
            "field `stringData`: expected a map, found a string",
        ),
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: [\"aHVudGVyMg==\"]\n",
            "aHVudGVyMg==",
            "field `data`: expected a map, found a list",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  password: 8675309123\n",
            "8675309123",
            "field `data.password`: expected a string, found a number",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: nginx\n      env:\n        - {name: DB_PASSWORD, value: 8675309123}\n",
            "8675309123",
            "field `spec.containers[0].env[0].value`: expected a string, found a number",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: nginx\n      env:\n        - {name: TOKEN, value: {t: tok-ABCDEF}}\n",
            "tok-ABCDEF",
            "found a mapping",
        ),
        (
            // A value of a field with a fixed set of values: the variant given is not quoted.
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: nginx\n      ports: [{containerPort: 80, protocol: secret-proto-XYZ}]\n      resources: {limits: {cpu: [secret-cpu-XYZ]}}\n",
            "XYZ",
            "field `spec.containers[0].resources.limits.cpu`",
        ),
    ];
    for (text, secret, expected) in cases {
        let errs = errors(text);
        assert_eq!(errs.len(), 1, "{text}: {errs:?}");
        assert!(!errs[0].contains(secret), "{secret} leaked: {}", errs[0]);
        assert!(errs[0].contains(expected), "{}", errs[0]);
        assert!(
            errs[0].starts_with("in.yaml:"),
            "file and line: {}",
            errs[0]
        );
    }
}

#[test]
fn serde_messages_lose_their_quoted_input() {
    let msg = r#"invalid type: string "a, expected b", expected a map"#;
    assert_eq!(
        safe_type_error(msg, Some(&json!("a, expected b"))),
        "expected a map, found a string"
    );
    assert_eq!(
        safe_type_error("unknown variant `s3cr3t`, expected `TCP` or `UDP`", None),
        "expected `TCP` or `UDP`, found another value"
    );
    assert_eq!(
        safe_type_error(
            "invalid value: integer `99`, expected u16",
            Some(&json!(99))
        ),
        "expected u16, found a value out of its range"
    );
    assert_eq!(
        safe_type_error("missing field `name`", None),
        "missing field `name`"
    );
    // Anything else may be a type's own parse error quoting its input: it is not repeated.
    assert_eq!(
        safe_type_error(
            "input contains invalid characters: s3cr3t",
            Some(&json!("s3cr3t"))
        ),
        "invalid value, found a string"
    );
}

#[test]
fn secrets_are_loaded_without_values_or_their_last_applied_copy() {
    let text = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\n  annotations:\n    {LAST_APPLIED}: '{{\"stringData\":{{\"password\":\"applied-s3cr3t\"}}}}'\n    team: shop\nstringData:\n  password: plain-s3cr3t\ndata:\n  token: YmFzZTY0LXMzY3IzdA==\n"
    );
    let inv = load_text("in.yaml", &text, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let s = &inv.secrets[0].value;
    let annotations = s.metadata.annotations.clone().unwrap_or_default();
    assert!(!annotations.contains_key(LAST_APPLIED), "{annotations:?}");
    assert_eq!(annotations.get("team").map(String::as_str), Some("shop"));
    let all = format!("{s:?}");
    for leaked in [
        "applied-s3cr3t",
        "plain-s3cr3t",
        "YmFzZTY0",
        "base64-s3cr3t",
    ] {
        assert!(!all.contains(leaked), "{leaked}: {all}");
    }
    // The keys stay: the rules need them.
    assert!(
        s.string_data
            .as_ref()
            .is_some_and(|d| d.contains_key("password"))
    );
    assert!(s.data.as_ref().is_some_and(|d| d.contains_key("token")));
}
