//! What can go wrong loading policies (named by file, line and column) and evaluating them
//! (named by policy package and file).

use std::fmt;
use std::time::Duration;

/// One problem with a policy file: a Rego syntax error, a bad METADATA block, an id that
/// collides with a built-in rule, an unreadable file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LoadError {
    pub path: String,
    pub line: Option<u32>,
    pub col: Option<u32>,
    pub message: String,
}

impl LoadError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            line: None,
            col: None,
            message: message.into(),
        }
    }

    pub(crate) fn at(mut self, line: u32, col: u32) -> Self {
        self.line = Some(line);
        self.col = Some(col);
        self
    }
}

impl fmt::Display for LoadError {
    /// `FILE:LINE:COL: message` (line and column when known).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.col {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found loading a set of policy folders (never only the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    /// One error per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

/// Why evaluating a policy failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalErrorKind {
    /// The policy ran past the time budget and was stopped.
    Timeout { budget: Duration },
    /// Rego raised an error (a failing builtin, a conflict between rule values, ...).
    Runtime { message: String },
    /// `deny` returned something that is not a result of the convention.
    BadResult { message: String },
}

/// A policy package that could not be evaluated on an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// `eksguard.registries`.
    pub package: String,
    /// The files of the package.
    pub files: Vec<String>,
    /// The object it was evaluated on (`Deployment shop/web`), when known.
    pub object: Option<String>,
    pub kind: EvalErrorKind,
}

impl EvalError {
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, EvalErrorKind::Timeout { .. })
    }

    /// The report error for this failure: the policy file (and line, when Rego gave one).
    pub fn to_load_error(&self) -> eksguard_core::inventory::LoadError {
        let (path, line, message) = match &self.kind {
            EvalErrorKind::Runtime { message } => match split_location(message) {
                Some((file, line, _col, msg)) => (file, Some(line), msg),
                None => (self.file(), None, message.clone()),
            },
            _ => (self.file(), None, String::new()),
        };
        let message = if message.is_empty() {
            self.to_string()
        } else {
            format!("{}: {message}", self.subject())
        };
        eksguard_core::inventory::LoadError {
            path,
            line,
            message,
        }
    }

    fn file(&self) -> String {
        self.files.join(", ")
    }

    /// `policy eksguard.x (x.rego) on Pod a/b`.
    fn subject(&self) -> String {
        let mut s = format!("policy {} ({})", self.package, self.files.join(", "));
        if let Some(o) = &self.object {
            s.push_str(" on ");
            s.push_str(o);
        }
        s
    }
}

/// `50 ms`, `0.5 ms`.
pub(crate) fn millis(d: Duration) -> String {
    if d.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{} ms", d.as_millis())
    } else {
        let ms = d.as_secs_f64() * 1000.0;
        format!("{ms:.3} ms")
    }
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = self.subject();
        match &self.kind {
            EvalErrorKind::Timeout { budget } => write!(
                f,
                "{subject} exceeded its time budget of {} and was stopped",
                millis(*budget)
            ),
            EvalErrorKind::Runtime { message } => match split_location(message) {
                Some((file, line, col, msg)) => write!(f, "{subject}: {file}:{line}:{col}: {msg}"),
                None => write!(f, "{subject}: {message}"),
            },
            EvalErrorKind::BadResult { message } => write!(f, "{subject}: {message}"),
        }
    }
}

impl std::error::Error for EvalError {}

/// Split regorus' rendered error (`\n--> FILE:LINE:COL\n  |\n5 | code\n  |   ^\nerror: MSG`)
/// into its location and message.
pub(crate) fn split_location(rendered: &str) -> Option<(String, u32, u32, String)> {
    let start = rendered.find("--> ")? + 4;
    let loc = rendered.get(start..)?.lines().next()?;
    let mut parts = loc.rsplitn(3, ':');
    let col = parts.next()?.trim().parse().ok()?;
    let line = parts.next()?.trim().parse().ok()?;
    let file = parts.next()?.to_string();
    let message = rendered
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .map_or_else(
            || {
                rendered
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            },
            |m| m.trim().to_string(),
        );
    Some((file, line, col, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regorus_messages_split_into_location_and_message() {
        let m =
            "\n--> dir/a.rego:5:7\n  |\n5 |   y = = 1\n  |       ^\nerror: expecting expression";
        assert_eq!(
            split_location(m),
            Some(("dir/a.rego".into(), 5, 7, "expecting expression".into()))
        );
        assert_eq!(split_location("no location"), None);
        assert_eq!(split_location("--> a:b:c"), None);
    }

    #[test]
    fn budgets_print_in_milliseconds() {
        assert_eq!(millis(Duration::from_millis(50)), "50 ms");
        assert_eq!(millis(Duration::from_micros(500)), "0.500 ms");
    }
}
