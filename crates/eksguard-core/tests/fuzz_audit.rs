//! Fuzzing harness of the audit-event reader (issue 13): generated and mutated input in every
//! envelope `detect` reads (JSON lines, gzip, CloudWatch Logs CLI output pretty-printed and
//! compact, subscription records, a top-level array, an EventList) fed to `detect::feed`.
//!
//! Properties: no panic on any input; every valid event is read whatever its neighbours, and
//! every bad neighbour is reported once, with its line, without quoting a value; work is
//! bounded by the input (a record or line over its limit is refused as it streams past, never
//! buffered: the reader's peak buffer is asserted); the same events give the same findings in
//! every envelope.
//!
//! Case counts are bounded for CI (`PROPTEST_CASES` overrides them; see docs/fuzzing.md).

use std::io::{self, Read, Write};

use eksguard_core::detect::reader::{self, Container, Unit};
use eksguard_core::detect::{self, Engine, Feed, Options};
use eksguard_core::rules::RULES;
use proptest::prelude::*;

/// A marker placed in values of bad input: no error message may contain it.
const SECRET: &str = "s3cr3t-hunter2-7Q";

/// `PROPTEST_CASES`, else `default`.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A small line limit, so that oversized records are cheap to generate.
const MAX: usize = 4096;

fn options() -> Options {
    Options {
        max_line: MAX,
        ..Options::default()
    }
}

/// A valid audit event, `i` making its audit ID unique.
#[derive(Debug, Clone)]
struct Ev {
    verb: &'static str,
    resource: &'static str,
    subresource: &'static str,
    ns: &'static str,
    name: String,
    user: &'static str,
    code: u16,
    with_request: bool,
}

fn ev_strategy() -> impl Strategy<Value = Ev> {
    (
        prop::sample::select(vec![
            "get", "list", "create", "update", "patch", "delete", "watch",
        ]),
        prop::sample::select(vec![
            "pods",
            "secrets",
            "configmaps",
            "clusterrolebindings",
            "rolebindings",
            "deployments",
            "services",
            "namespaces",
        ]),
        prop::sample::select(vec!["", "", "", "exec", "log"]),
        prop::sample::select(vec!["", "kube-system", "shop", "default"]),
        "[a-z][a-z0-9-]{0,12}|",
        prop::sample::select(vec![
            "alice",
            "system:serviceaccount:shop:web",
            "system:anonymous",
            "system:kube-controller-manager",
        ]),
        prop::sample::select(vec![200u16, 201, 101, 403, 404, 401]),
        any::<bool>(),
    )
        .prop_map(
            |(verb, resource, subresource, ns, name, user, code, with_request)| Ev {
                verb,
                resource,
                subresource,
                ns,
                name,
                user,
                code,
                with_request,
            },
        )
}

fn render(ev: &Ev, i: usize) -> String {
    let mut obj = serde_json::json!({
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "RequestResponse",
        "auditID": format!("fuzz-{i}"),
        "stage": "ResponseComplete",
        "requestURI": format!("/api/v1/{}", ev.resource),
        "verb": ev.verb,
        "user": {"username": ev.user, "groups": ["system:authenticated"]},
        "sourceIPs": [format!("10.0.{}.{}", i / 250 % 250, i % 250)],
        "userAgent": "kubectl/v1.31.0",
        "objectRef": {"resource": ev.resource, "apiVersion": "v1"},
        "responseStatus": {"metadata": {}, "code": ev.code},
        "requestReceivedTimestamp": format!("2026-11-20T10:{:02}:{:02}.000000Z", i / 60 % 60, i % 60),
    });
    let r = &mut obj["objectRef"];
    if !ev.ns.is_empty() {
        r["namespace"] = ev.ns.into();
    }
    // A create logs no name in its objectRef; its request object has it.
    if !ev.name.is_empty() && (ev.verb != "create" || !ev.subresource.is_empty()) {
        r["name"] = ev.name.clone().into();
    }
    if !ev.subresource.is_empty() {
        r["subresource"] = ev.subresource.into();
    }
    if ev.with_request {
        obj["requestObject"] = serde_json::json!({
            "kind": "Pod",
            "metadata": {"name": ev.name, "generateName": "web-"},
            "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "nginx:1", "securityContext": {"privileged": true}}]},
            "roleRef": {"kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"kind": "User", "name": "mallory"}],
        });
    }
    obj.to_string()
}

/// A neighbour that is certainly not an audit event, each kind carrying [`SECRET`] in a value.
#[derive(Debug, Clone)]
enum Bad {
    /// Not JSON.
    Garbage(String),
    /// A field detectors read has the wrong type.
    WrongType(usize),
    /// JSON, but neither auditID nor verb.
    NoEvent,
    /// Longer than the limit.
    TooLong(usize),
    /// A JSON syntax error inside a request body that holds a Secret.
    BrokenSecret,
}

fn bad_strategy() -> impl Strategy<Value = Bad> {
    prop_oneof![
        "[a-zA-Z0-9 ,:\\[\\]{}]{0,40}".prop_map(|s| Bad::Garbage(format!("x{s}"))),
        (0usize..5).prop_map(Bad::WrongType),
        Just(Bad::NoEvent),
        (1usize..3).prop_map(|k| Bad::TooLong(MAX * k + 1)),
        Just(Bad::BrokenSecret),
    ]
}

fn render_bad(bad: &Bad, i: usize) -> String {
    let base = render(
        &Ev {
            verb: "get",
            resource: "secrets",
            subresource: "",
            ns: "shop",
            name: "db".into(),
            user: "alice",
            code: 200,
            with_request: false,
        },
        i,
    );
    match bad {
        Bad::Garbage(s) => format!("{s} {SECRET}"),
        Bad::WrongType(k) => {
            let mut v: serde_json::Value = serde_json::from_str(&base).expect("json");
            match k {
                0 => v["responseStatus"]["code"] = SECRET.into(),
                1 => v["verb"] = serde_json::json!([SECRET]),
                2 => v["user"]["groups"] = SECRET.into(),
                3 => v["sourceIPs"] = serde_json::json!({"ip": SECRET}),
                _ => v["objectRef"]["name"] = serde_json::json!(31_337_424_242u64),
            }
            v.to_string()
        }
        Bad::NoEvent => format!("{{\"hello\":\"{SECRET}\"}}"),
        // Over the limit where records are held to it; no event either way (no auditID or
        // verb) where a whole line of records is (compact CloudWatch output, subscriptions).
        Bad::TooLong(n) => format!("{{\"hello\":\"{SECRET}{}\"}}", "a".repeat(*n)),
        Bad::BrokenSecret => base.replacen(
            "\"stage\"",
            &format!("\"requestObject\":{{\"kind\":\"Secret\",\"data\":{{\"password\":\"{SECRET}\"}} !}},\"stage\""),
            1,
        ),
    }
}

/// One item of an input: a valid event or a bad neighbour.
#[derive(Debug, Clone)]
enum Item {
    Good(Ev),
    Bad(Bad),
}

fn items() -> impl Strategy<Value = Vec<Item>> {
    prop::collection::vec(
        prop_oneof![
            3 => ev_strategy().prop_map(Item::Good),
            1 => bad_strategy().prop_map(Item::Bad),
        ],
        0..24,
    )
}

/// The envelopes `detect` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Envelope {
    Lines,
    Gzip,
    CliPretty,
    CliCompact,
    Subscription,
    Array,
    EventList,
}

const ENVELOPES: [Envelope; 7] = [
    Envelope::Lines,
    Envelope::Gzip,
    Envelope::CliPretty,
    Envelope::CliCompact,
    Envelope::Subscription,
    Envelope::Array,
    Envelope::EventList,
];

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

/// `texts` (each an event or a bad neighbour, as text) in `envelope`. In the JSON envelopes
/// whose records are events (array, EventList), a text that is not JSON goes in as a string;
/// in the CloudWatch ones, every text is a message string.
fn wrap(envelope: Envelope, texts: &[String]) -> Vec<u8> {
    let value = |t: &String| -> serde_json::Value {
        serde_json::from_str(t).unwrap_or_else(|_| serde_json::Value::String(t.clone()))
    };
    let records = || -> Vec<serde_json::Value> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| serde_json::json!({"timestamp": i, "message": t, "logStreamName": "kube-apiserver-audit-1"}))
            .collect()
    };
    match envelope {
        Envelope::Lines => texts
            .iter()
            .flat_map(|t| [t.as_str(), "\n"])
            .collect::<String>()
            .into_bytes(),
        Envelope::Gzip => gzip(&wrap(Envelope::Lines, texts)),
        Envelope::CliPretty => (serde_json::to_string_pretty(
            &serde_json::json!({"events": records(), "searchedLogStreams": []}),
        )
        .expect("json")
            + "\n")
            .into_bytes(),
        Envelope::CliCompact => {
            (serde_json::json!({"events": records(), "nextForwardToken": "f/1"}).to_string() + "\n")
                .into_bytes()
        }
        Envelope::Subscription => {
            // Records in batches of three, one subscription record a line.
            let mut out = String::new();
            for chunk in records().chunks(3) {
                out.push_str(
                    &serde_json::json!({"messageType": "DATA_MESSAGE", "logGroup": "/aws/eks/x/cluster", "logEvents": chunk})
                        .to_string(),
                );
                out.push('\n');
            }
            out.into_bytes()
        }
        Envelope::Array => {
            let list: Vec<serde_json::Value> = texts.iter().map(value).collect();
            (serde_json::to_string_pretty(&list).expect("json") + "\n").into_bytes()
        }
        Envelope::EventList => {
            let list: Vec<serde_json::Value> = texts.iter().map(value).collect();
            (serde_json::to_string_pretty(&serde_json::json!({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": list}))
                .expect("json")
                + "\n")
                .into_bytes()
        }
    }
}

fn run(bytes: &[u8]) -> (Engine, io::Result<()>) {
    run_with(bytes, options())
}

fn run_with(bytes: &[u8], opts: Options) -> (Engine, io::Result<()>) {
    let mut e = Engine::new(RULES, opts);
    let r = detect::feed(&mut e, "fuzz.log", bytes, Feed::default(), &mut |_| Ok(())).map(|_| ());
    (e, r)
}

/// Findings as `(rule, resource, count)`, sorted.
fn findings(e: &Engine) -> Vec<(String, String, u64)> {
    let mut v: Vec<_> = e
        .findings()
        .iter()
        .map(|f| {
            (
                f.rule_id.to_string(),
                f.resource.to_string(),
                f.evidence.as_ref().map_or(0, |ev| ev.count),
            )
        })
        .collect();
    v.sort();
    v
}

fn assert_no_value_quoted(e: &Engine) {
    for m in e.malformed() {
        assert!(
            !m.message.contains(SECRET) && !m.message.contains("31337424242"),
            "a value was quoted: {}:{}: {}",
            m.source,
            m.line,
            m.message
        );
        assert_eq!(m.source, "fuzz.log");
        assert!(m.line >= 1, "no line: {}", m.message);
    }
}

proptest! {
    #![proptest_config(config(48))]

    /// Every valid event is read, and every bad neighbour reported, in every envelope.
    #[test]
    fn every_valid_event_is_read_whatever_its_neighbours(items in items()) {
        let texts: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, it)| match it {
                Item::Good(ev) => render(ev, i),
                Item::Bad(b) => render_bad(b, i),
            })
            .collect();
        let good = items.iter().filter(|i| matches!(i, Item::Good(_))).count() as u64;
        let bad = items.len() as u64 - good;
        let mut reference = None;
        for envelope in ENVELOPES {
            // Where a line holds many records, the limit is the line's.
            let opts = if matches!(envelope, Envelope::CliCompact | Envelope::Subscription) {
                Options { max_line: 1 << 20, ..Options::default() }
            } else {
                options()
            };
            let (e, r) = run_with(&wrap(envelope, &texts), opts);
            prop_assert!(r.is_ok(), "{envelope:?}: {r:?}");
            prop_assert_eq!(e.stats().events, good, "{:?}: {:?}", envelope, e.malformed());
            prop_assert_eq!(e.stats().malformed, bad, "{:?}: {:?}", envelope, e.malformed());
            assert_no_value_quoted(&e);
            if envelope == Envelope::Lines {
                // Each error names its own line.
                let lines: Vec<u64> = e.malformed().iter().map(|m| m.line).collect();
                let expected: Vec<u64> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| matches!(i, Item::Bad(_)))
                    .map(|(n, _)| n as u64 + 1)
                    .collect();
                prop_assert_eq!(lines, expected);
            }
            // The same events give the same findings in every envelope.
            let f = findings(&e);
            match &reference {
                None => reference = Some(f),
                Some(r) => prop_assert_eq!(&f, r, "{:?}", envelope),
            }
        }
    }

    /// Mutated input (bytes flipped, inserted, deleted, cut) in every envelope: no panic, a
    /// result, errors that name their line and quote no value, and work bounded by the input.
    #[test]
    fn mutated_input_never_panics(
        items in items(),
        envelope in prop::sample::select(ENVELOPES.to_vec()),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..5, any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let texts: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, it)| match it {
                Item::Good(ev) => render(ev, i),
                Item::Bad(b) => render_bad(b, i),
            })
            .collect();
        // Mutate the plain text, then compress for gzip (a mutated gzip stream is mostly a
        // decompression error, tested below).
        let mut bytes = wrap(if envelope == Envelope::Gzip { Envelope::Lines } else { envelope }, &texts);
        for (at, op, b) in edits {
            if bytes.is_empty() {
                bytes.push(b);
                continue;
            }
            let i = at.index(bytes.len());
            let structural = [b'{', b'}', b'[', b']', b'"', b'\\', b',', b':', b'\n', 0xef, 0xff];
            match op {
                0 => bytes[i] = b,
                1 => bytes.insert(i, structural[usize::from(b) % structural.len()]),
                2 => { bytes.remove(i); }
                3 => {
                    let end = (i + usize::from(b)).min(bytes.len());
                    let dup = bytes[i..end].to_vec();
                    bytes.splice(i..i, dup);
                }
                _ => bytes.insert(i, b),
            }
        }
        if truncate && !bytes.is_empty() {
            bytes.truncate(cut.index(bytes.len()));
        }
        let input = if envelope == Envelope::Gzip { gzip(&bytes) } else { bytes.clone() };
        let (e, _) = run(&input);
        assert_no_value_quoted(&e);
        // Bounded work: at most one unit per byte.
        prop_assert!(e.stats().lines <= bytes.len() as u64 + 1);
        prop_assert!(e.stats().events + e.stats().malformed <= bytes.len() as u64 + 1);

        // A damaged gzip stream: an error or a result, never a panic.
        let mut gz = gzip(&bytes);
        if gz.len() > 12 {
            let i = cut.index(gz.len() - 10) + 10;
            gz[i] ^= 0x5a;
            gz.truncate(i + 1);
        }
        let _ = run(&gz);
    }

    /// A record or line far over its limit is refused as it streams past: it is never held.
    #[test]
    fn a_huge_record_is_refused_by_its_limit_not_buffered(
        len in (MAX * 4)..(MAX * 2048),
        envelope in prop::sample::select(vec![Envelope::CliPretty, Envelope::Array, Envelope::Lines]),
    ) {
        let good = render(&Ev { verb: "get", resource: "pods", subresource: "", ns: "shop", name: "a".into(), user: "alice", code: 200, with_request: false }, 1);
        let (head, tail) = match envelope {
            Envelope::CliPretty => (
                format!("{{\n  \"events\": [\n    {{\"message\": {}}},\n    {{\"message\": \"", serde_json::to_string(&good).expect("json")),
                format!("\"}},\n    {{\"message\": {}}}\n  ]\n}}\n", serde_json::to_string(&good.replace("fuzz-1", "fuzz-2")).expect("json")),
            ),
            Envelope::Array => (format!("[\n{good},\n[\""), format!("\"],\n{}\n]\n", good.replace("fuzz-1", "fuzz-2"))),
            _ => (format!("{good}\n"), format!("\n{}\n", good.replace("fuzz-1", "fuzz-2"))),
        };
        // Streamed, never built in memory: head, `len` bytes of 'a', tail.
        let input = || head.as_bytes().chain(io::repeat(b'a').take(len as u64)).chain(tail.as_bytes());
        let mut e = Engine::new(RULES, options());
        detect::feed(&mut e, "fuzz.log", input(), Feed::default(), &mut |_| Ok(())).expect("read");
        prop_assert_eq!(e.stats().events, 2);
        prop_assert_eq!(e.stats().oversized, 1);
        let m = &e.malformed()[0].message;
        prop_assert!(m.contains(&format!("the limit of {MAX} bytes (--max-line-size)")), "{}", m);
        if envelope != Envelope::Lines {
            // The document reader's peak buffer stays near the limit.
            let mut r = io::BufReader::new(input());
            let mut first = String::new();
            io::BufRead::read_line(&mut r, &mut first).expect("first line");
            let mut units = Vec::new();
            let end = reader::read_documents(&mut r, first.as_bytes()[0], 1, MAX, &mut |u| {
                units.push(match u {
                    Unit::TooLong { len, .. } => len,
                    _ => 0,
                });
            })
            .expect("read");
            prop_assert!(end.broken.is_none());
            prop_assert!(end.peak_buffer <= 2 * MAX + 64, "held {} bytes", end.peak_buffer);
            prop_assert!(units.iter().any(|&l| l >= len as u64));
        }
    }

    /// Deep nesting, in a record or in a request body, is an error, never a stack overflow.
    #[test]
    fn deep_nesting_is_an_error_not_a_crash(depth in 1000usize..200_000, envelope in prop::sample::select(ENVELOPES.to_vec())) {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let event = render(&Ev { verb: "create", resource: "pods", subresource: "", ns: "shop", name: "a".into(), user: "alice", code: 201, with_request: false }, 1)
            .replacen("\"stage\"", &format!("\"requestObject\":{deep},\"stage\""), 1);
        let texts = vec![event.clone(), deep.clone(), render(&Ev { verb: "get", resource: "pods", subresource: "", ns: "shop", name: "b".into(), user: "alice", code: 200, with_request: false }, 2)];
        let opts = Options { max_line: 1 << 20, ..Options::default() };
        let mut e = Engine::new(RULES, opts);
        let bytes = if matches!(envelope, Envelope::Array | Envelope::EventList) {
            // serde_json would refuse to build a value this deep: write the records by hand.
            let body = texts.join(",\n");
            if envelope == Envelope::Array { format!("[\n{body}\n]\n") } else { format!("{{\n\"items\": [\n{body}\n]\n}}\n") }.into_bytes()
        } else {
            wrap(envelope, &texts)
        };
        let _ = detect::feed(&mut e, "fuzz.log", &bytes[..], Feed::default(), &mut |_| Ok(()));
        // A request body is kept raw (its depth costs nothing until a detector parses it, and
        // then it is refused by the parser's depth limit); an event that deep is refused.
        prop_assert_eq!(e.stats().events, 2, "{:?}", e.malformed());
        prop_assert_eq!(e.stats().malformed, 1, "{:?}", e.malformed());
    }
}

/// The document reader on arbitrary bytes: never a panic, every unit inside the limit, and what
/// it consumed never more than it was given.
#[test]
fn document_reader_on_arbitrary_bytes() {
    let mut runner = proptest::test_runner::TestRunner::new(config(512));
    runner
        .run(
            &(
                prop::collection::vec(
                    prop_oneof![
                        4 => prop::sample::select(b"{}[]\",:\\ \n0a".to_vec()),
                        1 => any::<u8>(),
                    ],
                    0..512,
                ),
                prop::sample::select(vec![b'{', b'[']),
            ),
            |(bytes, open)| {
                let mut r = &bytes[..];
                let mut n = 0u64;
                let end = reader::read_documents(&mut r, open, 1, 64, &mut |u| {
                    n += 1;
                    if let Unit::Record { text, of, .. } = u {
                        assert!(text.len() <= 64 + 2 || of == Container::Document);
                        assert!(text.len() <= 64 + 2 + 64, "{}", text.len());
                    }
                })
                .expect("in-memory input");
                prop_assert!(end.consumed <= bytes.len() as u64);
                prop_assert!(n <= bytes.len() as u64 + 1);
                prop_assert!(end.peak_buffer <= 2 * 64 + 64);
                Ok(())
            },
        )
        .expect("property");
}
