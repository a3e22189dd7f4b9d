//! YAML and JSON text to JSON values, with the line span of every field.
//!
//! Manifests are untrusted input. This parser is bounded: nesting depth, values materialised
//! through YAML aliases ("billion laughs") and input size are all limited, and a syntax error in
//! one document of a multi-document stream does not lose the documents around it.
//!
//! Scalars are resolved the way `kubectl` resolves them (sigs.k8s.io/yaml, i.e. YAML 1.1
//! booleans such as `yes`/`on`, and merge keys `<<`), so that eksguard sees the same object the
//! API server would receive: `privileged: yes` is `true` for both.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};

/// Bounds on what one input may cost.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest input, in bytes, that is parsed at all.
    pub max_bytes: u64,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most values that YAML aliases may materialise in one input.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024 * 1024,
            max_depth: 200,
            max_alias_nodes: 250_000,
        }
    }
}

/// Line spans of the fields of one document, keyed by field path (`spec.containers[0].image`,
/// `metadata.annotations["eks.amazonaws.com/role-arn"]`). Lines are 1-based.
///
/// Every path is kept in one string and found by binary search over entries sorted by path:
/// 16 bytes and the path's text per field, where a hash map of boxed paths took about 80. A
/// cluster's inventory holds millions of them.
#[derive(Debug, Default, Clone)]
pub struct FieldLines {
    /// Every path, one after the other.
    paths: String,
    /// Sorted by path (and each path once) once the document is complete.
    entries: Vec<FieldEntry>,
    sorted: bool,
}

#[derive(Debug, Clone, Copy)]
struct FieldEntry {
    offset: u32,
    len: u32,
    start: u32,
    end: u32,
}

impl FieldLines {
    fn path_of(&self, e: FieldEntry) -> &str {
        let at = e.offset as usize;
        self.paths.get(at..at + e.len as usize).unwrap_or_default()
    }

    /// Record `path` at `span`; the index lets the parser extend the span of a collection once
    /// it ends. A later span of the same path replaces an earlier one (duplicate keys: the
    /// last wins, as in the parsed value). A path beyond the 4 GiB of paths a document may
    /// record is not recorded: its findings point at its closest recorded parent.
    fn insert(&mut self, path: &str, span: (u32, u32)) -> Option<usize> {
        let offset = u32::try_from(self.paths.len()).ok()?;
        let len = u32::try_from(path.len()).ok()?;
        offset.checked_add(len)?;
        self.paths.push_str(path);
        self.entries.push(FieldEntry {
            offset,
            len,
            start: span.0,
            end: span.1,
        });
        self.sorted = false;
        Some(self.entries.len() - 1)
    }

    /// Extend the span recorded by [`FieldLines::insert`] to end at `end`.
    fn set_end(&mut self, index: Option<usize>, end: u32) {
        if let Some(e) = index.and_then(|i| self.entries.get_mut(i)) {
            e.end = end.max(e.start);
        }
    }

    /// Sort the entries by path and keep the last span of each path.
    fn finish(&mut self) {
        // Reversed, a stable sort puts the last recorded span of a path first; dedup keeps it.
        self.entries.reverse();
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by(|a, b| self.path_of(*a).cmp(self.path_of(*b)));
        entries.dedup_by(|a, b| self.path_of(*a) == self.path_of(*b));
        entries.shrink_to_fit();
        self.entries = entries;
        self.paths.shrink_to_fit();
        self.sorted = true;
    }

    /// The span of `path`, or of its closest ancestor that exists (a finding about a missing
    /// field points at the object that should have it).
    pub fn lookup(&self, path: &str) -> Option<(u32, u32)> {
        let mut p = path;
        loop {
            if let Some(span) = self.get(p) {
                return Some(span);
            }
            if p.is_empty() {
                return None;
            }
            p = parent_path(p);
        }
    }

    /// Exact span of `path`, if present.
    pub fn get(&self, path: &str) -> Option<(u32, u32)> {
        let found = if self.sorted {
            self.entries
                .binary_search_by(|e| self.path_of(*e).cmp(path))
                .ok()
                .map(|i| self.entries[i])
        } else {
            // While the document is being parsed: the last span of the path.
            self.entries
                .iter()
                .rev()
                .find(|e| self.path_of(**e) == path)
                .copied()
        };
        found.map(|e| (e.start, e.end))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The parent of a field path: `a.b[2]` -> `a.b`, `a.b` -> `a`, `a["x.y"]` -> `a`, `a` -> ``.
pub fn parent_path(path: &str) -> &str {
    let bytes = path.as_bytes();
    let Some(&last) = bytes.last() else {
        return "";
    };
    if last == b']' {
        // Index `[3]` or quoted key `["k"]`: find the opening bracket of this segment.
        if let Some(open) = segment_open_bracket(path) {
            return &path[..open];
        }
        return "";
    }
    match path.rfind('.') {
        Some(i) if !inside_quoted_segment(path, i) => &path[..i],
        _ => "",
    }
}

fn segment_open_bracket(path: &str) -> Option<usize> {
    let b = path.as_bytes();
    if b.len() >= 2 && b[b.len() - 2] == b'"' {
        // ["...."]: scan back for `["` that is not escaped.
        let body = &path[..path.len() - 2];
        let mut search = body.len();
        while let Some(i) = body[..search].rfind("[\"") {
            // Count backslashes before the quote that would escape it: keys with `["` inside
            // are vanishingly rare; accept the first unescaped match.
            if i == 0 || b[i - 1] != b'\\' {
                return Some(i);
            }
            search = i;
        }
        None
    } else {
        path.rfind('[')
    }
}

fn inside_quoted_segment(path: &str, dot: usize) -> bool {
    // A dot inside `["a.b"]` is part of a key. Quoted segments always end the path or are
    // followed by `.`/`[`; check whether an unclosed `["` precedes the dot.
    let before = &path[..dot];
    match (before.rfind("[\""), before.rfind("\"]")) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Append a mapping key to a field path, quoting it when it is not a plain identifier.
pub fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'$');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push_str("[\"");
        for c in key.chars() {
            if c == '"' || c == '\\' {
                path.push('\\');
            }
            path.push(c);
        }
        path.push_str("\"]");
    }
}

/// Append a sequence index to a field path.
pub fn push_index(path: &mut String, index: usize) {
    use std::fmt::Write;
    let _ = write!(path, "[{index}]");
}

/// One parsed document.
#[derive(Debug)]
pub struct Document {
    pub value: Value,
    pub start_line: u32,
    pub end_line: u32,
    pub fields: FieldLines,
}

/// A parse failure, with the 1-based line where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextError {
    pub line: Option<u32>,
    pub message: String,
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Parse YAML or JSON text into its documents. Errors are returned alongside the documents
/// that did parse: a broken document never hides its neighbours.
pub fn parse(text: &str, limits: &Limits) -> (Vec<Document>, Vec<TextError>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.trim_start().as_bytes().first().copied();
    if matches!(first, Some(b'{' | b'[')) {
        // JSON (or flow YAML). Parse as one document: JSON has no document separators.
        match parse_chunk(text, 0, limits) {
            Ok(mut d) => docs.append(&mut d),
            Err(e) => {
                // Fall back to serde_json for JSON that the YAML scanner refuses (tabs, ...).
                // serde_json is bounded too (recursion limit 128).
                match serde_json::from_str::<Value>(text) {
                    Ok(value) if depth_ok(&value, limits.max_depth) => docs.push(Document {
                        value,
                        start_line: 1,
                        end_line: u32::try_from(text.lines().count()).unwrap_or(u32::MAX),
                        fields: FieldLines::default(),
                    }),
                    Ok(_) => errors.push(e),
                    Err(je) => errors.push(TextError {
                        line: u32::try_from(je.line()).ok().filter(|l| *l > 0),
                        message: je.to_string(),
                    }),
                }
            }
        }
        return (docs, errors);
    }
    for (offset, chunk) in split_documents(text) {
        match parse_chunk(chunk, offset, limits) {
            Ok(mut d) => docs.append(&mut d),
            Err(e) => errors.push(e),
        }
    }
    (docs, errors)
}

fn depth_ok(v: &Value, max: usize) -> bool {
    // Iterative: `v` may be deep.
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        if d > max {
            return false;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    true
}

/// Split a YAML stream at `---` document markers (column 0), returning each chunk with the
/// number of lines before it. A marker at column 0 always ends a document in YAML, so this
/// never splits inside one; it lets a syntax error stay inside its own document.
fn split_documents(text: &str) -> Vec<(u32, &str)> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut start_line = 0u32;
    let mut pos = 0usize;
    for (line_no, line) in text.split_inclusive('\n').enumerate() {
        let line_no = u32::try_from(line_no).unwrap_or(u32::MAX);
        let is_marker = line.starts_with("---")
            && line[3..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t' || c == '\n' || c == '\r');
        if is_marker && pos > start {
            out.push((start_line, &text[start..pos]));
            start = pos;
            start_line = line_no;
        }
        pos += line.len();
    }
    if start < text.len() {
        out.push((start_line, &text[start..]));
    }
    out
}

enum Frame {
    Seq {
        items: Vec<Value>,
        path_len: usize,
        anchor: usize,
        nodes_at_start: usize,
        /// Its entry in the document's field lines.
        field: Option<usize>,
    },
    Map {
        map: Map<String, Value>,
        key: Option<String>,
        merges: Vec<Value>,
        path_len: usize,
        anchor: usize,
        nodes_at_start: usize,
        field: Option<usize>,
    },
}

struct Builder<'l> {
    limits: &'l Limits,
    line_offset: u32,
    path: String,
    stack: Vec<Frame>,
    fields: FieldLines,
    anchors: HashMap<usize, (Value, usize)>,
    nodes: usize,
    alias_nodes: usize,
    max_line: u32,
    doc_start: Option<u32>,
    docs: Vec<Document>,
}

fn line_of(span: &Span, offset: u32) -> u32 {
    u32::try_from(span.start.line())
        .unwrap_or(u32::MAX)
        .saturating_add(offset)
}

fn end_line_of(span: &Span, offset: u32) -> u32 {
    // saphyr's end marker sits just past the token; a token ending at column 0 ended on the
    // previous line.
    let l = u32::try_from(span.end.line()).unwrap_or(u32::MAX);
    let l = if span.end.col() == 0 && span.end.line() > span.start.line() {
        l - 1
    } else {
        l
    };
    l.saturating_add(offset)
}

fn parse_chunk(text: &str, line_offset: u32, limits: &Limits) -> Result<Vec<Document>, TextError> {
    let mut b = Builder {
        limits,
        line_offset,
        path: String::new(),
        stack: Vec::new(),
        fields: FieldLines::default(),
        anchors: HashMap::new(),
        nodes: 0,
        alias_nodes: 0,
        max_line: 0,
        doc_start: None,
        docs: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    while let Some(item) = parser.next_event() {
        let (event, span) = item.map_err(|e| TextError {
            line: Some(
                u32::try_from(e.marker().line())
                    .unwrap_or(u32::MAX)
                    .saturating_add(line_offset),
            ),
            message: e.info().to_string(),
        })?;
        b.event(event, &span)?;
    }
    Ok(b.docs)
}

impl Builder<'_> {
    fn err(&self, span: &Span, message: impl Into<String>) -> TextError {
        TextError {
            line: Some(line_of(span, self.line_offset)),
            message: message.into(),
        }
    }

    fn event(&mut self, event: Event<'_>, span: &Span) -> Result<(), TextError> {
        match event {
            Event::DocumentStart(_) => {
                self.fields = FieldLines::default();
                self.anchors.clear();
                self.doc_start = None;
                self.max_line = 0;
            }
            Event::Scalar(text, style, anchor, tag) => {
                // A scalar in key position is a key, not a value: keep its text as written
                // (`on:` stays "on"), as users and the Kubernetes schema mean it.
                if let Some(Frame::Map { key, .. }) = self.stack.last_mut()
                    && key.is_none()
                {
                    *key = Some(text.into_owned());
                    self.max_line = self.max_line.max(end_line_of(span, self.line_offset));
                    return Ok(());
                }
                let value = resolve_scalar(&text, style, tag.as_deref().map(|t| t.suffix.as_str()));
                self.nodes += 1;
                let start = line_of(span, self.line_offset);
                let end = end_line_of(span, self.line_offset).max(start);
                self.max_line = self.max_line.max(end);
                if anchor > 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.enter_value(start);
                self.fields.insert(&self.path, (start, end));
                self.complete(value);
            }
            Event::Alias(id) => {
                let Some((value, count)) = self.anchors.get(&id) else {
                    return Err(self.err(span, format!("unknown alias (anchor id {id})")));
                };
                let count = *count;
                self.alias_nodes = self.alias_nodes.saturating_add(count);
                if self.alias_nodes > self.limits.max_alias_nodes {
                    return Err(self.err(
                        span,
                        format!(
                            "YAML aliases expand to more than {} values (an alias bomb?); refusing to expand",
                            self.limits.max_alias_nodes
                        ),
                    ));
                }
                let value = value.clone();
                // Values materialised through the alias count as nodes of their container,
                // so an alias of an alias is charged for everything it expands to.
                self.nodes = self.nodes.saturating_add(count);
                if let Some(Frame::Map { key, .. }) = self.stack.last_mut()
                    && key.is_none()
                {
                    *key = Some(match value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    });
                    return Ok(());
                }
                let start = line_of(span, self.line_offset);
                self.max_line = self.max_line.max(start);
                self.enter_value(start);
                self.fields.insert(&self.path, (start, start));
                self.complete(value);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let is_map = matches!(event, Event::MappingStart(..));
                if let Some(Frame::Map { key, .. }) = self.stack.last()
                    && key.is_none()
                {
                    return Err(self.err(span, "complex mapping keys are not supported"));
                }
                if self.stack.len() >= self.limits.max_depth {
                    return Err(self.err(
                        span,
                        format!("nesting deeper than {} levels", self.limits.max_depth),
                    ));
                }
                self.nodes += 1;
                let start = line_of(span, self.line_offset);
                self.max_line = self.max_line.max(start);
                self.enter_value(start);
                let field = self.fields.insert(&self.path, (start, start));
                let path_len = self.path.len();
                let nodes_at_start = self.nodes;
                self.stack.push(if is_map {
                    Frame::Map {
                        map: Map::new(),
                        key: None,
                        merges: Vec::new(),
                        path_len,
                        anchor,
                        nodes_at_start,
                        field,
                    }
                } else {
                    Frame::Seq {
                        items: Vec::new(),
                        path_len,
                        anchor,
                        nodes_at_start,
                        field,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                // A flow collection ends at its `]`/`}`; a block collection's end event sits at
                // the next token (an empty span), which is not part of it.
                if span.end.index() > span.start.index() {
                    self.max_line = self.max_line.max(line_of(span, self.line_offset));
                }
                let Some(frame) = self.stack.pop() else {
                    return Err(self.err(span, "unbalanced collection end"));
                };
                let (value, path_len, anchor, nodes_at_start, field) = match frame {
                    Frame::Seq {
                        items,
                        path_len,
                        anchor,
                        nodes_at_start,
                        field,
                    } => (Value::Array(items), path_len, anchor, nodes_at_start, field),
                    Frame::Map {
                        mut map,
                        merges,
                        path_len,
                        anchor,
                        nodes_at_start,
                        field,
                        ..
                    } => {
                        apply_merges(&mut map, merges);
                        (Value::Object(map), path_len, anchor, nodes_at_start, field)
                    }
                };
                self.path.truncate(path_len);
                self.fields.set_end(field, self.max_line);
                if anchor > 0 {
                    let count = self.nodes - nodes_at_start + 1;
                    self.anchors.insert(anchor, (value.clone(), count));
                }
                self.complete(value);
            }
            Event::DocumentEnd | Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Extend the path for the value that is starting, and note the document start.
    fn enter_value(&mut self, start: u32) {
        if self.doc_start.is_none() {
            self.doc_start = Some(start);
        }
        match self.stack.last() {
            Some(Frame::Map { key: Some(k), .. }) => {
                let k = k.clone();
                push_key(&mut self.path, &k);
            }
            Some(Frame::Seq { items, .. }) => {
                let i = items.len();
                push_index(&mut self.path, i);
            }
            _ => {}
        }
    }

    /// Attach a finished value to its parent (or finish the document).
    fn complete(&mut self, value: Value) {
        match self.stack.last_mut() {
            Some(Frame::Map {
                map,
                key,
                merges,
                path_len,
                ..
            }) => {
                let k = key.take().unwrap_or_default();
                self.path.truncate(*path_len);
                if k == "<<" && matches!(value, Value::Object(_) | Value::Array(_)) {
                    merges.push(value);
                } else {
                    map.insert(k, value);
                }
            }
            Some(Frame::Seq {
                items, path_len, ..
            }) => {
                self.path.truncate(*path_len);
                items.push(value);
            }
            None => {
                self.path.clear();
                let start = self.doc_start.take().unwrap_or(1);
                let mut fields = std::mem::take(&mut self.fields);
                if value.is_null() {
                    // An empty document (only comments, or `---` with nothing after it).
                    return;
                }
                fields.finish();
                self.docs.push(Document {
                    value,
                    start_line: start,
                    end_line: self.max_line.max(start),
                    fields,
                });
            }
        }
    }
}

fn apply_merges(map: &mut Map<String, Value>, merges: Vec<Value>) {
    for m in merges {
        let sources: Vec<Value> = match m {
            Value::Array(a) => a,
            other => vec![other],
        };
        for src in sources {
            if let Value::Object(o) = src {
                for (k, v) in o {
                    map.entry(k).or_insert(v);
                }
            }
        }
    }
}

/// Resolve a scalar as sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) does for plain scalars.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    if let Some(tag) = tag {
        match tag {
            "null" => return Value::Null,
            "bool" | "int" | "float" => {}
            // `!!str`, `!!binary` and custom tags keep the text.
            _ => return Value::String(text.to_string()),
        }
    } else if style != ScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    if let Some(n) = parse_int(text) {
        return Value::Number(n);
    }
    if looks_like_float(text)
        && let Ok(f) = text.replace('_', "").parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

fn parse_int(text: &str) -> Option<Number> {
    let (neg, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let (radix, body) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = digits.strip_prefix("0o") {
        (8, o)
    } else if let Some(b) = digits.strip_prefix("0b") {
        (2, b)
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_hexdigit() || c == b'_') {
        return None;
    }
    if radix == 10 && !body.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
        return None;
    }
    let clean: String = body.chars().filter(|c| *c != '_').collect();
    let mag = u64::from_str_radix(&clean, radix).ok()?;
    if neg {
        let v = i64::try_from(mag).ok()?;
        Some(Number::from(-v))
    } else {
        Some(Number::from(mag))
    }
}

fn looks_like_float(text: &str) -> bool {
    let t = text.trim_start_matches(['-', '+']);
    !t.is_empty()
        && t.bytes()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == b'.')
        && t.bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'-' | b'+' | b'_'))
        && t.bytes().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Document {
        let (mut docs, errs) = parse(text, &Limits::default());
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    #[test]
    fn lines_of_fields() {
        let d = one("a: 1\nb:\n  c: [x, y]\n  d:\n    - e: true\n");
        assert_eq!(d.fields.get("a"), Some((1, 1)));
        assert_eq!(d.fields.get("b.c[1]"), Some((3, 3)));
        assert_eq!(d.fields.get("b.d[0].e"), Some((5, 5)));
        assert_eq!(d.fields.lookup("b.d[0].missing"), Some((5, 5)));
        assert_eq!(d.start_line, 1);
        assert_eq!(d.end_line, 5);
        // Collections span their content; the root is the empty path.
        assert_eq!(d.fields.get("b"), Some((3, 5)));
        assert_eq!(d.fields.get("b.d"), Some((5, 5)));
        assert_eq!(d.fields.get(""), Some((1, 5)));
        assert_eq!(d.fields.get("b.c[2]"), None);
        assert_eq!(d.fields.lookup("zz.top"), Some((1, 5)));
    }

    #[test]
    fn a_duplicate_key_has_the_lines_of_its_last_occurrence() {
        // Like the parsed value (the last `a` wins), the lines are those of the last `a`.
        let d = one("a:
  x: 1
b: 2
a:
  y: 3
  z: 4
");
        assert_eq!(d.value["a"], serde_json::json!({"y": 3, "z": 4}));
        assert_eq!(d.fields.get("a"), Some((5, 6)));
        assert_eq!(d.fields.get("a.y"), Some((5, 5)));
        assert_eq!(d.fields.get("a.x"), Some((2, 2)));
        assert_eq!(d.fields.get("b"), Some((3, 3)));
    }

    #[test]
    fn quoted_keys_in_paths() {
        let d = one("metadata:\n  annotations:\n    eks.amazonaws.com/role-arn: x\n");
        assert_eq!(
            d.fields
                .get("metadata.annotations[\"eks.amazonaws.com/role-arn\"]"),
            Some((3, 3))
        );
        assert_eq!(
            parent_path("metadata.annotations[\"eks.amazonaws.com/role-arn\"]"),
            "metadata.annotations"
        );
        assert_eq!(parent_path("a.b[2]"), "a.b");
        assert_eq!(parent_path("a"), "");
    }

    #[test]
    fn yaml_1_1_scalars_like_kubectl() {
        let d = one("a: yes\nb: 'yes'\nc: 0x10\nd: 1.5\ne: ~\nf: \"1\"\ng: -3\n");
        assert_eq!(
            d.value,
            serde_json::json!({"a": true, "b": "yes", "c": 16, "d": 1.5, "e": null, "f": "1", "g": -3})
        );
    }

    #[test]
    fn merge_keys() {
        let d = one("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        assert_eq!(d.value["m"], serde_json::json!({"x": 1, "y": 3}));
    }

    #[test]
    fn multi_document_error_keeps_neighbours() {
        let text = "a: 1\n---\nb: [unclosed\n---\nc: 3\n";
        let (docs, errs) = parse(text, &Limits::default());
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].start_line, 5);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].line.is_some_and(|l| (3..=5).contains(&l)),
            "{errs:?}"
        );
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(",");
            let _ = std::fmt::Write::write_fmt(
                &mut text,
                format_args!("{}: &{} [{refs}]\n", w[1], w[1]),
            );
        }
        let (docs, errs) = parse(&text, &Limits::default());
        assert!(docs.is_empty());
        assert!(errs[0].message.contains("alias bomb"), "{errs:?}");
    }

    #[test]
    fn deep_json_is_refused() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let (docs, errs) = parse(&text, &Limits::default());
        assert!(docs.is_empty());
        assert_eq!(errs.len(), 1);
    }

    #[test]
    fn json_documents_have_lines() {
        let d = one("{\n    \"cluster\": {\n        \"name\": \"prod\"\n    }\n}\n");
        assert_eq!(d.fields.get("cluster.name"), Some((3, 3)));
    }

    #[test]
    fn empty_and_comment_documents_are_not_documents() {
        let (docs, errs) = parse("# nothing\n---\n---\n", &Limits::default());
        assert!(errs.is_empty());
        assert!(docs.is_empty());
    }
}
