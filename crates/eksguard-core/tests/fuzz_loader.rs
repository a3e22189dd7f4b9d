//! Fuzzing harness of the YAML/JSON loader (issue 13): property tests that feed the loader
//! mutated manifests, generated documents, alias bombs, long keys, deep nesting, bytes that
//! are not UTF-8 and multi-document streams, and check that it never panics, that its work and
//! the memory it keeps are bounded by the input's size, that a bad document loses only itself,
//! and that every error names a line.
//!
//! Bounded for CI (a few hundred cases, seconds each); `docs/fuzzing.md` says how to run it
//! longer: `PROPTEST_CASES=20000 cargo test -p eksguard-core --test fuzz_loader --release`.

use std::fmt::Write;
use std::time::{Duration, Instant};

use eksguard_core::Inventory;
use eksguard_core::inventory::text::{Document, Limits, parse, parse_bytes, push_index, push_key};
use eksguard_core::inventory::{LoadOptions, load_bytes, load_text};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::{Map, Value};

/// `cases` unless `PROPTEST_CASES` says otherwise (`Config::default()` reads it;
/// `Config::with_cases` would override it).
fn config(cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    c.failure_persistence = None;
    c
}

/// Real manifests and AWS CLI outputs, the seeds of the mutations.
const SEEDS: &[&str] = &[
    include_str!("../../../demo/kubernetes/payments.yaml"),
    include_str!("../../../demo/kubernetes/rbac.yaml"),
    include_str!("../../../demo/kubernetes/kube-system.yaml"),
    include_str!("../../../demo/kubernetes/secrets.yaml"),
    include_str!("../../../demo/kubernetes/network-policies.yaml"),
    include_str!("../../../demo/kubernetes/aws-auth.yaml"),
    include_str!("../../../demo/aws/eks-describe-cluster.json"),
    include_str!("../../../demo/aws/ec2-describe-instances.json"),
    include_str!("../../../demo/aws/iam-get-role-shop-prod-otel-collector.json"),
];

/// Byte strings that mean something to a YAML or JSON scanner, inserted by the mutations.
const TOKENS: &[&[u8]] = &[
    b"&a ",
    b"*a",
    b"&b ",
    b"*b",
    b"<<: *a\n",
    b"---\n",
    b"...\n",
    b"[",
    b"]",
    b"{",
    b"}",
    b": ",
    b"- ",
    b"? ",
    b",",
    b"!!str ",
    b"!!binary ",
    b"!custom ",
    b"|\n",
    b">-\n",
    b"#",
    b"\n",
    b"\r\n",
    b"\t",
    b"\"",
    b"'",
    b"\\",
    b"\\u00",
    b"\xEF\xBB\xBF",
    b"\xE9",
    b"\xFF",
    b"\xC3",
    b"\xF0\x9F\x98",
    b"\0",
    b"%YAML 1.2\n",
    b"%TAG ! tag:x,2000:\n",
    b"~",
    b"yes",
    b"0x1F",
    b"1e400",
    b"-0",
    b"99999999999999999999",
    b"...",
    b"`",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the byte at a position.
    Set(usize, u8),
    /// Insert a scanner token at a position.
    Insert(usize, usize),
    /// Delete up to `n` bytes at a position.
    Delete(usize, usize),
    /// Repeat up to `n` bytes at a position up to `times` times.
    Repeat(usize, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Set(p, b)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(p, t)| Mutation::Insert(p, t)),
        (any::<usize>(), 1..64usize).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (any::<usize>(), 1..200usize, 1..50usize).prop_map(|(p, n, t)| Mutation::Repeat(p, n, t)),
    ]
}

fn mutate(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for m in mutations {
        // A position in (or at the end of) the bytes.
        let len = bytes.len();
        let at = |pos: usize| if len == 0 { 0 } else { pos % (len + 1) };
        match *m {
            Mutation::Set(pos, value) => {
                if len > 0 {
                    bytes[pos % len] = value;
                }
            }
            Mutation::Insert(pos, token) => {
                let from = at(pos);
                bytes.splice(from..from, TOKENS[token].iter().copied());
            }
            Mutation::Delete(pos, count) => {
                let from = at(pos);
                bytes.drain(from..(from + count).min(len));
            }
            Mutation::Repeat(pos, count, times) => {
                let from = at(pos);
                let to = (from + count).min(len);
                let chunk = bytes[from..to].to_vec();
                for _ in 0..times {
                    bytes.splice(to..to, chunk.iter().copied());
                }
            }
        }
    }
    bytes
}

/// Estimated memory of a parsed value, as the loader's budget counts it: every value, every
/// map entry and the text of strings and keys.
fn value_bytes(v: &Value) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        total += 32;
        match v {
            Value::String(s) => total += s.len() as u64,
            Value::Array(a) => stack.extend(a),
            Value::Object(o) => {
                for (k, x) in o {
                    total += 40 + k.len() as u64;
                    stack.push(x);
                }
            }
            _ => {}
        }
    }
    total
}

/// What the loader may keep for an input of `len` bytes: a constant times the input, plus
/// what anchors and aliases may copy.
fn memory_bound(len: usize) -> u64 {
    let limits = Limits::default();
    128 * len as u64 + 2 * limits.alias_byte_budget(len) + 64 * 1024
}

/// Generous: a hang or a quadratic blow-up on these inputs takes minutes, not seconds.
const TIME_BOUND: Duration = Duration::from_secs(30);

/// Parse `input` (bytes) and check the bounds: no panic, bounded time, parsed values and field
/// lines bounded by the input's size, every error with a line.
fn check_parse(input: &[u8]) -> (Vec<Document>, Vec<String>) {
    let started = Instant::now();
    let (docs, errors) = parse_bytes(input, &Limits::default());
    let took = started.elapsed();
    assert!(took < TIME_BOUND, "{} bytes took {took:?}", input.len());
    let kept: u64 = docs
        .iter()
        .map(|d| value_bytes(&d.value) + d.fields.heap_bytes() as u64)
        .sum();
    assert!(
        kept <= memory_bound(input.len()),
        "{} bytes of input kept {kept} bytes",
        input.len()
    );
    for e in &errors {
        assert!(
            e.line.is_some_and(|l| l >= 1),
            "error without a line: {e:?}"
        );
    }
    (docs, errors.into_iter().map(|e| e.message).collect())
}

/// Load `input` through the whole loader (typed objects, lists, AWS outputs) and check that
/// it stays within its bounds and every error names a line.
fn check_load(input: &[u8]) -> Inventory {
    let started = Instant::now();
    let inv = load_bytes("fuzz.yaml", input, &LoadOptions::default());
    let took = started.elapsed();
    assert!(took < TIME_BOUND, "{} bytes took {took:?}", input.len());
    for e in &inv.errors {
        assert!(e.line.is_some(), "error without a line: {e:?}");
    }
    inv
}

/// Every field path of `v` (as the loader writes them), with the value at it.
fn paths(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), v)];
    while let Some((p, v)) = stack.pop() {
        match v {
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let mut q = p.clone();
                    push_index(&mut q, i);
                    stack.push((q, x));
                }
            }
            Value::Object(o) => {
                for (k, x) in o {
                    let mut q = p.clone();
                    push_key(&mut q, k);
                    stack.push((q, x));
                }
            }
            _ => {}
        }
        out.push(p);
    }
    out
}

/// Keys that need quoting in a path (dots, brackets, quotes, backslashes) and plain ones.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_-]{0,10}",
        "[a-z./\\[\\]\"\\\\ é-]{1,12}",
        Just("eks.amazonaws.com/role-arn".to_string()),
        Just("<<x".to_string()),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e6f64..1.0e6).prop_map(Value::from),
        "[a-zA-Z0-9 ._/:@-]{0,20}".prop_map(Value::String),
        "[^\\x00-\\x1f\\x7f-\\u{9f}\\u{feff}\\u{fffe}\\u{ffff}]{0,12}".prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(6, 200, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// `v` as block YAML (quoted keys and JSON scalars, which are YAML too).
fn block_yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(o) if !o.is_empty() => {
            for (k, x) in o {
                out.push_str(&pad);
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                nested(x, indent, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for x in a {
                out.push_str(&pad);
                out.push('-');
                nested(x, indent, out);
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&other.to_string());
            out.push('\n');
        }
    }
}

fn nested(x: &Value, indent: usize, out: &mut String) {
    match x {
        Value::Object(o) if !o.is_empty() => {
            out.push('\n');
            block_yaml(x, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            block_yaml(x, indent + 2, out);
        }
        other => {
            out.push(' ');
            out.push_str(&other.to_string());
            out.push('\n');
        }
    }
}

/// `v` as block YAML whose collections are written, by turns from `style`'s bits, in block
/// style, as a flow collection (compact JSON) on the line of their key or `-`, or as a flow
/// collection on a line of its own below it (where the YAML scanner holds it whole as tokens).
fn mixed_yaml(v: &Value, indent: usize, style: &mut u64, out: &mut String) {
    let pad = " ".repeat(indent);
    let entries: Vec<(Option<&String>, &Value)> = match v {
        Value::Object(o) if !o.is_empty() => o.iter().map(|(k, x)| (Some(k), x)).collect(),
        Value::Array(a) if !a.is_empty() => a.iter().map(|x| (None, x)).collect(),
        other => {
            out.push_str(&pad);
            out.push_str(&other.to_string());
            out.push('\n');
            return;
        }
    };
    for (k, x) in entries {
        out.push_str(&pad);
        match k {
            Some(k) => {
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
            }
            None => out.push('-'),
        }
        let pick = *style & 3;
        *style = style.rotate_right(2);
        match x {
            Value::Object(_) | Value::Array(_) if pick == 1 => {
                out.push(' ');
                out.push_str(&x.to_string());
                out.push('\n');
            }
            Value::Object(_) | Value::Array(_) if pick == 2 => {
                out.push('\n');
                out.push_str(&pad);
                out.push_str("  ");
                out.push_str(&x.to_string());
                out.push('\n');
            }
            Value::Object(o) if !o.is_empty() => {
                out.push('\n');
                mixed_yaml(x, indent + 2, style, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                mixed_yaml(x, indent + 2, style, out);
            }
            other => {
                out.push(' ');
                out.push_str(&other.to_string());
                out.push('\n');
            }
        }
    }
}

/// Every path of the parsed value has its own line span, and a missing field below it falls
/// back to it.
fn assert_every_path_has_lines(doc: &Document) {
    for p in paths(&doc.value) {
        let span = doc.fields.get(&p);
        assert!(span.is_some(), "no lines for `{p}`");
        let mut below = p.clone();
        push_key(&mut below, "zz-not-there");
        assert_eq!(doc.fields.lookup(&below), span, "`{below}`");
        let (s, e) = span.unwrap_or_default();
        assert!(
            s >= doc.start_line && e <= doc.end_line && s <= e,
            "`{p}`: {s}-{e}"
        );
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Real manifests mutated byte by byte: no panic, bounded time and memory, every error
    /// with a line (through the whole loader too).
    #[test]
    fn mutated_manifests(
        seed in 0..SEEDS.len(),
        mutations in prop::collection::vec(mutation(), 1..12),
    ) {
        let input = mutate(SEEDS[seed].as_bytes(), &mutations);
        check_parse(&input);
        check_load(&input);
    }

    /// Generated values, written as JSON and as block YAML, parse back to themselves, and
    /// every field has its lines.
    #[test]
    fn generated_documents_round_trip(value in json_value(), style in any::<u64>()) {
        let json = serde_json::to_string_pretty(&value).expect("json");
        let (docs, errors) = check_parse(json.as_bytes());
        prop_assert!(errors.is_empty(), "{errors:?}\n{json}");
        if value.is_null() {
            prop_assert!(docs.is_empty());
        } else {
            prop_assert_eq!(docs.len(), 1);
            prop_assert_eq!(&docs[0].value, &value);
            assert_every_path_has_lines(&docs[0]);
        }
        if value.is_object() || value.is_array() {
            let mut yaml = String::new();
            block_yaml(&value, 0, &mut yaml);
            let (docs, errors) = check_parse(yaml.as_bytes());
            prop_assert!(errors.is_empty(), "{errors:?}\n{yaml}");
            prop_assert_eq!(docs.len(), 1);
            prop_assert_eq!(&docs[0].value, &value);
            assert_every_path_has_lines(&docs[0]);
            // The same with flow collections in block values.
            let mut yaml = String::new();
            let mut turns = style;
            mixed_yaml(&value, 0, &mut turns, &mut yaml);
            let (docs, errors) = check_parse(yaml.as_bytes());
            prop_assert!(errors.is_empty(), "{errors:?}\n{yaml}");
            prop_assert_eq!(docs.len(), 1);
            prop_assert_eq!(&docs[0].value, &value);
            assert_every_path_has_lines(&docs[0]);
        }
    }

    /// Multi-document streams of real manifests, some with a byte that is not UTF-8: exactly
    /// the documents with a bad byte are lost, each with an error at its line.
    #[test]
    fn bad_bytes_lose_only_their_document(
        picks in prop::collection::vec((0..6usize, any::<bool>(), any::<usize>(), 0x80u8..=0xFF), 1..12),
    ) {
        // Single documents of the seeds: the six of payments.yaml.
        let docs: Vec<&str> = SEEDS[0].split("\n---\n").collect();
        let mut input = Vec::new();
        let mut bad_lines = Vec::new();
        let mut good = 0;
        let mut line = 1usize;
        for (i, (which, bad, at, byte)) in picks.iter().enumerate() {
            if i > 0 {
                input.extend_from_slice(b"---\n");
                line += 1;
            }
            let doc = docs[*which].trim_end_matches('\n');
            let lines: Vec<&str> = doc.split('\n').collect();
            if *bad && std::str::from_utf8(&[*byte]).is_err() {
                // In a comment line of its own, or in a value.
                let target = at % lines.len();
                for (n, l) in lines.iter().enumerate() {
                    if n == target {
                        input.extend_from_slice(b"# ");
                        input.push(*byte);
                        input.push(b'\n');
                        bad_lines.push(line + n);
                    }
                    input.extend_from_slice(l.as_bytes());
                    input.push(b'\n');
                }
                line += lines.len() + 1;
            } else {
                input.extend_from_slice(doc.as_bytes());
                input.push(b'\n');
                line += lines.len();
                good += 1;
            }
        }
        let (parsed, errors) = check_parse(&input);
        prop_assert_eq!(parsed.len(), good);
        prop_assert_eq!(errors.len(), bad_lines.len());
        let (_, errs) = parse_bytes(&input, &Limits::default());
        let lines: Vec<usize> = errs.iter().filter_map(|e| e.line).map(|l| l as usize).collect();
        prop_assert_eq!(lines, bad_lines);
        let inv = check_load(&input);
        prop_assert_eq!(inv.documents, good);
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// Alias bombs of every shape (levels of aliases of aliases, one large value aliased many
    /// times, in block and flow style, as keys and as merge keys): refused or loaded, the
    /// memory kept stays within the input's budget.
    #[test]
    fn alias_bombs(
        base in 0..60_000usize,
        levels in 1..8usize,
        width in 1..40usize,
        flow in any::<bool>(),
        as_key in any::<bool>(),
        merge in any::<bool>(),
    ) {
        let mut text = format!("a0: &a0 {}\n", "x".repeat(base));
        for l in 1..=levels {
            let prev = l - 1;
            if merge {
                let _ = writeln!(text, "a{l}: &a{l}");
                for w in 0..width {
                    let _ = writeln!(text, "  k{w}: *a{prev}");
                }
                let _ = writeln!(text, "  <<: {{x: *a{prev}}}");
            } else if as_key {
                let _ = write!(text, "a{l}: &a{l} {{");
                for w in 0..width {
                    let _ = write!(text, "? *a{prev} : {w}, ");
                }
                text.push_str("}\n");
            } else if flow {
                let refs = vec![format!("*a{prev}"); width].join(", ");
                let _ = writeln!(text, "a{l}: &a{l} [{refs}]");
            } else {
                let _ = writeln!(text, "a{l}: &a{l}");
                for _ in 0..width {
                    let _ = writeln!(text, "  - *a{prev}");
                }
            }
        }
        check_parse(text.as_bytes());
        // The bomb in the middle of a stream loses only itself.
        let stream = format!("a: 1\n---\n{text}---\nb: 2\n");
        let (docs, _) = check_parse(stream.as_bytes());
        prop_assert!(docs.len() >= 2);
    }

    /// Long keys above many fields, in explicit-key, flow and JSON form, nested: the field
    /// lines cost memory in proportion to the input, not to the key times the fields.
    #[test]
    fn long_keys(
        key_len in 1..70_000usize,
        items in 1..10_000usize,
        depth in 1..4usize,
        form in 0..3u8,
        documents in 1..3usize,
    ) {
        let key = "k".repeat(key_len);
        let one = match form {
            0 => {
                let mut s = String::new();
                for d in 0..depth {
                    let _ = writeln!(s, "{}? {key}{d}\n{}:", "  ".repeat(d), "  ".repeat(d));
                }
                let pad = "  ".repeat(depth);
                for _ in 0..items {
                    s.push_str(&pad);
                    s.push_str("- 1\n");
                }
                s
            }
            1 => {
                let inner = format!("[{}]", vec!["1"; items].join(","));
                let mut s = inner;
                for d in (0..depth).rev() {
                    s = format!("{{{key}{d}: {s}}}");
                }
                s + "\n"
            }
            _ => {
                let inner = format!("[{}]", vec!["1"; items].join(","));
                let mut s = inner;
                for d in (0..depth).rev() {
                    s = format!("{{\"{key}{d}\": {s}}}");
                }
                s + "\n"
            }
        };
        let text = vec![one; documents].join("---\n");
        let (docs, errors) = check_parse(text.as_bytes());
        // Flow and JSON documents are one document each: two in a stream are an error.
        if form == 0 || documents == 1 {
            prop_assert!(errors.is_empty(), "{errors:?}");
            prop_assert_eq!(docs.len(), documents);
            let d = &docs[0];
            let mut p = String::new();
            for i in 0..depth {
                push_key(&mut p, &format!("{key}{i}"));
            }
            push_index(&mut p, items - 1);
            prop_assert!(d.fields.get(&p).is_some());
        }
    }

    /// Flow collections in block values and in other flow collections, under a budget of
    /// 1,000 held tokens: a collection where a key could start (`- [...]`, a line of its own,
    /// the value of an explicit key, an item of a flow collection) is refused at its line when
    /// it goes over, never when it is far under; one after its key on the key's line never
    /// (only its items are held); the documents around it always load.
    #[test]
    fn held_flow_collections(
        items in 0..2_000usize,
        form in 0..6u8,
        mapping in any::<bool>(),
        pad in 0..3usize,
    ) {
        let limits = Limits {
            held_token_bytes_per_input_byte: 0,
            max_held_token_bytes: 1_000 * eksguard_core::inventory::text::HELD_TOKEN_BYTES,
            ..Limits::default()
        };
        let body = (0..items).fold(String::new(), |mut s, i| {
            if i > 0 {
                s.push(',');
            }
            if mapping {
                let _ = write!(s, "k{i}: {i}");
            } else {
                let _ = write!(s, "{}", "x".repeat(pad + 1));
            }
            s
        });
        let flow = if mapping { format!("{{{body}}}") } else { format!("[{body}]") };
        // The document, the line of the collection that is held (None: not held).
        let (doc, held_line) = match form {
            0 => (format!("list:\n- {flow}\n"), Some(5)),
            1 => (format!("list:\n  {flow}\n"), Some(5)),
            2 => (format!("? list\n: {flow}\n"), Some(5)),
            3 => (format!("list: [1, {flow}]\n"), Some(4)),
            4 => (format!("list: {{a: [], b: {flow}}}\n"), None),
            _ => (format!("list: {flow}\n"), None),
        };
        let text = format!("a: 1\n---\n# form {form}\n{doc}---\nb: 2\n");
        let started = Instant::now();
        let (docs, errors) = parse(&text, &limits);
        prop_assert!(started.elapsed() < TIME_BOUND);
        let lengths: Vec<usize> = docs.iter().map(|d| d.value.as_object().map_or(0, Map::len)).collect();
        prop_assert!(docs.iter().any(|d| d.value.get("a").is_some()), "{errors:?}");
        prop_assert!(docs.iter().any(|d| d.value.get("b").is_some()), "{errors:?}");
        // 2 or 3 counted tokens an item (`x,`), 6 or 7 a pair (`k: v,`).
        let (least, most) = if mapping {
            (6 * items, 7 * items + 4)
        } else {
            (2 * items, 3 * items + 4)
        };
        match held_line {
            Some(line) if least > 1_000 => {
                prop_assert_eq!(docs.len(), 2, "{:?}", lengths);
                prop_assert_eq!(errors.len(), 1);
                prop_assert_eq!(errors[0].line, Some(line), "{:?}", errors);
                prop_assert!(errors[0].message.contains("flow collection"), "{:?}", errors);
            }
            Some(_) if most > 1_000 => {}
            _ => {
                prop_assert!(errors.is_empty(), "{errors:?}");
                prop_assert_eq!(docs.len(), 3);
            }
        }
    }

    /// Deep nesting, block and flow, mappings and sequences: refused past the depth limit
    /// with a line, never a stack overflow.
    #[test]
    fn deep_nesting(depth in 1..3_000usize, form in 0..4u8) {
        let text = match form {
            0 => format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
            1 => format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth)),
            2 => (0..depth).fold(String::new(), |mut s, d| {
                let _ = writeln!(s, "{}a:", " ".repeat(d));
                s
            }),
            _ => (0..depth).fold(String::new(), |mut s, d| {
                let _ = writeln!(s, "{}- ", " ".repeat(d * 2));
                s
            }),
        };
        let (docs, errors) = check_parse(text.as_bytes());
        prop_assert!(docs.len() + errors.len() >= 1 || text.trim().is_empty());
        if depth > Limits::default().max_depth + 1 {
            prop_assert!(docs.is_empty(), "depth {depth} form {form} parsed");
        }
        check_load(text.as_bytes());
    }
}

/// `load_text` and `load_bytes` agree on UTF-8 input (the webhook and live sources call the
/// first, files and stdin the second).
#[test]
fn load_text_and_load_bytes_agree() {
    for seed in SEEDS {
        let a = load_text("s", seed, &LoadOptions::default());
        let b = load_bytes("s", seed.as_bytes(), &LoadOptions::default());
        assert_eq!(a.documents, b.documents);
        assert_eq!(format!("{:?}", a.errors), format!("{:?}", b.errors));
        assert_eq!(a.workloads.len(), b.workloads.len());
    }
    let (docs, errors) = parse("", &Limits::default());
    assert!(docs.is_empty() && errors.is_empty());
}
