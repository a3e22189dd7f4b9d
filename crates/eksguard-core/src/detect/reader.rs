//! Streaming input: lines with a hard length limit (an oversized line is skipped as it streams
//! past, never buffered whole), gzip detected by its magic bytes, and pretty-printed JSON
//! documents (CloudWatch Logs CLI output of `aws logs filter-log-events` / `get-log-events`,
//! an EventList, an array of events) streamed record by record, each record under the same
//! length limit as a line.

use std::io::{self, BufRead, BufReader, Read};

/// The default longest line: an audit event above this is rejected.
pub(crate) const DEFAULT_MAX_LINE: usize = 4 * 1024 * 1024;

/// One unit of input.
#[derive(Debug, PartialEq, Eq)]
pub enum Item<'a> {
    /// A complete line (without its line break). `end` is the byte offset after its break.
    Line { line: u64, text: &'a str, end: u64 },
    /// A line longer than the limit, skipped; `len` bytes were discarded.
    TooLong { line: u64, len: u64, end: u64 },
    /// A line that is not UTF-8.
    NotUtf8 { line: u64, end: u64 },
}

/// Lines of `inner`, each at most `max` bytes. Offsets count bytes of the (decompressed)
/// stream from where reading started plus `start`.
pub struct Lines<R> {
    inner: R,
    buf: Vec<u8>,
    max: usize,
    line: u64,
    offset: u64,
    /// Bytes of an oversized line being skipped, if any.
    skipping: Option<u64>,
    /// `buf` holds the start of a line whose end has not arrived yet.
    partial: bool,
    /// At end of input, hand out a last line without a line break (off when following a file
    /// that is still being written).
    pub final_partial: bool,
}

impl<R: BufRead> Lines<R> {
    pub fn new(inner: R, max: usize) -> Self {
        Self {
            inner,
            buf: Vec::new(),
            max,
            line: 0,
            offset: 0,
            skipping: None,
            partial: false,
            final_partial: true,
        }
    }

    /// Continue numbering and offsets from a checkpoint.
    #[must_use]
    pub(crate) fn starting_at(mut self, line: u64, offset: u64) -> Self {
        self.line = line;
        self.offset = offset;
        self
    }

    /// The reader under the lines, positioned just after the last item handed out (between
    /// items, nothing of the input is held here): a JSON document is read from it directly.
    pub(crate) fn inner_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The offset after the last item handed out: everything before it has been consumed.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub(crate) fn line_number(&self) -> u64 {
        self.line
    }

    /// The next item, or None at end of input (for now: a followed file may grow).
    #[allow(clippy::single_match_else)] // two real branches: a line break in the buffer or not
    pub(crate) fn next_item(&mut self) -> io::Result<Option<Item<'_>>> {
        if !self.partial {
            self.buf.clear();
        }
        self.partial = false;
        loop {
            let (consumed, done) = {
                let avail = match self.inner.fill_buf() {
                    Ok(a) => a,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if avail.is_empty() {
                    // End of input for now.
                    if let Some(len) = self.skipping {
                        if !self.final_partial {
                            self.partial = true;
                            return Ok(None);
                        }
                        self.skipping = None;
                        self.line += 1;
                        self.offset += len;
                        return Ok(Some(Item::TooLong {
                            line: self.line,
                            len,
                            end: self.offset,
                        }));
                    }
                    if self.buf.is_empty() || !self.final_partial {
                        // A partial line stays pending: a later call (after the file grows)
                        // completes it. The offset still points at its start.
                        self.partial = !self.buf.is_empty();
                        return Ok(None);
                    }
                    self.line += 1;
                    self.offset += self.buf.len() as u64;
                    return Ok(Some(self.finish_line()));
                }
                match memchr::memchr(b'\n', avail) {
                    Some(i) => {
                        if let Some(len) = self.skipping.as_mut() {
                            *len += i as u64 + 1;
                        } else if self.buf.len() + i > self.max {
                            self.skipping = Some((self.buf.len() + i + 1) as u64);
                            self.buf.clear();
                        } else {
                            self.buf
                                .extend_from_slice(avail.get(..i).unwrap_or_default());
                        }
                        (i + 1, true)
                    }
                    None => {
                        let n = avail.len();
                        if let Some(len) = self.skipping.as_mut() {
                            *len += n as u64;
                        } else if self.buf.len() + n > self.max {
                            self.skipping = Some((self.buf.len() + n) as u64);
                            self.buf.clear();
                        } else {
                            self.buf.extend_from_slice(avail);
                        }
                        (n, false)
                    }
                }
            };
            self.inner.consume(consumed);
            if done {
                self.line += 1;
                if let Some(len) = self.skipping.take() {
                    self.offset += len;
                    return Ok(Some(Item::TooLong {
                        line: self.line,
                        len,
                        end: self.offset,
                    }));
                }
                self.offset += self.buf.len() as u64 + 1;
                return Ok(Some(self.finish_line()));
            }
        }
    }

    fn finish_line(&mut self) -> Item<'_> {
        let end = self.offset;
        let line = self.line;
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        match std::str::from_utf8(&self.buf) {
            Ok(text) => Item::Line { line, text, end },
            Err(_) => Item::NotUtf8 { line, end },
        }
    }
}

/// What an input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Plain,
    Gzip,
}

/// Wrap `r`, decompressing gzip when the input starts with its magic bytes.
pub fn decode<'r, R: Read + 'r>(r: R) -> io::Result<(Box<dyn BufRead + 'r>, Encoding)> {
    let mut br = BufReader::with_capacity(256 * 1024, r);
    let head = loop {
        match br.fill_buf() {
            Ok(h) => break h,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    if head.starts_with(&[0x1f, 0x8b]) {
        let gz = flate2::bufread::MultiGzDecoder::new(br);
        Ok((
            Box::new(BufReader::with_capacity(256 * 1024, gz)),
            Encoding::Gzip,
        ))
    } else {
        Ok((Box::new(br), Encoding::Plain))
    }
}

/// The UTF-8 byte-order mark some Windows tools write at the start of a file.
const BOM: char = '\u{feff}';

/// `text` without a leading byte-order mark.
pub(crate) fn strip_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// Whether a first line opens a pretty-printed JSON document rather than a JSON line: the
/// document's opening byte (`{` or `[`).
pub(crate) fn opens_document(first_line: &str) -> Option<u8> {
    match strip_bom(first_line).trim() {
        "{" => Some(b'{'),
        "[" => Some(b'['),
        _ => None,
    }
}

/// Where a record of a JSON document sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// `events[]` (CloudWatch Logs CLI output) or `logEvents[]` (a subscription record):
    /// objects whose `message` holds an audit event as a string.
    CloudWatch(&'static str),
    /// `items[]` of an `audit.k8s.io/v1` EventList: audit events.
    Items,
    /// An element of a top-level JSON array: an audit event.
    Array,
    /// A whole top-level object with no array of records: one (pretty-printed) audit event.
    Document,
}

impl Container {
    /// `events[3]`, `items[3]`, `[3]`, or `document` for messages.
    pub fn label(self, index: u64) -> String {
        match self {
            Container::CloudWatch(key) => format!("{key}[{index}]"),
            Container::Items => format!("items[{index}]"),
            Container::Array => format!("[{index}]"),
            Container::Document => "document".to_string(),
        }
    }
}

/// One unit of a JSON document. `line` is the line its first byte is on.
#[derive(Debug, PartialEq, Eq)]
pub enum Unit<'a> {
    /// A record, at most the limit long.
    Record {
        of: Container,
        index: u64,
        line: u64,
        text: &'a str,
    },
    /// A record longer than the limit: skipped as it streamed past, never held whole.
    TooLong {
        of: Container,
        index: u64,
        line: u64,
        len: u64,
    },
    /// A record that is not UTF-8.
    NotUtf8 {
        of: Container,
        index: u64,
        line: u64,
    },
    /// `events`, `logEvents` or `items` whose value is not an array (the value is skipped).
    NotArray { key: &'static str, line: u64 },
}

/// How reading JSON documents ended.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DocEnd {
    /// Bytes consumed from the reader.
    pub consumed: u64,
    /// Complete lines read in all (counting from the document's first line).
    pub lines: u64,
    /// The document's structure is broken at this line (a syntax error outside any record,
    /// or the input ends inside it): nothing after it could be read.
    pub broken: Option<(u64, String)>,
    /// The most memory the record buffer held (its capacity), in bytes: bounded by about twice
    /// the limit, whatever the size of the input.
    pub peak_buffer: usize,
}

/// Why scanning stopped early.
enum Stop {
    Io(io::Error),
    Broken(String),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

/// Where the bytes of a scanned value go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sink {
    Buf,
    Key,
    Discard,
}

/// The longest key compared with `events`, `logEvents` and `items`.
const KEY_MAX: usize = 16;

/// The array of records a key (with its quotes, as written) names.
fn records_of(key: &[u8]) -> Option<Container> {
    match key {
        b"\"events\"" => Some(Container::CloudWatch("events")),
        b"\"logEvents\"" => Some(Container::CloudWatch("logEvents")),
        b"\"items\"" => Some(Container::Items),
        _ => None,
    }
}

/// A streaming reader of pretty-printed (or compact) JSON documents: their structure is
/// followed byte by byte, and only one record (at most `max` bytes) is held at a time.
struct Scan<'r, R: ?Sized> {
    inner: &'r mut R,
    /// Line breaks consumed, plus the document's first line.
    newlines: u64,
    consumed: u64,
    max: usize,
    buf: Vec<u8>,
    key: Vec<u8>,
    /// The largest capacity `buf` reached.
    peak: usize,
}

impl<R: BufRead + ?Sized> Scan<'_, R> {
    fn line(&self) -> u64 {
        self.newlines + 1
    }

    fn fill(&mut self) -> io::Result<&[u8]> {
        loop {
            match self.inner.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.inner.fill_buf()
    }

    /// Skip whitespace; the next byte (not consumed), or None at end of input.
    fn skip_ws(&mut self) -> io::Result<Option<u8>> {
        loop {
            let avail = self.fill()?;
            if avail.is_empty() {
                return Ok(None);
            }
            let n = avail
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(avail.len());
            let next = avail.get(n).copied();
            let newlines = avail
                .get(..n)
                .map_or(0, |ws| memchr::memchr_iter(b'\n', ws).count());
            self.inner.consume(n);
            self.consumed += n as u64;
            self.newlines += newlines as u64;
            if let Some(b) = next {
                return Ok(Some(b));
            }
        }
    }

    /// Consume one byte that is not a line break (punctuation already peeked).
    fn bump(&mut self) {
        self.inner.consume(1);
        self.consumed += 1;
    }

    /// Scan one JSON value that starts at the next byte, appending its bytes to the sink while
    /// the sink stays within `limit`. Returns the value's length and whether it overflowed.
    /// Strings are followed with their escapes and containers by depth; a scalar ends at the
    /// next delimiter. Syntax inside the value is left to the parser of the record.
    fn value(&mut self, sink: Sink, limit: usize) -> Result<(u64, bool), Stop> {
        let mut depth = 0u64;
        let mut in_str = false;
        let mut esc = false;
        let mut len = 0u64;
        let mut over = false;
        let mut first = true;
        loop {
            let avail = match self.inner.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Stop::Io(e)),
            };
            if avail.is_empty() {
                if !first && depth == 0 && !in_str {
                    // A scalar ends with the input.
                    return Ok((len, over));
                }
                return Err(Stop::Broken(
                    "the input ends inside a value: the JSON document is incomplete".into(),
                ));
            }
            let mut i = 0usize;
            let mut end = None;
            while i < avail.len() {
                if in_str {
                    if esc {
                        esc = false;
                        i += 1;
                        continue;
                    }
                    let rest = avail.get(i..).unwrap_or_default();
                    match memchr::memchr2(b'"', b'\\', rest) {
                        None => i = avail.len(),
                        Some(j) => {
                            i += j;
                            if avail.get(i) == Some(&b'\\') {
                                esc = true;
                            } else {
                                in_str = false;
                                if depth == 0 {
                                    end = Some(i + 1);
                                    break;
                                }
                            }
                            i += 1;
                        }
                    }
                    continue;
                }
                let b = avail.get(i).copied().unwrap_or_default();
                let start = first;
                first = false;
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth > 0 => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    b'}' | b']' | b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => {
                        if start {
                            return Err(Stop::Broken("expected a value".into()));
                        }
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
                i += 1;
            }
            let take = end.unwrap_or(avail.len());
            let part = avail.get(..take).unwrap_or_default();
            let out = match sink {
                Sink::Buf => Some(&mut self.buf),
                Sink::Key => Some(&mut self.key),
                Sink::Discard => None,
            };
            if let Some(out) = out
                && !over
            {
                if out.len() + part.len() <= limit {
                    out.extend_from_slice(part);
                } else {
                    over = true;
                }
            }
            self.peak = self.peak.max(self.buf.capacity());
            self.newlines += memchr::memchr_iter(b'\n', part).count() as u64;
            self.consumed += take as u64;
            len += take as u64;
            self.inner.consume(take);
            if end.is_some() {
                return Ok((len, over));
            }
        }
    }

    /// The elements of an array whose `[` was consumed, each handed out as a record.
    fn array(&mut self, of: Container, each: &mut dyn FnMut(Unit<'_>)) -> Result<(), Stop> {
        let mut index = 0u64;
        loop {
            let Some(b) = self.skip_ws()? else {
                return Err(Stop::Broken(
                    "the input ends inside an array: the JSON document is incomplete".into(),
                ));
            };
            if b == b']' && index == 0 {
                self.bump();
                return Ok(());
            }
            let line = self.line();
            self.buf.clear();
            let (len, over) = self.value(Sink::Buf, self.max)?;
            if over {
                self.buf.clear();
                each(Unit::TooLong {
                    of,
                    index,
                    line,
                    len,
                });
            } else {
                match std::str::from_utf8(&self.buf) {
                    Ok(text) => each(Unit::Record {
                        of,
                        index,
                        line,
                        text,
                    }),
                    Err(_) => each(Unit::NotUtf8 { of, index, line }),
                }
            }
            index += 1;
            match self.skip_ws()? {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(());
                }
                None => {
                    return Err(Stop::Broken(
                        "the input ends inside an array: the JSON document is incomplete".into(),
                    ));
                }
                Some(_) => return Err(Stop::Broken("expected `,` or `]` in an array".into())),
            }
        }
    }

    /// An object whose `{` (on line `start_line`) was consumed: the records of its `events`,
    /// `logEvents` or `items` array; with none of them, the whole object as one record.
    fn object(&mut self, start_line: u64, each: &mut dyn FnMut(Unit<'_>)) -> Result<(), Stop> {
        let start = self.consumed.saturating_sub(1);
        self.buf.clear();
        self.buf.push(b'{');
        // Still collecting the object as one record (no array of records seen, within limit).
        let mut whole = true;
        let mut envelope = false;
        let mut members = 0u64;
        loop {
            match self.skip_ws()? {
                Some(b'}') if members == 0 => {
                    self.bump();
                    break;
                }
                Some(b'"') => {}
                None => {
                    return Err(Stop::Broken(
                        "the input ends inside an object: the JSON document is incomplete".into(),
                    ));
                }
                Some(_) => {
                    return Err(Stop::Broken(
                        "expected a key (a string) or `}` in an object".into(),
                    ));
                }
            }
            let key_line = self.line();
            let records = if whole {
                if members > 0 {
                    self.buf.push(b',');
                }
                let key_start = self.buf.len();
                if self.value(Sink::Buf, self.max)?.1 {
                    whole = false;
                    None
                } else {
                    records_of(self.buf.get(key_start..).unwrap_or_default())
                }
            } else {
                self.key.clear();
                if self.value(Sink::Key, KEY_MAX)?.1 {
                    None
                } else {
                    records_of(&self.key)
                }
            };
            if self.skip_ws()? != Some(b':') {
                return Err(Stop::Broken("expected `:` after a key in an object".into()));
            }
            self.bump();
            let next = self.skip_ws()?;
            if let Some(of) = records {
                envelope = true;
                whole = false;
                self.buf.clear();
                if next == Some(b'[') {
                    self.bump();
                    self.array(of, each)?;
                } else {
                    let key = match of {
                        Container::CloudWatch(k) => k,
                        _ => "items",
                    };
                    each(Unit::NotArray {
                        key,
                        line: key_line,
                    });
                    self.value(Sink::Discard, 0)?;
                }
            } else if whole {
                self.buf.push(b':');
                if self.value(Sink::Buf, self.max)?.1 {
                    whole = false;
                }
            } else {
                self.value(Sink::Discard, 0)?;
            }
            members += 1;
            match self.skip_ws()? {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    break;
                }
                None => {
                    return Err(Stop::Broken(
                        "the input ends inside an object: the JSON document is incomplete".into(),
                    ));
                }
                Some(_) => {
                    return Err(Stop::Broken("expected `,` or `}` in an object".into()));
                }
            }
        }
        if envelope {
            return Ok(());
        }
        let of = Container::Document;
        if whole && self.buf.len() < self.max {
            self.buf.push(b'}');
            match std::str::from_utf8(&self.buf) {
                Ok(text) => each(Unit::Record {
                    of,
                    index: 0,
                    line: start_line,
                    text,
                }),
                Err(_) => each(Unit::NotUtf8 {
                    of,
                    index: 0,
                    line: start_line,
                }),
            }
        } else {
            each(Unit::TooLong {
                of,
                index: 0,
                line: start_line,
                len: self.consumed - start,
            });
        }
        self.buf.clear();
        Ok(())
    }
}

/// Read JSON documents from `inner`, the first of which opened with `open` (`{` or `[`) on
/// line `first_line`, already consumed. Each record (an element of `events`, `logEvents` or
/// `items`, an element of a top-level array, or a whole object that holds none of them) is
/// handed to `each` on its own, with its index and line; one longer than `max` bytes is
/// skipped as it streams past. Documents may follow one another (`{...}{...}`). A syntax
/// error outside the records, or an input that ends inside a document, stops reading: it is
/// returned in [`DocEnd::broken`] after every record before it was handed out.
pub fn read_documents<R: BufRead + ?Sized>(
    inner: &mut R,
    open: u8,
    first_line: u64,
    max: usize,
    each: &mut dyn FnMut(Unit<'_>),
) -> io::Result<DocEnd> {
    let mut s = Scan {
        inner,
        newlines: first_line,
        consumed: 0,
        max,
        buf: Vec::new(),
        key: Vec::new(),
        peak: 0,
    };
    let mut open = Some((open, first_line));
    let result = loop {
        let (b, line) = match open.take() {
            Some(o) => o,
            None => match s.skip_ws() {
                Err(e) => break Err(Stop::Io(e)),
                Ok(None) => break Ok(()),
                Ok(Some(b @ (b'{' | b'['))) => {
                    let line = s.line();
                    s.bump();
                    (b, line)
                }
                Ok(Some(_)) => {
                    break Err(Stop::Broken(
                        "expected a JSON document (`{` or `[`) after the previous one".into(),
                    ));
                }
            },
        };
        let r = if b == b'{' {
            s.object(line, each)
        } else {
            s.array(Container::Array, each)
        };
        if let Err(e) = r {
            break Err(e);
        }
    };
    // A read error inside a document (a corrupt gzip member) stops it like a syntax error: at
    // its line, after every record before it.
    let broken = match result {
        Ok(()) => None,
        Err(Stop::Io(e)) => Some((s.line(), e.to_string())),
        Err(Stop::Broken(why)) => Some((s.line(), why)),
    };
    Ok(DocEnd {
        consumed: s.consumed,
        lines: s.newlines,
        broken,
        peak_buffer: s.peak,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(input: &[u8], max: usize) -> Vec<String> {
        let mut l = Lines::new(io::BufReader::with_capacity(7, input), max);
        let mut out = Vec::new();
        while let Ok(Some(item)) = l.next_item() {
            out.push(match item {
                Item::Line { line, text, end } => format!("{line}:{text}@{end}"),
                Item::TooLong { line, len, end } => format!("{line}:too long {len}@{end}"),
                Item::NotUtf8 { line, end } => format!("{line}:not utf8@{end}"),
            });
        }
        out
    }

    #[test]
    fn lines_limits_and_offsets() {
        let input = b"ab\n0123456789abcdef\ncd\r\n\xff\nlast";
        assert_eq!(
            collect(input, 8),
            [
                "1:ab@3",
                "2:too long 17@20",
                "3:cd@24",
                "4:not utf8@26",
                "5:last@30"
            ]
        );
    }

    #[test]
    fn partial_line_is_not_consumed_when_following() {
        let mut l = Lines::new(io::BufReader::new(&b"ab\ncd"[..]), 8);
        l.final_partial = false;
        assert!(matches!(l.next_item(), Ok(Some(Item::Line { end: 3, .. }))));
        assert!(matches!(l.next_item(), Ok(None)));
        assert_eq!(l.offset(), 3);
    }

    #[test]
    fn followed_line_completes_when_the_file_grows() {
        // A reader that delivers "ab\ncd", then end of input, then "ef\n".
        struct Growing(Vec<&'static [u8]>);
        impl Read for Growing {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Ok(0);
                }
                let chunk = self.0.remove(0);
                out[..chunk.len()].copy_from_slice(chunk);
                Ok(chunk.len())
            }
        }
        let mut l = Lines::new(
            io::BufReader::new(Growing(vec![b"ab\ncd", b"", b"ef\n"])),
            8,
        );
        l.final_partial = false;
        assert!(matches!(
            l.next_item(),
            Ok(Some(Item::Line { text: "ab", .. }))
        ));
        assert!(matches!(l.next_item(), Ok(None)));
        assert!(matches!(
            l.next_item(),
            Ok(Some(Item::Line {
                text: "cdef",
                end: 8,
                ..
            }))
        ));
    }

    #[test]
    fn oversized_line_streams_past() {
        // 10 MB on one line with a 1 MB limit: rejected, and the next line is still read.
        let mut big = vec![b'x'; 10 * 1024 * 1024];
        big.extend_from_slice(b"\nok\n");
        let mut l = Lines::new(io::BufReader::new(&big[..]), 1024 * 1024);
        assert!(matches!(
            l.next_item(),
            Ok(Some(Item::TooLong { line: 1, .. }))
        ));
        assert!(matches!(
            l.next_item(),
            Ok(Some(Item::Line { text: "ok", .. }))
        ));
        assert!(l.buf.capacity() <= 2 * 1024 * 1024);
    }
}
