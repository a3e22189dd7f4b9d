//! The versioned JSON report (`schema_version`).

use crate::engine::Report;

/// Bytes of pretty JSON per finding, about (references and remediation included): the buffer is
/// sized once, so a report of tens of megabytes is not copied again at every doubling.
const BYTES_PER_FINDING: usize = 1_600;

pub fn render(report: &Report) -> String {
    let findings = report.findings.len() + report.suppressed.len();
    let mut buf = Vec::with_capacity(4_096 + findings.saturating_mul(BYTES_PER_FINDING));
    let mut s = match serde_json::to_writer_pretty(&mut buf, report) {
        // serde_json writes UTF-8 only.
        Ok(()) => String::from_utf8(buf)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        // Serializing plain data cannot fail; keep the output valid JSON if it ever does.
        Err(e) => format!("{{\"error\": \"cannot serialize report: {e}\"}}"),
    };
    s.push('\n');
    s
}
