//! YAML and JSON text to JSON values, with the line span of every field.
//!
//! Manifests are untrusted input. This parser is bounded: nesting depth and what YAML anchors
//! and aliases may copy ("billion laughs", counted in values and in bytes, per input) are
//! limited, field paths cost memory in proportion to the input (each field keeps its own key,
//! never its ancestors' again), a syntax error in one document of a multi-document stream does
//! not lose the documents around it, and neither does a byte that is not UTF-8 (the input is
//! split into documents before it is decoded).
//!
//! Scalars are resolved the way `kubectl` resolves them (sigs.k8s.io/yaml, i.e. YAML 1.1
//! booleans such as `yes`/`on`, and merge keys `<<`), so that eksguard sees the same object the
//! API server would receive: `privileged: yes` is `true` for both.

use std::collections::HashMap;
use std::ops::Range;

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
    /// Bytes that YAML anchors and aliases may copy in one input, per byte of the input, on top
    /// of [`ALIAS_BYTES_FLOOR`]. A copy is counted as the memory of the values it holds
    /// (strings and keys with their length, every value and map entry with its fixed size).
    pub alias_bytes_per_input_byte: u64,
    /// Most bytes that YAML anchors and aliases may copy in one input, whatever its size.
    pub max_alias_bytes: u64,
    /// Memory the YAML scanner may hold as tokens of one flow collection, per byte of the
    /// document, on top of [`HELD_TOKEN_BYTES_FLOOR`]: a flow collection that starts where a
    /// mapping key could (`- [...]`, an item of another flow collection) is held whole as
    /// tokens until it ends. Estimated before parsing at [`HELD_TOKEN_BYTES`] a token.
    pub held_token_bytes_per_input_byte: u64,
    /// Most memory the YAML scanner may hold as tokens of one flow collection, whatever the
    /// document's size.
    pub max_held_token_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024 * 1024,
            max_depth: 200,
            max_alias_nodes: 250_000,
            alias_bytes_per_input_byte: 8,
            max_alias_bytes: 64 * 1024 * 1024,
            held_token_bytes_per_input_byte: 64,
            max_held_token_bytes: 512 * 1024 * 1024,
        }
    }
}

/// Bytes that anchors and aliases may always copy, however small the input (a 2 KB manifest
/// that repeats an anchored 10 KB block a few times is fine).
pub const ALIAS_BYTES_FLOOR: u64 = 1024 * 1024;

impl Limits {
    /// The bytes YAML anchors and aliases may copy in an input of `input_len` bytes:
    /// [`ALIAS_BYTES_FLOOR`] plus `alias_bytes_per_input_byte` per input byte, at most
    /// `max_alias_bytes`.
    pub fn alias_byte_budget(&self, input_len: usize) -> u64 {
        let len = u64::try_from(input_len).unwrap_or(u64::MAX);
        ALIAS_BYTES_FLOOR
            .saturating_add(len.saturating_mul(self.alias_bytes_per_input_byte))
            .min(self.max_alias_bytes)
    }

    /// The memory the YAML scanner may hold as tokens of one flow collection in a document of
    /// `doc_len` bytes: [`HELD_TOKEN_BYTES_FLOOR`] plus `held_token_bytes_per_input_byte` per
    /// byte, at most `max_held_token_bytes`.
    pub fn held_token_byte_budget(&self, doc_len: usize) -> u64 {
        let len = u64::try_from(doc_len).unwrap_or(u64::MAX);
        HELD_TOKEN_BYTES_FLOOR
            .saturating_add(len.saturating_mul(self.held_token_bytes_per_input_byte))
            .min(self.max_held_token_bytes)
    }
}

/// Memory the YAML scanner may always hold as tokens of one flow collection, however small
/// the document.
pub const HELD_TOKEN_BYTES_FLOOR: u64 = 16 * 1024 * 1024;

/// Estimated memory of one token held by the YAML scanner (saphyr-parser 0.3.4), counted the
/// way [`check_held_tokens`] counts them: `[1,1,...]` of 200,000 items (600,000 counted
/// tokens, 400,000 real ones) held 66 MB, `[{k0: 1, ...}]` of 200,000 pairs (1.4 million
/// counted, 1 million real) 144 MB: about 110 and 103 bytes a counted token.
pub const HELD_TOKEN_BYTES: u64 = 128;

/// Line spans of the fields of one document, by field path (`spec.containers[0].image`,
/// `metadata.annotations["eks.amazonaws.com/role-arn"]`). Lines are 1-based.
///
/// Each field is stored once as its parent's index and its own path segment (`containers`,
/// `[0]`, `["eks.amazonaws.com/role-arn"]`): 20 bytes and the segment's text, so the cost of
/// the paths is proportional to the input, however long the keys above a field are. Once the
/// document is complete the fields are in breadth-first order with the children of each field
/// sorted by segment, so a field's index is its position, the entries are sorted by (parent,
/// segment), and a path is found with one binary search per segment.
#[derive(Debug, Default, Clone)]
pub struct FieldLines {
    /// Every field's own segment, one after the other.
    segments: String,
    entries: Vec<FieldEntry>,
    /// Sorted (breadth-first, children by segment) and each path once.
    finished: bool,
}

#[derive(Debug, Clone, Copy)]
struct FieldEntry {
    /// Index of the parent field (the root's is itself, 0, once finished).
    parent: u32,
    offset: u32,
    len: u32,
    start: u32,
    end: u32,
}

/// The parent of the document's root while it is being recorded.
const NO_PARENT: u32 = u32::MAX;

/// One field's own part of its path.
enum Segment<'a> {
    /// The document itself: the empty path.
    Root,
    Key(&'a str),
    Index(usize),
}

impl FieldLines {
    fn segment(&self, e: &FieldEntry) -> &str {
        let at = e.offset as usize;
        self.segments
            .get(at..at + e.len as usize)
            .unwrap_or_default()
    }

    /// Record the field `segment` of the field `parent` (`NO_PARENT` for the root) at `span`;
    /// the index lets the parser extend the span of a collection once it ends, and name it
    /// as the parent of its children. A field beyond the 4 GiB of segments a document may
    /// record is not recorded (nor are its children): its findings point at its closest
    /// recorded parent.
    fn insert(&mut self, parent: u32, segment: &Segment<'_>, span: (u32, u32)) -> Option<usize> {
        let index = u32::try_from(self.entries.len())
            .ok()
            .filter(|i| *i != NO_PARENT)?;
        let offset = self.segments.len();
        match segment {
            Segment::Root => {}
            Segment::Key(k) => write_key_segment(&mut self.segments, k),
            Segment::Index(i) => push_index(&mut self.segments, *i),
        }
        let fits = u32::try_from(offset).ok().and_then(|o| {
            let len = u32::try_from(self.segments.len() - offset).ok()?;
            o.checked_add(len).map(|_| (o, len))
        });
        let Some((offset, len)) = fits else {
            self.segments.truncate(offset);
            return None;
        };
        self.entries.push(FieldEntry {
            parent,
            offset,
            len,
            start: span.0,
            end: span.1,
        });
        self.finished = false;
        Some(index as usize)
    }

    /// Extend the span recorded by [`FieldLines::insert`] to end at `end`.
    fn set_end(&mut self, index: Option<usize>, end: u32) {
        if let Some(e) = index.and_then(|i| self.entries.get_mut(i)) {
            e.end = end.max(e.start);
        }
    }

    /// Put the fields in breadth-first order, the children of each field sorted by segment,
    /// and merge the fields recorded twice under one path (a key given twice: like the parsed
    /// value, the last one's span wins; the children of both are kept).
    fn finish(&mut self) {
        let n = self.entries.len();
        let to_u32 = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        // The children of each recorded entry, in the order recorded (a counting sort by
        // parent; slot `n` holds the root, whose parent is NO_PARENT).
        let slot = |p: u32| {
            if p == NO_PARENT {
                n
            } else {
                (p as usize).min(n)
            }
        };
        let mut first = vec![0u32; n + 2];
        for e in &self.entries {
            first[slot(e.parent) + 1] += 1;
        }
        for i in 1..first.len() {
            first[i] += first[i - 1];
        }
        let mut kids = vec![0u32; n];
        let mut fill = first.clone();
        for (i, e) in self.entries.iter().enumerate() {
            let s = slot(e.parent);
            kids[fill[s] as usize] = to_u32(i);
            fill[s] += 1;
        }
        drop(fill);
        let children = |m: usize| &kids[first[m] as usize..first[m + 1] as usize];

        let mut out: Vec<FieldEntry> = Vec::with_capacity(n);
        let mut segments = String::with_capacity(self.segments.len());
        // The recorded entries merged into each new field, field after field; `ends[k]` is
        // where those of field k end.
        let mut members: Vec<u32> = Vec::with_capacity(n);
        let mut ends: Vec<u32> = Vec::with_capacity(n);
        let mut batch: Vec<u32> = Vec::new();
        // `None`: the (virtual) parent of the root.
        let mut expanding: Option<usize> = None;
        loop {
            batch.clear();
            match expanding {
                None => batch.extend_from_slice(children(n)),
                Some(k) => {
                    let from = if k == 0 { 0 } else { ends[k - 1] as usize };
                    for &m in &members[from..ends[k] as usize] {
                        batch.extend_from_slice(children(m as usize));
                    }
                }
            }
            // By segment, then in the order recorded: the last of equal segments wins.
            batch.sort_unstable_by(|a, b| {
                let (ea, eb) = (&self.entries[*a as usize], &self.entries[*b as usize]);
                self.segment(ea).cmp(self.segment(eb)).then(a.cmp(b))
            });
            let parent = to_u32(expanding.unwrap_or(0));
            let mut i = 0;
            while i < batch.len() {
                let seg = self.segment(&self.entries[batch[i] as usize]);
                let mut j = i + 1;
                while j < batch.len() && self.segment(&self.entries[batch[j] as usize]) == seg {
                    j += 1;
                }
                let last = self.entries[batch[j - 1] as usize];
                let offset = to_u32(segments.len());
                segments.push_str(seg);
                out.push(FieldEntry {
                    parent,
                    offset,
                    len: last.len,
                    start: last.start,
                    end: last.end,
                });
                members.extend_from_slice(&batch[i..j]);
                ends.push(to_u32(members.len()));
                i = j;
            }
            let next = expanding.map_or(0, |k| k + 1);
            if next >= ends.len() {
                break;
            }
            expanding = Some(next);
        }
        self.entries = out;
        self.segments = segments;
        self.finished = true;
    }

    /// The span of `path`, or of its closest ancestor that exists (a finding about a missing
    /// field points at the object that should have it).
    pub fn lookup(&self, path: &str) -> Option<(u32, u32)> {
        self.walk(path).0.map(|e| (e.start, e.end))
    }

    /// Exact span of `path`, if present.
    pub fn get(&self, path: &str) -> Option<(u32, u32)> {
        match self.walk(path) {
            (Some(e), true) => Some((e.start, e.end)),
            _ => None,
        }
    }

    /// The deepest field on `path` that exists, and whether it is `path` itself.
    fn walk(&self, path: &str) -> (Option<&FieldEntry>, bool) {
        let Some(root) = self.entries.first().filter(|_| self.finished) else {
            return (None, false);
        };
        let (mut at, mut found, mut rest) = (0u32, root, path);
        loop {
            if rest.is_empty() {
                return (Some(found), true);
            }
            let Some((seg, tail)) = next_segment(rest) else {
                return (Some(found), false);
            };
            let i = self
                .entries
                .binary_search_by(|e| e.parent.cmp(&at).then_with(|| self.segment(e).cmp(seg)));
            let Ok(i) = i else {
                return (Some(found), false);
            };
            at = u32::try_from(i).unwrap_or(u32::MAX);
            found = &self.entries[i];
            rest = tail;
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Heap memory held, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.segments.capacity() + self.entries.capacity() * size_of::<FieldEntry>()
    }
}

/// The first segment of a field path and the rest: `a.b[2]` -> (`a`, `.b[2]`),
/// `.b[2]` -> (`b`, `[2]`), `["x.y"].z` -> (`["x.y"]`, `.z`). `None` when the path is not one
/// that [`push_key`] and [`push_index`] write.
fn next_segment(path: &str) -> Option<(&str, &str)> {
    let p = path.strip_prefix('.').unwrap_or(path);
    let b = p.as_bytes();
    let end = if p.starts_with("[\"") {
        let mut i = 2;
        loop {
            match *b.get(i)? {
                b'\\' => i += 2,
                b'"' if b.get(i + 1) == Some(&b']') => break i + 2,
                _ => i += 1,
            }
        }
    } else if p.starts_with('[') {
        p.find(']')? + 1
    } else {
        p.find(['.', '[']).unwrap_or(p.len())
    };
    (end > 0).then(|| (&p[..end], &p[end..]))
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

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'$')
}

/// A mapping key as a path segment: the key itself when it is a plain identifier, else
/// `["key"]` with `"` and `\` escaped.
fn write_key_segment(out: &mut String, key: &str) {
    if is_plain_key(key) {
        out.push_str(key);
    } else {
        out.reserve(key.len() + 4);
        out.push_str("[\"");
        for c in key.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push_str("\"]");
    }
}

/// Append a mapping key to a field path, quoting it when it is not a plain identifier.
pub fn push_key(path: &mut String, key: &str) {
    if is_plain_key(key) && !path.is_empty() {
        path.push('.');
    }
    write_key_segment(path, key);
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

/// What YAML anchors and aliases may still cost in one input (all its documents together).
struct Budget {
    /// Bytes that anchors and aliases may still copy.
    copy_bytes: u64,
    /// The whole allowance, for messages.
    copy_bytes_allowed: u64,
    /// Values materialised through aliases so far.
    alias_nodes: usize,
}

impl Budget {
    fn new(limits: &Limits, input_len: usize) -> Self {
        let allowed = limits.alias_byte_budget(input_len);
        Self {
            copy_bytes: allowed,
            copy_bytes_allowed: allowed,
            alias_nodes: 0,
        }
    }
}

/// Parse YAML or JSON text into its documents. Errors are returned alongside the documents
/// that did parse: a broken document never hides its neighbours.
pub fn parse(text: &str, limits: &Limits) -> (Vec<Document>, Vec<TextError>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let mut budget = Budget::new(limits, text.len());
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if looks_like_json(text.as_bytes()) {
        parse_json(text, limits, &mut budget, &mut docs, &mut errors);
        return (docs, errors);
    }
    for_each_document(text.as_bytes(), |first_line, range| {
        // Documents are split at line starts, which are character boundaries.
        let chunk = text.get(range).unwrap_or_default();
        match parse_chunk(chunk, first_line, limits, &mut budget) {
            Ok(mut d) => docs.append(&mut d),
            Err(e) => errors.push(e),
        }
    });
    (docs, errors)
}

/// Parse YAML or JSON bytes into its documents, like [`parse`]. The input is split into
/// documents before it is decoded: a document that is not UTF-8 is an error at the line of
/// its first bad byte, and the others are parsed.
pub fn parse_bytes(bytes: &[u8], limits: &Limits) -> (Vec<Document>, Vec<TextError>) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return parse(text, limits);
    }
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let mut budget = Budget::new(limits, bytes.len());
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        errors.push(TextError {
            line: Some(1),
            message: "UTF-16 text (it starts with a UTF-16 byte-order mark); not read: save the \
                      file as UTF-8"
                .to_string(),
        });
        return (docs, errors);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if looks_like_json(bytes) {
        // JSON is one document: nothing of it can be read.
        if let Err(e) = std::str::from_utf8(bytes) {
            errors.push(not_utf8(bytes, 0, e.valid_up_to()));
        }
        return (docs, errors);
    }
    for_each_document(bytes, |first_line, range| {
        let chunk = bytes.get(range).unwrap_or_default();
        match std::str::from_utf8(chunk) {
            Ok(chunk) => match parse_chunk(chunk, first_line, limits, &mut budget) {
                Ok(mut d) => docs.append(&mut d),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(not_utf8(chunk, first_line, e.valid_up_to())),
        }
    });
    (docs, errors)
}

/// JSON (or a YAML flow collection): the first character that is not white space opens a
/// mapping or a sequence.
fn looks_like_json(bytes: &[u8]) -> bool {
    matches!(
        bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// The error for a document whose bytes are not UTF-8 from `valid_up_to` on; the document
/// starts after `first_line` lines of the input. The byte itself is not shown: it may be part
/// of a secret.
fn not_utf8(chunk: &[u8], first_line: u32, valid_up_to: usize) -> TextError {
    let before = chunk.get(..valid_up_to).unwrap_or(chunk);
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let lines = u32::try_from(memchr::memchr_iter(b'\n', before).count()).unwrap_or(u32::MAX);
    let tail = &before[line_start..];
    let column = std::str::from_utf8(tail).map_or(tail.len(), |s| s.chars().count()) + 1;
    TextError {
        line: Some(first_line.saturating_add(lines).saturating_add(1)),
        message: format!(
            "not UTF-8 text (invalid byte at column {column}); this document is not read: save \
             the file as UTF-8"
        ),
    }
}

/// One JSON document (or YAML flow collection), which has no document separators.
fn parse_json(
    text: &str,
    limits: &Limits,
    budget: &mut Budget,
    docs: &mut Vec<Document>,
    errors: &mut Vec<TextError>,
) {
    // The YAML scanner keeps every token of a flow collection that could still turn out to be
    // a mapping key (`[1, 2]: x`) until the collection ends: for a document that is one flow
    // collection, all of it, at about 300 bytes a token (100 times the input). A collection
    // after `--- ` on the marker's line cannot be a key, so it is read as it comes. The marker
    // goes at the start of the collection's line: no line moves.
    let first = text
        .bytes()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let line_start = text[..first].rfind('\n').map_or(0, |i| i + 1);
    let marked = format!("{}--- {}", &text[..line_start], &text[line_start..]);
    match parse_chunk(&marked, 0, limits, budget) {
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
                    line: u32::try_from(je.line()).ok().filter(|l| *l > 0).or(e.line),
                    message: je.to_string(),
                }),
            }
        }
    }
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

/// Split a YAML stream at `---` document markers (column 0), calling `f` with the number of
/// lines before each document and its byte range. A marker at column 0 always ends a document
/// in YAML, so this never splits inside one; it lets a syntax error, or a byte that is not
/// UTF-8, stay inside its own document.
fn for_each_document(bytes: &[u8], mut f: impl FnMut(u32, Range<usize>)) {
    let is_marker = |at: usize| {
        let line = &bytes[at..];
        line.starts_with(b"---")
            && line
                .get(3)
                .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    };
    let (mut start, mut start_line, mut line) = (0usize, 0u32, 0u32);
    for newline in memchr::memchr_iter(b'\n', bytes) {
        line = line.saturating_add(1);
        let next = newline + 1;
        if next < bytes.len() && is_marker(next) {
            f(start_line, start..next);
            start = next;
            start_line = line;
        }
    }
    if start < bytes.len() {
        f(start_line, start..bytes.len());
    }
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        nodes_at_start: usize,
        bytes_at_start: u64,
        /// Its entry in the document's field lines.
        field: Option<usize>,
    },
    Map {
        map: Map<String, Value>,
        key: Option<String>,
        merges: Vec<Value>,
        anchor: usize,
        nodes_at_start: usize,
        bytes_at_start: u64,
        field: Option<usize>,
    },
}

/// An anchored value, kept to be copied by its aliases: `None` when a copy would not fit in
/// the input's budget (an alias of it is then an error).
struct Anchor {
    value: Option<Value>,
    /// Values it holds.
    nodes: usize,
    /// Its estimated memory.
    bytes: u64,
}

/// Estimated memory of a value, of a map entry besides its key's text and value, and so of
/// what an alias copies.
const VALUE_BYTES: u64 = size_of::<Value>() as u64;
const ENTRY_BYTES: u64 = size_of::<String>() as u64 + 16;

struct Builder<'l> {
    limits: &'l Limits,
    budget: &'l mut Budget,
    line_offset: u32,
    stack: Vec<Frame>,
    fields: FieldLines,
    anchors: HashMap<usize, Anchor>,
    nodes: usize,
    /// Estimated memory of the values built so far.
    bytes: u64,
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

/// Refuse a document whose flow collections would make the YAML scanner hold more token
/// memory than `limits` allow.
///
/// saphyr-parser holds back every token of a flow collection that starts where a mapping key
/// could (a block sequence entry `- [...]`, a line that starts with `[`, the value of an
/// explicit key `? k` / `: [...]`, an item or key of another flow collection) until the
/// collection ends, since it could still turn out to be a key (`[a, b]: c`); about 100 bytes a
/// token, 150 times the size of `[1,1,1,...]`. Not held: a collection after `key: ` on the
/// key's line, after `--- `, or after `:` in a flow mapping (only its items that are
/// collections are). This pass lexes the document's bytes (quotes, comments, block scalars,
/// flow depth), counts the tokens of each held collection (a scalar, anchor, tag, alias or
/// bracket 1, a `,` 2, a `:` 3: what the scanner may add for an implicit pair) and fails at
/// the line where the first collection over the budget starts. A mistake in this estimate
/// costs only a refusal of an over-large document, never a wrong value: the document is then
/// parsed by saphyr as it is.
fn check_held_tokens(text: &str, line_offset: u32, limits: &Limits) -> Result<(), TextError> {
    let budget = limits.held_token_byte_budget(text.len());
    let max_tokens = budget / HELD_TOKEN_BYTES;
    // At most 3 counted tokens a byte: a document this small cannot go over.
    if u64::try_from(text.len())
        .unwrap_or(u64::MAX)
        .saturating_mul(3)
        <= max_tokens
    {
        return Ok(());
    }
    let over = |line: u32| TextError {
        line: Some(line_offset.saturating_add(line).saturating_add(1)),
        message: format!(
            "a flow collection (`[...]` or `{{...}}`) starting here would make the YAML parser \
             hold more than {} of tokens until it ends (the limit for this document: {} plus {} \
             bytes a byte of the document, at most {}); this document is not read: write the \
             collection in block style, or as its own JSON document",
            mib(budget),
            mib(HELD_TOKEN_BYTES_FLOOR),
            limits.held_token_bytes_per_input_byte,
            mib(limits.max_held_token_bytes),
        ),
    };
    let mut lex = HeldLexer {
        b: text.as_bytes(),
        i: 0,
        line: 0,
        line_start: 0,
        depth: 0,
        key_possible: true,
        content_on_line: false,
        entry_col: None,
        held: None,
    };
    while lex.i < lex.b.len() {
        lex.step();
        if let Some((_, line, count)) = lex.held
            && count > max_tokens
        {
            return Err(over(line));
        }
    }
    Ok(())
}

/// Bytes in MiB, or KiB below 1 MiB.
fn mib(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

struct HeldLexer<'a> {
    b: &'a [u8],
    i: usize,
    /// Lines before `i` (0-based line of `i`).
    line: u32,
    line_start: usize,
    /// Flow nesting depth at `i`.
    depth: usize,
    /// Whether a flow collection starting at `i` would be held (could be a simple key).
    key_possible: bool,
    /// In block context: whether a scalar or collection came after the line's last `-`, `?`
    /// or `:` (so a `:` now is a simple key's value indicator).
    content_on_line: bool,
    /// In block context: the column of the node a block scalar would belong to (`None`: the
    /// document's root).
    entry_col: Option<usize>,
    /// The collection being held: its depth outside it, its line and the tokens counted.
    held: Option<(usize, u32, u64)>,
}

impl HeldLexer<'_> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(b'\n')
    }

    fn blank_at(&self, i: usize) -> bool {
        matches!(self.at(i), b' ' | b'\t' | b'\r' | b'\n')
    }

    fn flow_at(&self, i: usize) -> bool {
        matches!(self.at(i), b',' | b'[' | b']' | b'{' | b'}')
    }

    fn count(&mut self, n: u64) {
        if let Some((_, _, c)) = &mut self.held {
            *c = c.saturating_add(n);
        }
    }

    /// Move on to `to` (at least one byte), counting the lines passed.
    fn advance(&mut self, to: usize) {
        let to = to.clamp(self.i + 1, self.b.len());
        for nl in memchr::memchr_iter(b'\n', &self.b[self.i..to]) {
            self.line = self.line.saturating_add(1);
            self.line_start = self.i + nl + 1;
        }
        self.i = to;
    }

    /// Move to the end of the line (its newline is left to [`HeldLexer::step`]).
    fn skip_line(&mut self) {
        let from = (self.i + 1).min(self.b.len());
        self.i = memchr::memchr(b'\n', &self.b[from..]).map_or(self.b.len(), |n| from + n);
    }

    fn step(&mut self) {
        let (i, c) = (self.i, self.b[self.i]);
        let col = i - self.line_start;
        let flow = self.depth > 0;
        match c {
            b'\n' => {
                self.line = self.line.saturating_add(1);
                self.i += 1;
                self.line_start = self.i;
                if !flow {
                    self.key_possible = true;
                    self.content_on_line = false;
                    self.entry_col = None;
                }
            }
            b' ' | b'\t' | b'\r' => self.i += 1,
            b'#' if i == 0 || self.blank_at(i - 1) => self.skip_line(),
            b'%' if col == 0 && !flow => self.skip_line(),
            b'-' | b'.'
                if col == 0
                    && !flow
                    && self.b[i..].starts_with(if c == b'-' { b"---" } else { b"..." })
                    && self.blank_at(i + 3) =>
            {
                self.i += 3;
                self.key_possible = false;
                self.content_on_line = false;
                self.entry_col = None;
            }
            b'-' | b'?' if !flow && self.blank_at(i + 1) => {
                self.i += 1;
                self.key_possible = true;
                self.content_on_line = false;
                self.entry_col = Some(col);
            }
            b':' if !flow && self.blank_at(i + 1) => {
                self.i += 1;
                self.key_possible = !self.content_on_line;
                if !self.content_on_line {
                    self.entry_col = Some(col);
                }
                self.content_on_line = false;
            }
            b'|' | b'>' if !flow => self.block_scalar(),
            b'[' | b'{' => {
                if self.key_possible && self.held.is_none() {
                    self.held = Some((self.depth, self.line, 0));
                }
                self.count(1);
                self.depth += 1;
                self.key_possible = true;
                self.i += 1;
            }
            b']' | b'}' if flow => {
                self.count(2);
                self.depth -= 1;
                if self.held.is_some_and(|(d, _, _)| d >= self.depth) {
                    self.held = None;
                }
                self.key_possible = false;
                self.scalar_seen(col);
                self.i += 1;
            }
            b',' if flow => {
                self.count(2);
                self.key_possible = true;
                self.i += 1;
            }
            b':' if flow => {
                self.count(3);
                self.key_possible = false;
                self.i += 1;
            }
            b'?' if flow && self.blank_at(i + 1) => {
                self.count(1);
                self.key_possible = false;
                self.i += 1;
            }
            b'"' | b'\'' => {
                self.count(1);
                self.scalar_seen(col);
                self.quoted(c);
            }
            b'&' | b'!' | b'*' => {
                // An anchor or a tag leaves a following collection where it was; an alias is
                // a value.
                self.count(1);
                if c == b'*' {
                    self.scalar_seen(col);
                }
                let mut j = i + 1;
                while j < self.b.len() && !self.blank_at(j) && !(flow && self.flow_at(j)) {
                    j += 1;
                }
                self.advance(j);
            }
            _ => {
                self.count(1);
                self.scalar_seen(col);
                self.plain(flow);
            }
        }
    }

    /// A scalar, alias or closed collection at column `col`.
    fn scalar_seen(&mut self, col: usize) {
        if self.depth == 0 {
            if !self.content_on_line && self.entry_col.is_none_or(|e| e < col) {
                self.entry_col = Some(col);
            }
            self.content_on_line = true;
        }
    }

    fn quoted(&mut self, q: u8) {
        let mut j = self.i + 1;
        loop {
            let Some(n) = memchr::memchr2(q, b'\\', &self.b[j.min(self.b.len())..]) else {
                // Unterminated: the parser says so.
                self.advance(self.b.len());
                return;
            };
            j += n;
            if self.b[j] == b'\\' && q == b'"' {
                j += 2;
            } else if self.b[j] == b'\\' {
                j += 1;
            } else if q == b'\'' && self.b.get(j + 1) == Some(&b'\'') {
                j += 2;
            } else {
                self.advance(j + 1);
                return;
            }
        }
    }

    /// A plain scalar: in a flow collection it ends at `,[]{}`, at `: `, at ` #` or at the
    /// end of the line; in a block, at `: `, ` #` or the end of the line.
    fn plain(&mut self, flow: bool) {
        let mut j = self.i + 1;
        while j < self.b.len() {
            match self.b[j] {
                b'\n' => break,
                b',' | b'[' | b']' | b'{' | b'}' if flow => break,
                b':' if self.blank_at(j + 1) || (flow && self.flow_at(j + 1)) => break,
                b'#' if self.blank_at(j - 1) => break,
                _ => j += 1,
            }
        }
        self.advance(j);
    }

    /// A block scalar (`|` or `>` in a block): its header line, then the lines indented more
    /// than its node (the first one sets the indentation), and the blank lines among them.
    fn block_scalar(&mut self) {
        let parent = self.entry_col;
        self.skip_line();
        let mut indent: Option<usize> = None;
        while self.i < self.b.len() {
            // `self.i` is at a newline: look at the next line.
            let start = self.i + 1;
            let end = memchr::memchr(b'\n', &self.b[start.min(self.b.len())..])
                .map_or(self.b.len(), |n| start + n);
            let line = &self.b[start.min(end)..end];
            let spaces = line.iter().take_while(|c| **c == b' ').count();
            let blank = line[spaces..]
                .iter()
                .all(|c| matches!(c, b' ' | b'\t' | b'\r'));
            let within = match indent {
                _ if blank => true,
                Some(n) => spaces >= n,
                None => parent.is_none_or(|p| spaces > p),
            };
            if !within {
                break;
            }
            if !blank && indent.is_none() {
                indent = Some(spaces);
            }
            self.line = self.line.saturating_add(1);
            self.line_start = start;
            self.i = end;
        }
        self.content_on_line = true;
    }
}

fn parse_chunk(
    text: &str,
    line_offset: u32,
    limits: &Limits,
    budget: &mut Budget,
) -> Result<Vec<Document>, TextError> {
    let mut b = Builder {
        limits,
        budget,
        line_offset,
        stack: Vec::new(),
        fields: FieldLines::default(),
        anchors: HashMap::new(),
        nodes: 0,
        bytes: 0,
        max_line: 0,
        doc_start: None,
        docs: Vec::new(),
    };
    check_held_tokens(text, line_offset, limits)?;
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

fn str_bytes(s: &str) -> u64 {
    u64::try_from(s.len()).unwrap_or(u64::MAX)
}

impl Builder<'_> {
    fn err(&self, span: &Span, message: impl Into<String>) -> TextError {
        TextError {
            line: Some(line_of(span, self.line_offset)),
            message: message.into(),
        }
    }

    /// Keep a copy of an anchored value for its aliases, if the input's budget allows it.
    fn anchor(&mut self, id: usize, value: &Value, nodes: usize, bytes: u64) {
        let value = if bytes <= self.budget.copy_bytes {
            self.budget.copy_bytes -= bytes;
            Some(value.clone())
        } else {
            None
        };
        self.anchors.insert(
            id,
            Anchor {
                value,
                nodes,
                bytes,
            },
        );
    }

    fn alias_bomb(&self, span: &Span, bytes: u64) -> TextError {
        self.err(
            span,
            format!(
                "YAML aliases copy more than {} bytes of values in this input ({} bytes for \
                 this alias); refusing to expand (an alias bomb?): this document is not read",
                self.budget.copy_bytes_allowed, bytes
            ),
        )
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
                    self.bytes = self.bytes.saturating_add(ENTRY_BYTES + str_bytes(&text));
                    *key = Some(text.into_owned());
                    self.max_line = self.max_line.max(end_line_of(span, self.line_offset));
                    return Ok(());
                }
                let value = resolve_scalar(&text, style, tag.as_deref().map(|t| t.suffix.as_str()));
                let bytes = VALUE_BYTES + value.as_str().map_or(0, str_bytes);
                self.bytes = self.bytes.saturating_add(bytes);
                self.nodes += 1;
                let start = line_of(span, self.line_offset);
                let end = end_line_of(span, self.line_offset).max(start);
                self.max_line = self.max_line.max(end);
                if anchor > 0 {
                    self.anchor(anchor, &value, 1, bytes);
                }
                self.enter_value((start, end));
                self.complete(value);
            }
            Event::Alias(id) => {
                let Some(anchor) = self.anchors.get(&id) else {
                    return Err(self.err(span, format!("unknown alias (anchor id {id})")));
                };
                let (count, bytes) = (anchor.nodes, anchor.bytes);
                let Some(value) = anchor.value.as_ref() else {
                    return Err(self.alias_bomb(span, bytes));
                };
                self.budget.alias_nodes = self.budget.alias_nodes.saturating_add(count);
                if self.budget.alias_nodes > self.limits.max_alias_nodes {
                    return Err(self.err(
                        span,
                        format!(
                            "YAML aliases expand to more than {} values (an alias bomb?); refusing to expand",
                            self.limits.max_alias_nodes
                        ),
                    ));
                }
                if bytes > self.budget.copy_bytes {
                    return Err(self.alias_bomb(span, bytes));
                }
                self.budget.copy_bytes -= bytes;
                let value = value.clone();
                // Values materialised through the alias count as nodes of their container,
                // so an alias of an alias is charged for everything it expands to.
                self.nodes = self.nodes.saturating_add(count);
                self.bytes = self.bytes.saturating_add(bytes);
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
                self.enter_value((start, start));
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
                let bytes_at_start = self.bytes;
                self.bytes = self.bytes.saturating_add(VALUE_BYTES);
                let start = line_of(span, self.line_offset);
                self.max_line = self.max_line.max(start);
                let field = self.enter_value((start, start));
                let nodes_at_start = self.nodes;
                self.stack.push(if is_map {
                    Frame::Map {
                        map: Map::new(),
                        key: None,
                        merges: Vec::new(),
                        anchor,
                        nodes_at_start,
                        bytes_at_start,
                        field,
                    }
                } else {
                    Frame::Seq {
                        items: Vec::new(),
                        anchor,
                        nodes_at_start,
                        bytes_at_start,
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
                let (value, anchor, nodes_at_start, bytes_at_start, field) = match frame {
                    Frame::Seq {
                        items,
                        anchor,
                        nodes_at_start,
                        bytes_at_start,
                        field,
                    } => (
                        Value::Array(items),
                        anchor,
                        nodes_at_start,
                        bytes_at_start,
                        field,
                    ),
                    Frame::Map {
                        mut map,
                        merges,
                        anchor,
                        nodes_at_start,
                        bytes_at_start,
                        field,
                        ..
                    } => {
                        apply_merges(&mut map, merges);
                        (
                            Value::Object(map),
                            anchor,
                            nodes_at_start,
                            bytes_at_start,
                            field,
                        )
                    }
                };
                self.fields.set_end(field, self.max_line);
                if anchor > 0 {
                    let count = self.nodes - nodes_at_start + 1;
                    let bytes = self.bytes.saturating_sub(bytes_at_start);
                    self.anchor(anchor, &value, count, bytes);
                }
                self.complete(value);
            }
            Event::DocumentEnd | Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Record the field of the value that is starting (its key or index in the collection
    /// being built, or the document's root), and note the document start.
    fn enter_value(&mut self, span: (u32, u32)) -> Option<usize> {
        if self.doc_start.is_none() {
            self.doc_start = Some(span.0);
        }
        let parent = |field: Option<usize>| field.and_then(|f| u32::try_from(f).ok());
        match self.stack.last() {
            None => self.fields.insert(NO_PARENT, &Segment::Root, span),
            Some(Frame::Map { key, field, .. }) => {
                let key = Segment::Key(key.as_deref().unwrap_or_default());
                self.fields.insert(parent(*field)?, &key, span)
            }
            Some(Frame::Seq { items, field, .. }) => {
                let index = Segment::Index(items.len());
                self.fields.insert(parent(*field)?, &index, span)
            }
        }
    }

    /// Attach a finished value to its parent (or finish the document).
    fn complete(&mut self, value: Value) {
        match self.stack.last_mut() {
            Some(Frame::Map {
                map, key, merges, ..
            }) => {
                let k = key.take().unwrap_or_default();
                if k == "<<" && matches!(value, Value::Object(_) | Value::Array(_)) {
                    merges.push(value);
                } else {
                    map.insert(k, value);
                }
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(value);
            }
            None => {
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

    /// Limits under which a collection held with more than 1,000 counted tokens is refused.
    fn small_held_budget() -> Limits {
        Limits {
            held_token_bytes_per_input_byte: 0,
            max_held_token_bytes: 1000 * HELD_TOKEN_BYTES,
            ..Limits::default()
        }
    }

    #[test]
    fn flow_collections_held_as_tokens_are_refused_at_their_line() {
        let items = vec!["1"; 2000].join(",");
        let pairs = (0..1000)
            .map(|i| format!("k{i}: 1"))
            .collect::<Vec<_>>()
            .join(", ");
        let held = [
            (format!("a: 1\nb:\n- [{items}]\n"), 3),
            (format!("a: 1\nb:\n  [\n{items}]\n"), 3),
            (format!("a: [[{items}]]\n"), 1),
            (format!("a: [1, 2,\n  [{items}]]\n"), 2),
            (format!("? k\n: [{items}]\n"), 2),
            (format!("- [{{{pairs}}}]\n"), 1),
            (format!("a: {{b: 1, [{items}]: 2}}\n"), 1),
            (format!("- &x !!seq [{items}]\n"), 1),
            (format!("a: 1\n---\n[{items}]\n"), 3),
        ];
        for (text, line) in held {
            let (docs, errs) = parse(&text, &small_held_budget());
            assert_eq!(errs.len(), 1, "{}: {errs:?}", &text[..20]);
            assert_eq!(errs[0].line, Some(line), "{}: {errs:?}", &text[..20]);
            assert!(errs[0].message.contains("flow collection"), "{errs:?}");
            assert!(docs.len() <= 1, "only `a: 1` may load");
        }
    }

    #[test]
    fn flow_collections_read_as_they_come_are_not_refused() {
        // A flow sequence after its key, `--- `, or `:` in a flow mapping is not held; nor is
        // a bracket inside a scalar or a comment, which must not open a collection that would
        // swallow the long sequence after it.
        let items = vec!["1"; 2000].join(",");
        let tail = format!("list: [{items}]\n");
        let ok = [
            String::new(),
            "--- ".to_string(),
            "s: |\n  [x\n  {y\nt: 1\n".to_string(),
            "- a: >-\n    [x\n\n    y\n  b: 1\n  ".to_string(),
            "s: \"[x \\\" ]\"\n".to_string(),
            "s: '[x '' y'\n".to_string(),
            "s: \"[multi\n  line\"\n".to_string(),
            "# [x\ns: x # [y\n".to_string(),
            "s: foo [bar, {baz\n".to_string(),
            "url: http://x/[a\n".to_string(),
            "t: !!str x[y\n".to_string(),
        ];
        for head in ok {
            let text = if head == "--- " {
                format!("--- [{items}]\n")
            } else {
                format!("{head}{tail}")
            };
            let (docs, errs) = parse(&text, &small_held_budget());
            assert!(errs.is_empty(), "{head:?}: {errs:?}");
            assert_eq!(docs.len(), 1, "{head:?}");
        }
        // JSON documents are read with `--- ` before them: only an item that is a
        // collection is held.
        let json = format!("{{\"a\": [{items}], \"b\": {{\"c\": [{items}]}}}}");
        let (docs, errs) = parse(&json, &small_held_budget());
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(docs.len(), 1);
    }

    #[test]
    fn empty_and_comment_documents_are_not_documents() {
        let (docs, errs) = parse("# nothing\n---\n---\n", &Limits::default());
        assert!(errs.is_empty());
        assert!(docs.is_empty());
    }
}
