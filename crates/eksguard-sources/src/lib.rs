//! Live sources: a running cluster through `kube`, its AWS account through the official
//! `aws-sdk-*` crates. Both produce [`Document`]s in exactly the formats `eksguard scan DIR`
//! reads (Kubernetes `List` JSON, AWS CLI-shaped JSON), so a live scan and a scan of its
//! snapshot see the same inventory, and any live scan can be reproduced offline.
//!
//! What a source could not read (no credentials, access denied, throttled after retries, an API
//! the cluster does not serve) is recorded per [`Input`] with the reason: the rules that need it
//! are then reported as *not evaluated: reason*, never as passed.

pub mod aws;
pub mod cloudwatch;
pub mod kube;

use std::collections::BTreeMap;
use std::path::Path;

use eksguard_core::Inventory;
use eksguard_core::inventory::{Input, LoadOptions, load_text};
use serde::Serialize;

/// One file of a snapshot: its path relative to the snapshot folder, and its JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// `kubernetes/apps.v1.deployments.json`, `aws/eks.describe-cluster.prod.json`, ...
    pub path: String,
    pub text: String,
}

/// An input a source tried and could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unavailable {
    pub input: Input,
    pub reason: String,
}

/// Everything live sources read.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    pub documents: Vec<Document>,
    pub unavailable: Vec<Unavailable>,
    /// API requests made, by kind of request (`GET apps/v1 deployments`, `eks:DescribeCluster`).
    pub requests: BTreeMap<String, u64>,
    /// Things the user should know that are not failures (a CRD group the cluster does not
    /// serve, a region guessed from the context).
    pub notes: Vec<String>,
}

/// The file a snapshot writes beside its documents, recording what could not be read; `scan`
/// recognises it, so a scan of the snapshot reports the same rules as not evaluated.
pub const MANIFEST: &str = "eksguard-snapshot.json";

impl Gathered {
    /// Add another source's results.
    pub fn extend(&mut self, other: Gathered) {
        self.documents.extend(other.documents);
        self.unavailable.extend(other.unavailable);
        for (k, v) in other.requests {
            *self.requests.entry(k).or_default() += v;
        }
        self.notes.extend(other.notes);
    }

    /// Record that `input` could not be read, and why.
    pub fn unavailable(&mut self, input: Input, reason: impl Into<String>) {
        self.unavailable.push(Unavailable {
            input,
            reason: reason.into(),
        });
    }

    /// Count one request of `kind`.
    pub fn count(&mut self, kind: impl Into<String>) {
        *self.requests.entry(kind.into()).or_default() += 1;
    }

    /// The snapshot manifest document.
    pub fn manifest(&self, version: &str) -> Document {
        let doc = serde_json::json!({
            "eksguard_snapshot": {
                "schema_version": "1",
                "tool_version": version,
                "unavailable": self.unavailable,
                "requests": self.requests,
                "notes": self.notes,
            }
        });
        Document {
            path: MANIFEST.to_string(),
            text: serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n",
        }
    }

    /// Build the inventory exactly as `scan DIR` of a snapshot would: every document through the
    /// same loader, plus the manifest.
    pub fn load(&self, prefix: &str, opts: &LoadOptions) -> Inventory {
        let mut inv = Inventory::default();
        for d in &self.documents {
            inv.extend(load_text(&format!("{prefix}{}", d.path), &d.text, opts));
        }
        for u in &self.unavailable {
            inv.mark_unavailable(u.input, u.reason.clone());
        }
        inv.drop_controlled_workloads();
        inv
    }

    /// Write a snapshot: every document and the manifest, under `dir`.
    pub fn write_snapshot(&self, dir: &Path, version: &str) -> std::io::Result<usize> {
        let manifest = self.manifest(version);
        let mut written = 0;
        for d in self.documents.iter().chain(std::iter::once(&manifest)) {
            let rel = Path::new(&d.path);
            if rel.is_absolute()
                || rel
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir))
            {
                return Err(std::io::Error::other(format!(
                    "refusing to write outside the snapshot: {}",
                    d.path
                )));
            }
            let path = dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, &d.text)?;
            written += 1;
        }
        Ok(written)
    }
}
