//! Streaming input: lines with a hard length limit (an oversized line is skipped as it streams
//! past, never buffered whole), gzip detected by its magic bytes, and pretty-printed CloudWatch
//! Logs CLI output (`aws logs filter-log-events` / `get-log-events`) read as one document.

use std::io::{self, BufRead, BufReader, Read};

/// The default longest line: an audit event above this is rejected.
pub const DEFAULT_MAX_LINE: usize = 4 * 1024 * 1024;
/// The default largest pretty-printed document (CloudWatch CLI output).
pub const DEFAULT_MAX_DOCUMENT: usize = 256 * 1024 * 1024;

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
    pub fn starting_at(mut self, line: u64, offset: u64) -> Self {
        self.line = line;
        self.offset = offset;
        self
    }

    /// The offset after the last item handed out: everything before it has been consumed.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn line_number(&self) -> u64 {
        self.line
    }

    /// The next item, or None at end of input (for now: a followed file may grow).
    #[allow(clippy::single_match_else)] // two real branches: a line break in the buffer or not
    pub fn next_item(&mut self) -> io::Result<Option<Item<'_>>> {
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

/// Whether a first line opens a pretty-printed JSON document rather than a JSON line.
pub fn opens_document(first_line: &str) -> bool {
    matches!(first_line.trim(), "{" | "[")
}

/// Read the rest of a pretty-printed document after its first line, up to `max` bytes.
pub fn read_document<R: BufRead>(
    lines: &mut Lines<R>,
    first: &str,
    max: usize,
) -> io::Result<Result<String, u64>> {
    let mut doc = String::from(first);
    let mut total = first.len() as u64;
    loop {
        match lines.next_item()? {
            None => return Ok(Ok(doc)),
            Some(Item::Line { text, .. }) => {
                total += text.len() as u64 + 1;
                if doc.len() + text.len() + 1 > max {
                    // Keep counting so the error says how large it was.
                    while let Some(item) = lines.next_item()? {
                        if let Item::Line { text, .. } = item {
                            total += text.len() as u64 + 1;
                        }
                    }
                    return Ok(Err(total));
                }
                doc.push('\n');
                doc.push_str(text);
            }
            Some(Item::TooLong { len, .. }) => {
                total += len;
                while lines.next_item()?.is_some() {}
                return Ok(Err(total));
            }
            Some(Item::NotUtf8 { .. }) => return Ok(Err(total)),
        }
    }
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
