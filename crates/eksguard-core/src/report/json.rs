//! The versioned JSON report (`schema_version`).

use crate::engine::Report;

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serializing plain data cannot fail; keep the output valid JSON if it ever does.
        format!("{{\"error\": \"cannot serialize report: {e}\"}}")
    });
    s.push('\n');
    s
}
