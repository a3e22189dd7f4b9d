//! Helpers shared by the integration tests: load files from the repository as the CLI would.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use eksguard_core::Inventory;
use eksguard_core::inventory::{LoadOptions, load_text};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable dir")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Every file under `rel` (relative to the root), sorted.
pub fn files(rel: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let p = root().join(rel);
    if p.is_dir() {
        walk(&p, &mut out);
    } else {
        out.push(p);
    }
    out
}

/// Load files into one inventory, naming them relative to the root (`demo/aws/x.json`).
pub fn load(paths: &[PathBuf]) -> Inventory {
    let root = root();
    let mut inv = Inventory::default();
    for p in paths {
        let text = std::fs::read_to_string(p).expect("readable file");
        let rel = p
            .strip_prefix(&root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/");
        inv.extend(load_text(&rel, &text, &LoadOptions::default()));
    }
    inv
}
