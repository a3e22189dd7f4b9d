//! `cargo xtask check`: the module graph of a crate, built from its sources, and its cycles.
//!
//! A module is a file (`lib.rs`, `foo.rs`, `foo/mod.rs`), found by following `mod NAME;` from the
//! crate root. An edge `a -> b` means a file of module `a` names a path into module `b`: in a
//! `use` (groups, globs and renames included) or anywhere in code, including macro bodies and
//! macro invocations. A path is resolved to the longest module path that exists:
//! `crate::detect::event::Event` is an edge to `detect::event`, `crate::Finding` an edge to the
//! crate root, `crate::declare_rule` (a `#[macro_export]` macro) an edge to the file that defines
//! the macro. Paths may start with `crate`, `$crate`, `self`, `super`, a child module declared in
//! the file, or a name a `use` of the file brought into scope that is a module.
//!
//! Left out on purpose: comments (doc comments included), string and char literals, and items
//! under `#[cfg(test)]` (test modules may import anything). Re-exports are not followed: naming
//! `crate::detect::Evidence` depends on `detect` even when `detect` only re-exports it, which is
//! stricter than the compiler, never looser. `#[path]` attributes are not supported (core has
//! none).
//!
//! Why a hand-written lexer rather than `syn`: the paths that matter here sit as often inside
//! macro invocations (`declare_rule! { .. }`) and `macro_rules!` bodies, which `syn` leaves as
//! unparsed token streams, as in ordinary items; a lexer that sees every token (with comments and
//! literals removed) finds both, and costs no dependency.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A token: an identifier (keywords included), `::`, or any other single punctuation character.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

/// Tokens of Rust source with their 1-based lines; comments, literals and lifetimes removed.
fn lex(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let is_start = |ch: char| ch.is_alphabetic() || ch == '_';
    let is_cont = |ch: char| ch.is_alphanumeric() || ch == '_';
    // Skips a quoted literal whose opening quote is at `i`; returns the index after it.
    let skip_quoted = |mut i: usize, line: &mut usize, q: char| {
        i += 1;
        while i < c.len() && c[i] != q {
            if c[i] == '\\' {
                i += 1;
            }
            if i < c.len() && c[i] == '\n' {
                *line += 1;
            }
            i += 1;
        }
        i + 1
    };
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_quoted(i, &mut line, '"');
        } else if ch == '\'' {
            // A char literal ('a', '\n', '\u{1F}') or a lifetime / label ('a, 'static).
            if c.get(i + 1) == Some(&'\\') || c.get(i + 2) == Some(&'\'') {
                i = skip_quoted(i, &mut line, '\'');
            } else {
                i += 1;
                while i < c.len() && is_cont(c[i]) {
                    i += 1;
                }
            }
        } else if is_start(ch) {
            let start = i;
            while i < c.len() && is_cont(c[i]) {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
            let str_prefix = matches!(word.as_str(), "b" | "c");
            if raw_prefix && matches!(c.get(i), Some('"' | '#')) {
                let mut hashes = 0;
                while c.get(i + hashes) == Some(&'#') {
                    hashes += 1;
                }
                if c.get(i + hashes) == Some(&'"') {
                    // Raw string: ends at `"` followed by as many `#`.
                    i += hashes + 1;
                    while i < c.len() {
                        if c[i] == '"' && (0..hashes).all(|k| c.get(i + 1 + k) == Some(&'#')) {
                            i += 1 + hashes;
                            break;
                        }
                        if c[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                    continue;
                }
                if word == "r" && hashes == 1 {
                    // Raw identifier r#name.
                    i += 1;
                    let s = i;
                    while i < c.len() && is_cont(c[i]) {
                        i += 1;
                    }
                    out.push((Tok::Ident(c[s..i].iter().collect()), line));
                    continue;
                }
            }
            if str_prefix && c.get(i) == Some(&'"') {
                i = skip_quoted(i, &mut line, '"');
                continue;
            }
            if str_prefix && word == "b" && c.get(i) == Some(&'\'') {
                i = skip_quoted(i, &mut line, '\'');
                continue;
            }
            out.push((Tok::Ident(word), line));
        } else if ch.is_ascii_digit() {
            while i < c.len() && is_cont(c[i]) {
                i += 1;
            }
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((Tok::PathSep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// Removes attributes and the items under `#[cfg(test)]` (or `cfg(all(test, ..))`: any `cfg`
/// naming `test` outside a `not`). Other attributes are dropped, their items kept.
fn strip_test_items(toks: &[(Tok, usize)]) -> Vec<(Tok, usize)> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if toks[i].0 == Tok::Punct('#') {
            let mut j = i + 1;
            if toks.get(j).map(|t| &t.0) == Some(&Tok::Punct('!')) {
                j += 1;
            }
            if toks.get(j).map(|t| &t.0) == Some(&Tok::Punct('[')) {
                let end = matching(toks, j);
                let inner = &toks[j + 1..end];
                let is_cfg = matches!(inner.first(), Some((Tok::Ident(w), _)) if w == "cfg");
                let names = |w: &str| inner.iter().any(|t| t.0 == Tok::Ident(w.into()));
                i = end + 1;
                if is_cfg && names("test") && !names("not") {
                    i = skip_item(toks, i);
                }
                continue;
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    out
}

/// Index of the bracket closing the one at `open` (or the last token when unbalanced).
fn matching(toks: &[(Tok, usize)], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, (t, _)) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    toks.len().saturating_sub(1)
}

/// The index after the item starting at `i` (its further attributes included): the item ends
/// at a `;` outside brackets or at the `}` closing its first top-level block.
fn skip_item(toks: &[(Tok, usize)], mut i: usize) -> usize {
    while i < toks.len() {
        match toks[i].0 {
            Tok::Punct(';') => return i + 1,
            Tok::Punct('{') => return matching(toks, i) + 1,
            Tok::Punct('(' | '[') => i = matching(toks, i) + 1,
            _ => i += 1,
        }
    }
    i
}

/// A module path below the crate root: `[]` is the root, `["detect", "event"]` is
/// `crate::detect::event`.
pub type ModPath = Vec<String>;

/// Where an edge was seen: file (relative to the crate's `src/`) and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub file: String,
    pub line: usize,
}

/// The modules of a crate and the first place each edge is seen.
#[derive(Debug, Default)]
pub struct Graph {
    /// Module -> file, relative to `src/`.
    pub files: BTreeMap<ModPath, String>,
    pub edges: BTreeMap<ModPath, BTreeMap<ModPath, Site>>,
    /// Files named by `mod x;` that could not be read.
    pub missing: Vec<String>,
}

pub fn show(m: &[String]) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

/// One parsed file.
struct Parsed {
    toks: Vec<(Tok, usize)>,
    /// `mod NAME;` declarations (not inline modules).
    children: Vec<String>,
    /// `#[macro_export] macro_rules! NAME`.
    exported_macros: Vec<String>,
    /// Names the file declares (`struct`, `enum`, `fn`, `const`, `static`, `type`, `trait`).
    items: BTreeSet<String>,
}

fn parse(src: &str) -> Parsed {
    let raw = lex(src);
    // Exported macros, found before attributes are stripped.
    let mut exported_macros = Vec::new();
    for w in raw.windows(7) {
        let id = |k: usize, s: &str| w[k].0 == Tok::Ident(s.into());
        if w[0].0 == Tok::Punct('#')
            && id(2, "macro_export")
            && id(4, "macro_rules")
            && let Tok::Ident(name) = &w[6].0
        {
            exported_macros.push(name.clone());
        }
    }
    let toks = strip_test_items(&raw);
    let mut children = Vec::new();
    for k in 0..toks.len() {
        if toks[k].0 == Tok::Ident("mod".into())
            && let (Some((Tok::Ident(name), _)), Some((Tok::Punct(';'), _))) =
                (toks.get(k + 1), toks.get(k + 2))
        {
            children.push(name.clone());
        }
    }
    let items = toks
        .windows(2)
        .filter_map(|w| match (&w[0].0, &w[1].0) {
            (Tok::Ident(k), Tok::Ident(name))
                if matches!(
                    k.as_str(),
                    "struct" | "enum" | "fn" | "const" | "static" | "type" | "trait" | "union"
                ) =>
            {
                Some(name.clone())
            }
            _ => None,
        })
        .collect();
    Parsed {
        toks,
        children,
        exported_macros,
        items,
    }
}

/// One leaf of a `use` tree, made absolute.
struct UseLeaf {
    path: Vec<String>,
    line: usize,
    /// The name it binds (`use a::b` binds `b`, `use a::b as c` binds `c`, a glob nothing).
    bound: Option<String>,
    /// `pub use` (any `pub(..)` too): a re-export.
    public: bool,
    glob: bool,
}

/// What one file names: `use` leaves and paths in code, made absolute.
#[derive(Default)]
struct Named {
    uses: Vec<UseLeaf>,
    code: Vec<(Vec<String>, usize)>,
    /// Identifiers used outside `use` declarations.
    idents: BTreeSet<String>,
}

/// How a module re-exports: named re-exports (name -> absolute path) and glob re-exports.
#[derive(Default)]
struct Reexports {
    named: BTreeMap<String, Vec<String>>,
    globs: Vec<ModPath>,
}

/// Builds the module graph of the crate whose root is `lib.rs`, reading files through `read`
/// (paths relative to `src/`).
pub fn build(read: &dyn Fn(&str) -> Option<String>) -> Graph {
    let mut g = Graph::default();
    let mut parsed: BTreeMap<ModPath, Parsed> = BTreeMap::new();
    // Discover the module tree.
    let mut queue: VecDeque<(ModPath, String)> = VecDeque::from([(vec![], "lib.rs".to_string())]);
    while let Some((m, file)) = queue.pop_front() {
        let Some(src) = read(&file) else {
            g.missing.push(file);
            continue;
        };
        let p = parse(&src);
        // Children of lib.rs / mod.rs sit beside it; of foo.rs, in foo/.
        let dir = match file.rsplit_once('/') {
            Some((d, "mod.rs")) => format!("{d}/"),
            None if file == "lib.rs" => String::new(),
            _ => format!("{}/", file.trim_end_matches(".rs")),
        };
        for child in &p.children {
            let flat = format!("{dir}{child}.rs");
            let nested = format!("{dir}{child}/mod.rs");
            let f = if read(&flat).is_some() { flat } else { nested };
            let mut cm = m.clone();
            cm.push(child.clone());
            queue.push_back((cm, f));
        }
        g.files.insert(m.clone(), file);
        parsed.insert(m, p);
    }
    let macros: BTreeMap<String, ModPath> = parsed
        .iter()
        .flat_map(|(m, p)| p.exported_macros.iter().map(|n| (n.clone(), m.clone())))
        .collect();
    let modules: BTreeSet<ModPath> = g.files.keys().cloned().collect();
    let named: BTreeMap<&ModPath, Named> = parsed
        .iter()
        .map(|(m, p)| (m, names(m, p, &modules)))
        .collect();
    let mut reexports: BTreeMap<ModPath, Reexports> = BTreeMap::new();
    for (m, n) in &named {
        let r = reexports.entry((*m).clone()).or_default();
        for u in &n.uses {
            if !u.public {
                continue;
            }
            if u.glob {
                if modules.contains(&u.path) {
                    r.globs.push(u.path.clone());
                }
            } else if let Some(b) = &u.bound {
                r.named.insert(b.clone(), u.path.clone());
            }
        }
    }
    let items: BTreeMap<&ModPath, &BTreeSet<String>> =
        parsed.iter().map(|(m, p)| (m, &p.items)).collect();
    let ctx = Resolver {
        modules: &modules,
        macros: &macros,
        reexports: &reexports,
        items: &items,
    };
    for (m, n) in &named {
        let file = &g.files[*m];
        let mut found: Vec<(ModPath, usize)> = Vec::new();
        for u in &n.uses {
            // A re-export is an edge only when the module itself uses what it re-exports.
            let used = if u.glob {
                items
                    .get(&u.path)
                    .is_some_and(|its| its.iter().any(|i| n.idents.contains(i)))
                    || !modules.contains(&u.path)
            } else {
                u.bound.as_ref().is_none_or(|b| n.idents.contains(b))
            };
            if !u.public || used {
                found.push((ctx.resolve(&u.path), u.line));
            }
        }
        for (path, line) in &n.code {
            found.push((ctx.resolve(path), *line));
        }
        for (target, line) in found {
            if &target != *m {
                g.edges
                    .entry((*m).clone())
                    .or_default()
                    .entry(target)
                    .or_insert(Site {
                        file: file.clone(),
                        line,
                    });
            }
        }
    }
    g
}

struct Resolver<'a> {
    modules: &'a BTreeSet<ModPath>,
    macros: &'a BTreeMap<String, ModPath>,
    reexports: &'a BTreeMap<ModPath, Reexports>,
    items: &'a BTreeMap<&'a ModPath, &'a BTreeSet<String>>,
}

impl Resolver<'_> {
    /// The module an absolute path depends on: the longest module prefix, through re-exports
    /// to the module that defines the item; a path to an exported macro at the crate root
    /// resolves to the module defining it.
    fn resolve(&self, path: &[String]) -> ModPath {
        let mut path = path.to_vec();
        // Bounded: re-exports could (wrongly) name each other.
        for _ in 0..16 {
            if path.len() == 1
                && let Some(m) = self.macros.get(&path[0])
            {
                return m.clone();
            }
            let m = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| self.modules.contains(p))
                .unwrap_or_default();
            let Some(next) = path.get(m.len()) else {
                return m;
            };
            let declared = self.items.get(&m).is_some_and(|i| i.contains(next));
            let Some(r) = self.reexports.get(&m).filter(|_| !declared) else {
                return m;
            };
            if let Some(target) = r.named.get(next) {
                let mut p = target.clone();
                p.extend(path[m.len() + 1..].iter().cloned());
                path = p;
            } else if let Some(t) = r
                .globs
                .iter()
                .find(|t| self.items.get(*t).is_some_and(|i| i.contains(next)))
            {
                let mut p = t.clone();
                p.extend(path[m.len()..].iter().cloned());
                path = p;
            } else {
                return m;
            }
        }
        vec![]
    }
}

/// Every path in the file that leads into the crate, made absolute, with its line.
fn names(module: &ModPath, parsed: &Parsed, modules: &BTreeSet<ModPath>) -> Named {
    let toks = &parsed.toks;
    let mut out = Named::default();
    // Names in scope that are modules: children, then `use` aliases that resolve to a module.
    let mut scope: BTreeMap<String, ModPath> = parsed
        .children
        .iter()
        .map(|c| {
            let mut child = module.clone();
            child.push(c.clone());
            (c.clone(), child)
        })
        .collect();
    // The start of a path, made absolute; None for extern crates and local names.
    let root = |first: &str, scope: &BTreeMap<String, ModPath>| -> Option<ModPath> {
        match first {
            "crate" => Some(vec![]),
            "self" => Some(module.clone()),
            "super" => Some(module[..module.len().saturating_sub(1)].to_vec()),
            _ => scope.get(first).cloned(),
        }
    };
    // Pass 1: `use` declarations (aliases become scope for pass 2 and later uses).
    let mut in_use = vec![false; toks.len()];
    let mut at = 0;
    while at < toks.len() {
        if toks[at].0 == Tok::Ident("use".into()) {
            let start = at;
            // `pub use`, `pub(crate) use`, `pub(in path) use`: a re-export.
            let public = match start.checked_sub(1).map(|next| &toks[next].0) {
                Some(Tok::Ident(w)) => w == "pub",
                Some(Tok::Punct(')')) => toks[..start]
                    .iter()
                    .rposition(|t| t.0 == Tok::Punct('('))
                    .and_then(|o| o.checked_sub(1))
                    .is_some_and(|next| toks[next].0 == Tok::Ident("pub".into())),
                _ => false,
            };
            let mut leaves = Vec::new();
            at = use_tree(toks, at + 1, &mut Vec::new(), &mut leaves);
            for flag in &mut in_use[start..at.min(toks.len())] {
                *flag = true;
            }
            for (segs, alias, line, glob) in leaves {
                let Some(first) = segs.first() else { continue };
                let first = first.trim_start_matches('$');
                let Some(mut abs) = root(first, &scope) else {
                    continue;
                };
                let mut rest = &segs[1..];
                // `super::super::x`.
                while rest.first().is_some_and(|s| s == "super") {
                    abs.pop();
                    rest = &rest[1..];
                }
                abs.extend(rest.iter().filter(|s| *s != "self").cloned());
                if modules.contains(&abs)
                    && let Some(alias) = &alias
                {
                    scope.insert(alias.clone(), abs.clone());
                }
                out.uses.push(UseLeaf {
                    path: abs,
                    line,
                    bound: alias,
                    public,
                    glob,
                });
            }
        } else {
            at += 1;
        }
    }
    // Pass 2: paths anywhere else: IDENT (:: IDENT)+ not preceded by `::`.
    let mut at = 0;
    while at < toks.len() {
        if in_use[at] {
            at += 1;
            continue;
        }
        let Tok::Ident(first) = &toks[at].0 else {
            at += 1;
            continue;
        };
        let preceded = at > 0 && toks[at - 1].0 == Tok::PathSep;
        let followed = toks.get(at + 1).map(|t| &t.0) == Some(&Tok::PathSep);
        // A use of a name: not the name a `mod` declares, nor a module heading a path.
        let declared = at > 0 && toks[at - 1].0 == Tok::Ident("mod".into());
        let module_head = followed && scope.contains_key(first);
        if !(declared || module_head) {
            out.idents.insert(first.clone());
        }
        if preceded || !followed {
            at += 1;
            continue;
        }
        let dollar = at > 0 && toks[at - 1].0 == Tok::Punct('$');
        if dollar && first != "crate" {
            at += 1;
            continue;
        }
        let line = toks[at].1;
        let mut segs = vec![first.clone()];
        let mut next = at + 1;
        while toks.get(next).map(|t| &t.0) == Some(&Tok::PathSep) {
            match toks.get(next + 1).map(|t| &t.0) {
                Some(Tok::Ident(s)) => {
                    segs.push(s.clone());
                    next += 2;
                }
                _ => break,
            }
        }
        if let Some(mut abs) = root(&segs[0], &scope) {
            let mut rest = &segs[1..];
            while rest.first().is_some_and(|s| s == "super") {
                abs.pop();
                rest = &rest[1..];
            }
            abs.extend(rest.iter().cloned());
            out.code.push((abs, line));
        }
        at = next.max(at + 1);
    }
    out
}

/// Parses a use tree starting at `k` (after `use` or inside a group) with the segments of its
/// prefix; pushes each leaf (segments, the name it binds when it binds one, line, glob). Returns the
/// index after the tree (after the `;` at top level).
fn use_tree(
    toks: &[(Tok, usize)],
    mut k: usize,
    prefix: &mut Vec<String>,
    leaves: &mut Vec<(Vec<String>, Option<String>, usize, bool)>,
) -> usize {
    let depth = prefix.len();
    let mut line = toks.get(k).map_or(0, |t| t.1);
    loop {
        match toks.get(k).map(|t| &t.0) {
            Some(Tok::PathSep | Tok::Punct('$')) => k += 1,
            Some(Tok::Ident(s)) if s == "as" => {
                // Rename: the leaf binds the alias.
                let alias = match toks.get(k + 1).map(|t| &t.0) {
                    Some(Tok::Ident(a)) if a != "_" => Some(a.clone()),
                    _ => None,
                };
                leaves.push((prefix.clone(), alias, line, false));
                prefix.truncate(depth);
                k += 2;
                return finish(toks, k);
            }
            Some(Tok::Ident(s)) => {
                if prefix.len() == depth {
                    line = toks[k].1;
                }
                prefix.push(s.clone());
                k += 1;
            }
            Some(Tok::Punct('*')) => {
                leaves.push((prefix.clone(), None, line, true));
                prefix.truncate(depth);
                return finish(toks, k + 1);
            }
            Some(Tok::Punct('{')) => {
                k += 1;
                loop {
                    match toks.get(k).map(|t| &t.0) {
                        Some(Tok::Punct('}')) | None => {
                            k += 1;
                            break;
                        }
                        Some(Tok::Punct(',')) => k += 1,
                        _ => {
                            let mut inner = prefix.clone();
                            k = use_tree(toks, k, &mut inner, leaves);
                            // use_tree consumed a `,` or stopped before `}`.
                        }
                    }
                }
                prefix.truncate(depth);
                return finish(toks, k);
            }
            _ => {
                // End of a simple path: `;`, `,` or `}`.
                if prefix.len() > depth {
                    let bound = prefix.last().filter(|s| *s != "self").cloned().or_else(|| {
                        // `a::b::{self}` binds `b`.
                        prefix.len().checked_sub(2).map(|n| prefix[n].clone())
                    });
                    leaves.push((prefix.clone(), bound, line, false));
                }
                prefix.truncate(depth);
                return finish(toks, k);
            }
        }
    }
}

/// After a use tree: consume one `,` or `;` (never a `}`, which closes the enclosing group).
fn finish(toks: &[(Tok, usize)], k: usize) -> usize {
    match toks.get(k).map(|t| &t.0) {
        Some(Tok::Punct(',' | ';')) => k + 1,
        _ => k,
    }
}

/// A cycle: the modules in order (the first is not repeated at the end) and the site of each
/// edge (`sites[i]` is the edge from `mods[i]` to the next).
#[derive(Debug, PartialEq, Eq)]
pub struct Cycle {
    pub mods: Vec<ModPath>,
    pub sites: Vec<Site>,
}

/// The cycles of the graph: for each strongly connected component of more than one module, a
/// shortest cycle through each of its modules (deduplicated), so that every module caught in a
/// cycle is shown in one, and the output stays bounded by the number of modules.
pub fn cycles(g: &Graph) -> Vec<Cycle> {
    let nodes: Vec<&ModPath> = g.files.keys().collect();
    let index: BTreeMap<&ModPath, usize> = nodes.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let adj: Vec<Vec<usize>> = nodes
        .iter()
        .map(|m| {
            g.edges
                .get(*m)
                .map(|e| e.keys().filter_map(|t| index.get(t).copied()).collect())
                .unwrap_or_default()
        })
        .collect();
    let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
    let mut out = Vec::new();
    for start in 0..nodes.len() {
        // BFS from start's successors back to start: a shortest cycle through start.
        let mut prev: Vec<Option<usize>> = vec![None; nodes.len()];
        let mut queue = VecDeque::from([start]);
        let mut visited = vec![false; nodes.len()];
        visited[start] = true;
        let mut closing = None;
        'bfs: while let Some(u) = queue.pop_front() {
            for &v in &adj[u] {
                if v == start {
                    closing = Some(u);
                    break 'bfs;
                }
                if !visited[v] {
                    visited[v] = true;
                    prev[v] = Some(u);
                    queue.push_back(v);
                }
            }
        }
        let Some(mut u) = closing else { continue };
        let mut cyc = vec![u];
        while u != start {
            u = prev[u].unwrap_or(start);
            cyc.push(u);
        }
        cyc.reverse();
        // Canonical rotation: smallest index first.
        let min = cyc
            .iter()
            .enumerate()
            .min_by_key(|(_, n)| **n)
            .map_or(0, |(i, _)| i);
        cyc.rotate_left(min);
        if !seen.insert(cyc.clone()) {
            continue;
        }
        let mods: Vec<ModPath> = cyc.iter().map(|&n| nodes[n].clone()).collect();
        let sites = (0..mods.len())
            .map(|i| g.edges[&mods[i]][&mods[(i + 1) % mods.len()]].clone())
            .collect();
        out.push(Cycle { mods, sites });
    }
    out
}

/// The report of `cargo xtask check` for one crate: each cycle as a path with the file and line
/// of each edge.
pub fn render(src_dir: &str, cycles: &[Cycle]) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    for c in cycles {
        let path: Vec<String> = c
            .mods
            .iter()
            .chain(c.mods.first())
            .map(|m| show(m))
            .collect();
        let _ = writeln!(s, "cycle: {}", path.join(" -> "));
        for (i, site) in c.sites.iter().enumerate() {
            let _ = writeln!(
                s,
                "  {} -> {}  ({src_dir}/{}:{})",
                show(&c.mods[i]),
                show(&c.mods[(i + 1) % c.mods.len()]),
                site.file,
                site.line
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> Graph {
        let files: BTreeMap<String, String> = files
            .iter()
            .map(|(p, s)| ((*p).to_string(), (*s).to_string()))
            .collect();
        build(&|p| files.get(p).cloned())
    }

    fn m(s: &str) -> ModPath {
        if s == "crate" {
            vec![]
        } else {
            s.split("::").map(String::from).collect()
        }
    }

    const LIB: &str = "pub mod finding;\npub mod detect;\npub mod rules;\n";

    #[test]
    fn finds_a_cycle_with_file_and_line() {
        let g = graph(&[
            ("lib.rs", LIB),
            ("finding.rs", "pub struct Finding;\n"),
            (
                "detect/mod.rs",
                "pub mod event;\n\nuse crate::rules::aud::DETECTORS;\n",
            ),
            ("detect/event.rs", "pub struct Event;\n"),
            ("rules/mod.rs", "pub mod aud;\n"),
            (
                "rules/aud/mod.rs",
                "//! uses crate::finding in a comment only\nfn f() -> crate::detect::event::Event {\n    let s = \"crate::detect\";\n    crate::detect::run()\n}\n",
            ),
        ]);
        assert!(g.missing.is_empty(), "{:?}", g.missing);
        let c = cycles(&g);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].mods, vec![m("detect"), m("rules::aud")]);
        assert_eq!(
            c[0].sites,
            vec![
                Site {
                    file: "detect/mod.rs".into(),
                    line: 3
                },
                Site {
                    file: "rules/aud/mod.rs".into(),
                    line: 4
                },
            ]
        );
        // detect::event is not detect: the path to it is an edge to the leaf.
        assert!(g.edges[&m("rules::aud")].contains_key(&m("detect::event")));
        // Comments and strings are not edges.
        assert!(!g.edges[&m("rules::aud")].contains_key(&m("finding")));
        let text = render("src", &c);
        assert!(
            text.contains("cycle: detect -> rules::aud -> detect"),
            "{text}"
        );
        assert!(text.contains("(src/detect/mod.rs:3)"), "{text}");
        assert!(text.contains("(src/rules/aud/mod.rs:4)"), "{text}");
    }

    #[test]
    fn an_acyclic_tree_has_no_cycle() {
        let g = graph(&[
            ("lib.rs", LIB),
            ("finding.rs", "pub struct Finding;\n"),
            (
                "detect/mod.rs",
                "pub mod event;\nuse crate::finding::Finding;\npub fn run(d: &[&dyn Fn(&event::Event)]) {}\n",
            ),
            ("detect/event.rs", "pub struct Event;\n"),
            ("rules/mod.rs", "pub mod aud;\n"),
            (
                "rules/aud/mod.rs",
                "use crate::detect::{self, event::Event};\nuse crate::finding as f;\nfn g(_: f::Finding) { detect::run(&[]) }\n\
                 #[cfg(test)]\nmod tests { use crate::rules; }\n",
            ),
        ]);
        assert_eq!(cycles(&g), vec![]);
        let aud = &g.edges[&m("rules::aud")];
        assert!(aud.contains_key(&m("detect")) && aud.contains_key(&m("detect::event")));
        assert!(aud.contains_key(&m("finding")));
        // The test module's import of rules is not an edge.
        assert!(!aud.contains_key(&m("rules")));
        assert!(g.edges[&m("detect")].contains_key(&m("detect::event")));
    }

    #[test]
    fn super_aliases_groups_and_macros() {
        let g = graph(&[
            ("lib.rs", "pub mod rule;\npub mod rules;\n"),
            (
                "rule.rs",
                "#[macro_export]\nmacro_rules! declare_rule { () => { $crate::rules::X } }\n",
            ),
            ("rules/mod.rs", "pub mod pod;\npub const X: u8 = 0;\n"),
            ("rules/pod/mod.rs", "pub mod a;\npub fn is_windows() {}\n"),
            (
                "rules/pod/a.rs",
                "use super::is_windows;\nuse crate::declare_rule;\nlet c = 'x'; let l: &'static str = r#\"crate::rule\"#;\n",
            ),
        ]);
        let a = &g.edges[&m("rules::pod::a")];
        assert!(a.contains_key(&m("rules::pod")));
        assert!(
            a.contains_key(&m("rule")),
            "the macro resolves to its file: {a:?}"
        );
        assert_eq!(a.len(), 2, "{a:?}");
        // rule -> rules (the macro body) and nothing points back at rule from rules: no cycle.
        assert!(g.edges[&m("rule")].contains_key(&m("rules")));
        assert_eq!(cycles(&g), vec![]);
    }

    #[test]
    fn reexports_are_followed_and_count_only_when_used() {
        // A facade: `inv` re-exports its children; `load` imports `inv`'s own type.
        let facade = |inv_body: &str| {
            graph(&[
                ("lib.rs", "pub mod inv;\npub mod user;\n"),
                ("inv/mod.rs", inv_body),
                (
                    "inv/load.rs",
                    "use super::Inventory;\npub fn load() -> Inventory { todo!() }\n",
                ),
                ("inv/aws.rs", "pub struct Cluster;\n"),
                ("user.rs", "use crate::inv::{Cluster, load};\n"),
            ])
        };
        let only_reexports = facade(
            "pub mod aws;\npub mod load;\npub use self::aws::*;\npub use load::load;\npub struct Inventory;\n",
        );
        assert_eq!(cycles(&only_reexports), vec![]);
        // Naming the re-exported items is an edge to where they are defined.
        let user = &only_reexports.edges[&m("user")];
        assert!(
            user.contains_key(&m("inv::aws")) && user.contains_key(&m("inv::load")),
            "{user:?}"
        );
        assert!(!user.contains_key(&m("inv")), "{user:?}");
        // The facade calling what it re-exports depends on it: inv -> inv::load -> inv.
        let uses_it = facade(
            "pub mod aws;\npub mod load;\npub use self::aws::*;\npub use load::load;\npub struct Inventory;\npub fn again() -> Inventory { load() }\n",
        );
        let c = cycles(&uses_it);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].mods, vec![m("inv"), m("inv::load")]);
    }
}
