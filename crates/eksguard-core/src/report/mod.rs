//! Output formats. Each sees only the report (findings and rule metadata) and returns text.

pub mod audit;
mod json;
mod sarif;
mod table;

use std::fmt;
use std::str::FromStr;

use crate::engine::Report;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Table, Format::Json, Format::Sarif];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Json => "json",
            Self::Sarif => "sarif",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown format `{s}` (expected table, json or sarif)"))
    }
}

/// Render `report` as `format`. `color` adds ANSI colours to the table (callers pass `true`
/// only for a terminal that wants colour).
pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Table => table::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
    }
}
