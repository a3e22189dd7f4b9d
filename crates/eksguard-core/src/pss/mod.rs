//! Pod Security Standards, evaluated exactly as the Kubernetes Pod Security Admission
//! controller evaluates them: every check of every policy version from v1.0 to the newest
//! (`LATEST`), with the upstream check ids and wording.
//!
//! `evaluate(meta, spec, level, version)` answers what PSA would answer for a pod (or a pod
//! template) in a namespace enforcing `level` at `version`.

mod checks;
pub mod level;
pub mod namespace;
pub mod report;

use std::fmt;
use std::str::FromStr;

use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

pub use checks::CHECKS;
pub use level::{Level, Violation};

/// The newest policy version this evaluator knows. `latest` means this version; a namespace
/// pinned to a newer version is evaluated with it too, as PSA does.
pub const LATEST_MINOR: u32 = 37;

/// A policy version: `v1.N`, or `latest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    Minor(u32),
    Latest,
}

impl Version {
    /// The minor version checks are selected for (`latest` and newer-than-known versions use
    /// the newest checks).
    pub fn effective_minor(self) -> u32 {
        match self {
            Self::Minor(m) => m,
            Self::Latest => LATEST_MINOR,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Minor(m) => write!(f, "v1.{m}"),
            Self::Latest => f.write_str("latest"),
        }
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "latest" {
            return Ok(Self::Latest);
        }
        s.strip_prefix("v1.")
            .and_then(|m| m.parse::<u32>().ok())
            .map(Self::Minor)
            .ok_or_else(|| format!("invalid Pod Security version `{s}` (expected v1.N or latest)"))
    }
}

/// The result of evaluating a pod at a level and version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub allowed: bool,
    pub violations: Vec<Violation>,
}

/// Evaluate a pod spec (with the pod's metadata, for the annotation-based checks of old
/// versions) as PSA does at `level` and `version`.
pub fn evaluate(meta: &ObjectMeta, spec: &PodSpec, level: Level, version: Version) -> Evaluation {
    let minor = version.effective_minor();
    let mut violations = Vec::new();
    if level != Level::Privileged {
        for check in CHECKS {
            if check.level > level {
                continue;
            }
            if level == Level::Restricted
                && CHECKS.iter().any(|c| {
                    c.level == Level::Restricted
                        && c.overrides.contains(&check.id)
                        && c.applies(minor)
                })
            {
                continue;
            }
            if let Some(v) = check.run(meta, spec, minor) {
                violations.push(v);
            }
        }
    }
    Evaluation {
        allowed: violations.is_empty(),
        violations,
    }
}

/// Evaluate one check by id at `version`, if it exists and applies at that version.
pub fn evaluate_check(
    id: &str,
    meta: &ObjectMeta,
    spec: &PodSpec,
    version: Version,
) -> Option<Violation> {
    let minor = version.effective_minor();
    CHECKS
        .iter()
        .find(|c| c.id == id)
        .and_then(|c| c.run(meta, spec, minor))
}
