//! The level of a Pod Security Standards policy and the record of a violated check: a leaf
//! that the checks (`checks`) and the evaluator (`pss`) both import.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Privileged => "privileged",
            Self::Baseline => "baseline",
            Self::Restricted => "restricted",
        }
    }

    /// The next stricter level.
    pub fn stricter(self) -> Option<Level> {
        match self {
            Self::Privileged => Some(Self::Baseline),
            Self::Baseline => Some(Self::Restricted),
            Self::Restricted => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "privileged" => Ok(Self::Privileged),
            "baseline" => Ok(Self::Baseline),
            "restricted" => Ok(Self::Restricted),
            _ => Err(format!(
                "unknown Pod Security level `{s}` (expected privileged, baseline or restricted)"
            )),
        }
    }
}

/// One violated check, worded as PSA words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Upstream check id (`privileged`, `seccompProfile_restricted`, ...).
    pub check: &'static str,
    /// PSA's forbidden reason (`privileged`, `host namespaces`, ...).
    pub reason: String,
    /// PSA's forbidden detail (`container "web" must not set securityContext.privileged=true`).
    pub detail: String,
    /// Field paths, relative to the pod spec's owner object's pod spec (`containers[0].securityContext.privileged`),
    /// or to the metadata (`metadata.annotations[...]`), that cause the violation.
    #[serde(skip)]
    pub fields: Vec<String>,
}

impl Violation {
    /// `privileged (container "web" must not set securityContext.privileged=true)`, the way
    /// PSA prints each violation in its warnings and denials.
    pub fn message(&self) -> String {
        if self.detail.is_empty() {
            self.reason.clone()
        } else {
            format!("{} ({})", self.reason, self.detail)
        }
    }
}
