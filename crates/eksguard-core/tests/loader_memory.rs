//! Peak memory of the loader on the hostile inputs of issue 13, measured as the process's peak
//! resident set (`VmHWM`, reset before each input through `/proc/self/clear_refs`). One test in
//! its own binary, so that nothing else runs while it measures. Linux only; elsewhere it checks
//! the outcome without measuring.

use std::fmt::Write;

use eksguard_core::inventory::{LoadOptions, load_text};

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak resident memory added while `f` runs, in MB (`None` where it cannot be measured).
fn peak_growth_mb<T>(f: impl FnOnce() -> T) -> (T, Option<u64>) {
    // Writing 5 resets the peak to the current resident set (Linux 4.0 and later); where it
    // cannot be reset the peak since the start of the process is a bound all the same.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kb("VmRSS:");
    let out = f();
    let peak = status_kb("VmHWM:");
    let growth = before.zip(peak).map(|(b, p)| p.saturating_sub(b) / 1024);
    (out, growth)
}

const CEILING_MB: u64 = 200;

#[test]
fn peak_memory_of_hostile_inputs_is_bounded_by_their_size() {
    let opts = LoadOptions::default();

    // Item 2: one 64 KB key (an explicit key: plain keys stop at 1,024 characters) over 200k
    // items (866 KB) took 4.2 GB of field paths; two such documents aborted the process.
    let key = "k".repeat(64 * 1024);
    let doc = format!("? {key}\n:\n{}", "- 1\n".repeat(200_000));
    let two = format!("{doc}---\n{doc}");
    let (inv, mb) = peak_growth_mb(|| load_text("keys.yaml", &two, &opts));
    assert_eq!(inv.documents, 2, "{:?}", inv.errors);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    drop(inv);
    if let Some(mb) = mb {
        eprintln!("two documents with a 64 KB key over 200k items: peak +{mb} MB");
        assert!(mb < CEILING_MB, "long keys: peak grew by {mb} MB");
    }

    // Item 1: one 100 KB string aliased 20,000 times (180 KB) took 2 GB.
    let big = "x".repeat(100 * 1024);
    let bomb = format!(
        "big: &big {big}\ncopies: [{}]\n",
        vec!["*big"; 20_000].join(", ")
    );
    let (inv, mb) = peak_growth_mb(|| load_text("bomb.yaml", &bomb, &opts));
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    drop(inv);
    if let Some(mb) = mb {
        eprintln!("a 100 KB string aliased 20,000 times: peak +{mb} MB");
        assert!(mb < CEILING_MB, "aliases: peak grew by {mb} MB");
    }

    // Anchors nested around one large sequence: each anchor kept a copy of all of it.
    let mut nested = String::new();
    for i in 0..150 {
        let _ = writeln!(nested, "{}- &a{i}", "  ".repeat(i));
    }
    let _ = writeln!(
        nested,
        "{}- v: [{}]",
        "  ".repeat(150),
        vec!["1"; 200_000].join(",")
    );
    let (inv, mb) = peak_growth_mb(|| load_text("anchors.yaml", &nested, &opts));
    drop(inv);
    if let Some(mb) = mb {
        eprintln!("150 nested anchors over 200k values: peak +{mb} MB");
        assert!(mb < CEILING_MB, "nested anchors: peak grew by {mb} MB");
    }

    flow_collections_held_as_tokens_are_bounded();
}

/// Issue 13, the last bound: a flow collection where a mapping key could start (a block sequence entry, a line of its
/// own, an item of another flow collection) was held whole by the YAML scanner as tokens until
/// it ended, at about 170 bytes a one-character item: 660 MB for 2,000,000 items (4 MB). It is
/// now refused before it is parsed, at its line, and the documents around it are loaded.
fn flow_collections_held_as_tokens_are_bounded() {
    let opts = LoadOptions::default();
    let items = vec!["1"; 2_000_000].join(",");
    let pairs = (0..500_000).fold(String::new(), |mut s, i| {
        let _ = write!(s, "k{i}: 1,");
        s
    });
    let cases = [
        ("a block sequence entry", format!("list:\n- [{items}]\n")),
        ("a line of its own", format!("list:\n  [{items}]\n")),
        (
            "a flow mapping in a flow sequence",
            format!("list: [{{{pairs}}}]\n"),
        ),
        ("an item of a flow sequence", format!("list: [[{items}]]\n")),
    ];
    for (what, doc) in cases {
        let text = format!("a: 1\n---\n# {what}\n{doc}---\nb: 2\n");
        let (inv, mb) = peak_growth_mb(|| load_text("flow.yaml", &text, &opts));
        if let Some(mb) = mb {
            eprintln!("{what}, {} bytes: peak +{mb} MB", doc.len());
            assert!(mb < CEILING_MB, "{what}: peak grew by {mb} MB");
        }
        assert_eq!(inv.documents, 2, "{what}: {:?}", inv.errors);
        assert_eq!(inv.errors.len(), 1, "{what}: {:?}", inv.errors);
        let line = if doc.starts_with("list: [") { 4 } else { 5 };
        assert_eq!(inv.errors[0].line, Some(line), "{what}: {:?}", inv.errors);
        assert!(
            inv.errors[0].message.contains("flow collection"),
            "{what}: {:?}",
            inv.errors
        );
    }

    // Not held, so not refused: a flow sequence after its key on the key's line is read as it
    // comes (its values cost 32 bytes each, and its field lines about 30).
    let doc = format!("list: [{}]\n", vec!["1"; 500_000].join(","));
    let (inv, mb) = peak_growth_mb(|| load_text("flow.yaml", &doc, &opts));
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.documents, 1);
    drop(inv);
    if let Some(mb) = mb {
        eprintln!("a flow sequence of 500,000 items after its key: peak +{mb} MB");
        assert!(
            mb < CEILING_MB,
            "a flow sequence after its key: peak grew by {mb} MB"
        );
    }
}
