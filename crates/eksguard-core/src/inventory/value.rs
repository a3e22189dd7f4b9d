//! Objects that are already parsed JSON values (the `object` of an admission review), loaded
//! without serialising them back to text and parsing that text again.
//!
//! The text path costs a copy of the text, the YAML parser's own value and a field path for
//! every field (each path repeating all its ancestors' keys): for a 3 MiB Pod with 60,000
//! volumes, tens of times the body. A value has no lines to point at, so it gets no field
//! lines; everything else (typed objects, Secret values dropped, the checks of every kind) is
//! the text loader's own code.

use std::sync::Arc;

use serde_json::Value;

use super::Inventory;
use super::load::load_document;
use super::text::{Document, FieldLines};

/// Load `values` into a new inventory, each one document of the input named `path`, as
/// [`load_text`](super::load_text) loads the documents of a file. The values' nesting is the
/// caller's to bound (serde_json's parser stops at 128 levels, under the loader's 200).
pub fn load_values(path: &str, values: impl IntoIterator<Item = Value>) -> Inventory {
    let mut inv = Inventory::default();
    let path: Arc<str> = path.into();
    for value in values {
        inv.documents += 1;
        let doc = Document {
            value,
            start_line: 1,
            end_line: 1,
            fields: FieldLines::default(),
        };
        load_document(&mut inv, &path, doc);
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{LoadOptions, load_text};

    #[test]
    fn a_value_loads_as_its_text_does() {
        let pod = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]}
        });
        let secret = serde_json::json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "db", "namespace": "shop"},
            "stringData": {"password": "hunter2"}
        });
        let from_values = load_values("admission", [pod.clone(), secret.clone()]);
        let from_text = load_text(
            "admission",
            &format!("{pod}\n---\n{secret}"),
            &LoadOptions::default(),
        );
        assert!(from_values.errors.is_empty(), "{:?}", from_values.errors);
        assert_eq!(from_values.documents, 2);
        assert_eq!(from_values.workloads.len(), 1);
        assert_eq!(
            from_values.workloads[0].res, from_text.workloads[0].res,
            "the same object"
        );
        assert_eq!(from_values.workloads[0].spec, from_text.workloads[0].spec);
        assert_eq!(from_values.secrets.len(), 1);
        assert!(!format!("{:?}", from_values.secrets[0].value).contains("hunter2"));
    }

    #[test]
    fn a_value_that_is_not_an_object_is_skipped_and_a_bad_field_is_an_error() {
        let inv = load_values(
            "admission",
            [
                serde_json::json!("text"),
                serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": "no"}}),
            ],
        );
        assert_eq!(inv.skipped.len(), 1);
        assert_eq!(inv.errors.len(), 1);
        assert!(
            inv.errors[0].message.contains("containers"),
            "{:?}",
            inv.errors
        );
    }
}
