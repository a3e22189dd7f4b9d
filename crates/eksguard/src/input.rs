//! Reading inputs: files, folders (recursively), standard input and the embedded demo.
//! Each input is read with a size limit and parsed in parallel; problems become load errors
//! naming the path, never aborts.
//!
//! Only regular files are read. A FIFO, socket or device (named `*.yaml` or given as a path)
//! is listed as skipped: reading one could block forever or never end. Files are opened
//! without blocking (`O_NONBLOCK`) and checked again on the open handle, so a file swapped for
//! a FIFO between the check and the open is refused too.

use std::io::Read;
use std::path::{Path, PathBuf};

use eksguard_core::inventory::{Inventory, LoadError, LoadOptions, Skipped, load_bytes, load_text};
use rayon::prelude::*;

pub struct Options {
    pub max_bytes: u64,
}

/// One input to parse.
pub enum Text {
    Embedded {
        path: &'static str,
        text: &'static str,
    },
    File(PathBuf),
    Stdin,
}

impl Text {
    pub fn embedded(path: &'static str, text: &'static str) -> Self {
        Self::Embedded { path, text }
    }
}

fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml" | "json")
    )
}

fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Expand `paths` into inputs: files as given, folders walked in sorted order (hidden entries
/// and symlinked folders are not followed). Non-manifest files found in folders are skipped
/// with a note.
fn expand(paths: &[PathBuf], out: &mut Vec<Text>, inv: &mut Inventory) {
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Text::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, out, inv),
            Ok(m) if m.is_file() => out.push(Text::File(p.clone())),
            // Named on the command line: not reading it is an error, never a quiet pass.
            Ok(m) => inv.errors.push(not_regular_error(p, &m)),
            Err(e) => inv.errors.push(LoadError {
                path: display(p),
                line: None,
                message: format!("cannot read: {e}"),
            }),
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<Text>, inv: &mut Inventory) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            inv.errors.push(LoadError {
                path: display(dir),
                line: None,
                message: format!("cannot read folder: {e}"),
            });
            return;
        }
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            walk(&p, out, inv);
        } else if meta.file_type().is_symlink() && p.is_dir() {
            // Symlinked folders can loop; they are not followed.
        } else if is_manifest(&p) {
            // Through a symlink, the file it points to decides.
            match std::fs::metadata(&p) {
                Ok(m) if m.is_file() => out.push(Text::File(p)),
                Ok(m) => inv.skipped.push(not_regular(&p, &m)),
                Err(e) => inv.errors.push(LoadError {
                    path: display(&p),
                    line: None,
                    message: format!("cannot read: {e}"),
                }),
            }
        } else {
            inv.skipped.push(Skipped {
                path: display(&p),
                start_line: None,
                reason: "not a .yaml, .yml or .json file".to_string(),
            });
        }
    }
}

/// What kind of file `m` is, for a file that is neither a regular file nor a folder.
fn file_kind(m: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = m;
    "not a regular file"
}

fn not_regular(p: &Path, m: &std::fs::Metadata) -> Skipped {
    Skipped {
        path: display(p),
        start_line: None,
        reason: format!(
            "{}, not a regular file: not read (pipe a stream to `-` to scan it)",
            file_kind(m)
        ),
    }
}

fn not_regular_error(p: &Path, m: &std::fs::Metadata) -> LoadError {
    let Skipped { path, reason, .. } = not_regular(p, m);
    LoadError {
        path,
        line: None,
        message: reason,
    }
}

/// Open `p` for reading without ever blocking: with `O_NONBLOCK` (opening a FIFO that has no
/// writer would otherwise wait forever), and only if the open handle is a regular file.
fn open_regular(p: &Path) -> Result<std::fs::File, Result<Skipped, std::io::Error>> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    let f = o.open(p).map_err(Err)?;
    let m = f.metadata().map_err(Err)?;
    if m.is_file() {
        Ok(f)
    } else {
        Err(Ok(not_regular(p, &m)))
    }
}

/// Read at most `limit` bytes. The bytes are decoded by the loader, document by document: one
/// that is not UTF-8 is an error at its line and the others are read.
fn read_limited(mut r: impl Read, limit: u64, path: &str) -> Result<Vec<u8>, LoadError> {
    let mut buf = Vec::new();
    r.by_ref()
        .take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| LoadError {
            path: path.to_string(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
    if buf.len() as u64 > limit {
        return Err(too_big(path, None, limit));
    }
    Ok(buf)
}

fn too_big(path: &str, size: Option<u64>, limit: u64) -> LoadError {
    let mib = |b: u64| b / (1024 * 1024);
    let size = size.map_or("more than".to_string(), |s| {
        format!("{} MiB, more than", mib(s))
    });
    LoadError {
        path: path.to_string(),
        line: None,
        message: format!(
            "file is {size} the {} MiB limit; not read (raise it with --max-file-size)",
            mib(limit)
        ),
    }
}

fn load_one(t: &Text, opts: &Options) -> Inventory {
    let lo = LoadOptions::default();
    let failed = |e: LoadError| {
        let mut inv = Inventory::default();
        inv.errors.push(e);
        inv
    };
    match t {
        Text::Embedded { path, text } => load_text(path, text, &lo),
        Text::Stdin => match read_limited(std::io::stdin().lock(), opts.max_bytes, "-") {
            Ok(bytes) => load_bytes("-", &bytes, &lo),
            Err(e) => failed(e),
        },
        Text::File(p) => {
            let path = display(p);
            // Refuse big files before reading a byte of them.
            if let Ok(m) = std::fs::metadata(p)
                && m.len() > opts.max_bytes
            {
                return failed(too_big(&path, Some(m.len()), opts.max_bytes));
            }
            match open_regular(p) {
                Ok(f) => match read_limited(f, opts.max_bytes, &path) {
                    Ok(bytes) => load_bytes(&path, &bytes, &lo),
                    Err(e) => failed(e),
                },
                // Checked a moment ago; it changed since (swapped for a FIFO, say).
                Err(Ok(skipped)) => failed(LoadError {
                    path: skipped.path,
                    line: None,
                    message: skipped.reason,
                }),
                Err(Err(e)) => failed(LoadError {
                    path,
                    line: None,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
    }
}

/// Load `extra` inputs and `paths` into one inventory, in order.
pub fn load(paths: &[PathBuf], opts: &Options, mut extra: Vec<Text>) -> Inventory {
    let mut inv = Inventory::default();
    expand(paths, &mut extra, &mut inv);
    let parts: Vec<Inventory> = extra.par_iter().map(|t| load_one(t, opts)).collect();
    for p in parts {
        inv.extend(p);
    }
    inv.drop_controlled_workloads();
    inv
}
