//! Where a finding points: the resource it is about ([`ResourceRef`]), where that resource came
//! from ([`Source`]: file, lines, the line of each field), and an object with both ([`Obj`]). A
//! leaf of `inventory`: the workload view and the inventory itself hold these.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use super::text::FieldLines;

/// What a finding is about: a Kubernetes object, or an AWS resource.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
pub struct ResourceRef {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

impl ResourceRef {
    pub fn aws(kind: &str, name: &str, arn: Option<&str>) -> Self {
        Self {
            kind: kind.to_string(),
            namespace: None,
            name: name.to_string(),
            api_version: None,
            arn: arn.filter(|a| !a.is_empty()).map(str::to_string),
        }
    }
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// Where an object came from: a file and line range (or an API, for live sources), and the
/// line of each of its fields.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: Arc<str>,
    pub start_line: u32,
    pub end_line: u32,
    /// Field path of the object inside its document (`items[3]` for a `List` item,
    /// `cluster` for `describe-cluster` output); empty when the object is the document.
    pub base: Box<str>,
    pub fields: Arc<FieldLines>,
}

impl Source {
    /// A source with no file (e.g. an object built in a test or read from an API).
    pub fn api(path: &str) -> Self {
        Self {
            path: path.into(),
            start_line: 0,
            end_line: 0,
            base: "".into(),
            fields: Arc::default(),
        }
    }

    /// Line range of `field` (relative to the object), or of its closest existing ancestor.
    pub fn lines_of(&self, field: &str) -> (u32, u32) {
        let full = if self.base.is_empty() {
            field.to_string()
        } else if field.is_empty() {
            self.base.to_string()
        } else if field.starts_with('[') {
            format!("{}{field}", self.base)
        } else {
            format!("{}.{field}", self.base)
        };
        match self.fields.lookup(&full) {
            Some((s, e)) if s >= self.start_line => (s, e),
            _ => (self.start_line, self.end_line),
        }
    }
}

/// An object with its identity and origin.
#[derive(Debug, Clone)]
pub struct Obj<T> {
    pub value: T,
    pub res: ResourceRef,
    pub src: Source,
}

impl<T> std::ops::Deref for Obj<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Anything a finding can be reported on.
pub trait Located {
    fn res(&self) -> &ResourceRef;
    fn src(&self) -> &Source;
}

impl<T> Located for Obj<T> {
    fn res(&self) -> &ResourceRef {
        &self.res
    }
    fn src(&self) -> &Source {
        &self.src
    }
}
