//! Audit-log input under hostile conditions (issue 13): each CloudWatch record is its own unit,
//! a byte-order mark loses nothing, errors name where and what without quoting a value, and a
//! create names the object it creates.

use std::io::Write;

use eksguard_core::detect::{self, Engine, Feed, Options, Unreadable};
use eksguard_core::rules::RULES;

/// An exec into a kube-system pod (AUD006) with its own audit ID and pod.
fn exec(i: usize) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-{i}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/kube-system/pods/coredns-{i}/exec","verb":"create","user":{{"username":"mallory","groups":["system:authenticated"]}},"sourceIPs":["10.0.0.9"],"userAgent":"kubectl/v1.31.0","objectRef":{{"resource":"pods","namespace":"kube-system","name":"coredns-{i}","subresource":"exec","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":101}},"requestReceivedTimestamp":"2026-11-20T10:00:{:02}.000000Z","stageTimestamp":"2026-11-20T10:00:{:02}.000000Z"}}"#,
        i % 60,
        i % 60
    )
}

fn feed_with(bytes: &[u8], opts: Options) -> (Engine, std::io::Result<()>) {
    let mut e = Engine::new(RULES, opts);
    let r = detect::feed(
        &mut e,
        "audit.json",
        bytes,
        Feed::default(),
        &mut |_| Ok(()),
    )
    .map(|_| ());
    (e, r)
}

fn feed(bytes: &[u8]) -> Engine {
    let (e, r) = feed_with(bytes, Options::default());
    r.expect("readable");
    e
}

fn messages(e: &Engine) -> Vec<String> {
    e.malformed()
        .iter()
        .map(|m| format!("{}:{}: {}", m.source, m.line, m.message))
        .collect()
}

/// `aws logs filter-log-events` output as the AWS CLI prints it (4-space indent, one key a line).
fn cli_export(messages: &[serde_json::Value]) -> String {
    let events: Vec<serde_json::Value> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let i64 = i64::try_from(i).expect("small");
            serde_json::json!({
                "logStreamName": "kube-apiserver-audit-0123456789abcdef",
                "timestamp": 1_763_632_800_000_i64 + i64,
                "message": m,
                "ingestionTime": 1_763_632_801_000_i64 + i64,
                "eventId": format!("3791{i:040}"),
            })
        })
        .collect();
    let doc = serde_json::json!({"events": events, "searchedLogStreams": []});
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(&doc, &mut ser).expect("json");
    String::from_utf8(out).expect("utf-8") + "\n"
}

/// The line of `needle`'s first occurrence in `text` (1-based).
fn line_of(text: &str, needle: &str) -> u64 {
    let at = text.find(needle).expect("needle");
    text[..at].matches('\n').count() as u64 + 1
}

#[test]
fn one_bad_cloudwatch_record_loses_only_itself() {
    let opts = Options {
        max_line: 64 * 1024,
        ..Options::default()
    };
    let huge = format!("{{\"auditID\":\"{}\"}}", "h".repeat(100 * 1024));
    let text = cli_export(&[
        exec(0).into(),
        serde_json::json!(31_337),
        exec(2).into(),
        huge.into(),
        serde_json::json!({"nested": exec(4)}),
        serde_json::Value::Null,
        exec(6).into(),
        "not json".into(),
    ]);
    let (e, r) = feed_with(text.as_bytes(), opts);
    r.expect("the export is readable");
    assert_eq!(e.stats().events, 3, "{:?}", messages(&e));
    assert_eq!(e.stats().oversized, 1);
    let got = messages(&e);
    assert_eq!(got.len(), 5, "{got:?}");
    // Each bad record is named by its index and its line: the line of the field at fault, or
    // where the record starts (`{`, the line before its first key).
    let first_key = |i: usize| line_of(&text, &format!("\"eventId\": \"3791{i:040}\""));
    let message_line = |i: usize| first_key(i) + 3;
    let expected = [
        (1usize, message_line(1)),
        (3, first_key(3) - 1),
        (4, message_line(4)),
        (5, first_key(5) - 1),
        (7, first_key(7) - 1),
    ];
    for ((i, line), m) in expected.into_iter().zip(&got) {
        assert!(
            m.starts_with(&format!("audit.json:{line}: events[{i}]: ")),
            "record {i}, line {line}: {m}"
        );
    }
    assert!(
        got[0].contains("field `message`: expected a string, found a number"),
        "{}",
        got[0]
    );
    // The long message is held to the per-record limit, and the error names that limit.
    assert!(
        got[1].contains("longer than the limit of 65536 bytes (--max-line-size)"),
        "{}",
        got[1]
    );
    assert!(got[2].contains("found a mapping"), "{}", got[2]);
    assert!(
        got[3].contains("`message` is missing or null"),
        "{}",
        got[3]
    );
    assert!(
        got[4].contains("`message` is not an audit event"),
        "{}",
        got[4]
    );
    assert!(
        !got.iter().any(|m| m.contains("31337")),
        "a value was quoted: {got:?}"
    );
}

#[test]
fn a_compact_export_and_subscription_records_are_read_record_by_record() {
    let good = serde_json::Value::from(exec(1));
    let compact =
        serde_json::json!({"events": [{"message": good}, {"message": 7}, {"message": exec(2)}]})
            .to_string()
            + "\n";
    let e = feed(compact.as_bytes());
    assert_eq!(e.stats().events, 2, "{:?}", messages(&e));
    assert_eq!(
        messages(&e),
        [
            "audit.json:1: events[1]: not a CloudWatch Logs event: field `message`: expected a string, found a number"
        ]
    );

    let sub = serde_json::json!({
        "messageType": "DATA_MESSAGE",
        "logGroup": "/aws/eks/prod/cluster",
        "logEvents": [{"id": "1", "timestamp": 1, "message": exec(3)}, {"id": "2", "message": false}, {"id": "3", "message": exec(4)}],
    })
    .to_string();
    let e = feed(format!("{sub}\n{sub}\n").as_bytes());
    assert_eq!(e.stats().events, 2, "{:?}", messages(&e));
    assert_eq!(e.stats().duplicate_stages, 2);
    let got = messages(&e);
    assert_eq!(got.len(), 2);
    assert!(
        got[1].starts_with("audit.json:2: logEvents[1]: "),
        "{got:?}"
    );
}

#[test]
fn a_broken_export_is_unreadable_after_every_record_before_the_break() {
    let text = cli_export(&[exec(0).into(), exec(1).into(), exec(2).into()]);
    let cut = text.find(&"\"id-2\"".replace('"', "\\\"")).expect("third");
    let (e, r) = feed_with(&text.as_bytes()[..cut], Options::default());
    assert_eq!(e.stats().events, 2);
    let err = r.expect_err("an export that ends inside itself cannot be read whole");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    let why = err
        .get_ref()
        .and_then(|i| i.downcast_ref::<Unreadable>())
        .expect("Unreadable");
    assert_eq!(
        why.line,
        line_of(&text, "\"id-2\"".replace('"', "\\\"").as_str())
    );
    assert!(why.message.contains("incomplete"), "{why}");
}

#[test]
fn a_byte_order_mark_loses_nothing_in_any_envelope() {
    let bom = "\u{feff}";
    let lines = format!("{bom}{}\n{}\n", exec(1), exec(2));
    let e = feed(lines.as_bytes());
    assert_eq!(
        (e.stats().events, e.stats().malformed),
        (2, 0),
        "{:?}",
        messages(&e)
    );

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(lines.as_bytes()).expect("gzip");
    let e = feed(&gz.finish().expect("gzip"));
    assert_eq!(
        (e.stats().events, e.stats().malformed),
        (2, 0),
        "{:?}",
        messages(&e)
    );

    let export = format!("{bom}{}", cli_export(&[exec(1).into(), exec(2).into()]));
    let e = feed(export.as_bytes());
    assert_eq!(
        (e.stats().events, e.stats().malformed),
        (2, 0),
        "{:?}",
        messages(&e)
    );

    // A message that starts with one (a shipper that copied the file's first bytes).
    let export = cli_export(&[format!("{bom}{}", exec(1)).into()]);
    let e = feed(export.as_bytes());
    assert_eq!(
        (e.stats().events, e.stats().malformed),
        (1, 0),
        "{:?}",
        messages(&e)
    );

    let pretty = format!(
        "{bom}{}\n",
        serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(&exec(1)).expect("json")
        )
        .expect("json")
    );
    let e = feed(pretty.as_bytes());
    assert_eq!(
        (e.stats().events, e.stats().malformed),
        (1, 0),
        "{:?}",
        messages(&e)
    );
}

#[test]
fn errors_name_the_line_and_field_and_never_quote_a_value() {
    let secret = "hunter2-s3cr3t-VALUE";
    let number = "98765432123456789";
    let base = exec(1);
    let bad = [
        base.replace("\"code\":101", &format!("\"code\":\"{secret}\"")),
        base.replace("\"verb\":\"create\"", &format!("\"verb\":{number}")),
        base.replace(
            "\"groups\":[\"system:authenticated\"]",
            &format!("\"groups\":\"{secret}\""),
        ),
        base.replace("\"sourceIPs\":[\"10.0.0.9\"]", &format!("\"sourceIPs\":[{number}]")),
        base.replace("\"code\":101", &format!("\"code\":{number}")),
        base.replace(
            "\"stage\":",
            &format!("\"requestObject\":{{\"kind\":\"Secret\",\"data\":{{\"password\":\"{secret}\"}} oops}},\"stage\":"),
        ),
        base.replace("\"stage\":", &format!("\"stage\":\"{secret}\\x\",\"x\":")),
        format!("{{\"auditID\": \"{secret}"),
    ];
    let mut text = String::new();
    for b in &bad {
        text.push_str(b);
        text.push('\n');
    }
    text.push_str(&exec(2));
    text.push('\n');
    let export = cli_export(&bad.iter().map(|b| b.as_str().into()).collect::<Vec<_>>());
    for (input, n) in [(text.as_str(), 8), (export.as_str(), 8)] {
        let e = feed(input.as_bytes());
        let got = messages(&e);
        assert_eq!(got.len(), n, "{got:?}");
        for m in &got {
            assert!(
                !m.contains(secret) && !m.contains(number),
                "a value was quoted: {m}"
            );
            assert!(m.starts_with("audit.json:"), "{m}");
        }
        let all = got.join("\n");
        assert!(
            all.contains("field `responseStatus.code`: expected u16, found a string"),
            "{all}"
        );
        assert!(
            all.contains("field `verb`: expected a string, found a number"),
            "{all}"
        );
        assert!(
            all.contains("field `user.groups`: expected a sequence, found a string"),
            "{all}"
        );
        assert!(
            all.contains("field `sourceIPs[0]`: expected a string, found a number"),
            "{all}"
        );
        assert!(
            all.contains(
                "field `responseStatus.code`: expected u16, found a value out of its range"
            ),
            "{all}"
        );
        assert!(all.contains("invalid escape"), "{all}");
    }
    // In JSON lines each error names its own line; the good line after them is read.
    let e = feed(text.as_bytes());
    let lines: Vec<u64> = e.malformed().iter().map(|m| m.line).collect();
    assert_eq!(lines, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(e.stats().events, 1);
}

/// A create as the API server logs it: the objectRef has no name yet.
fn create(resource: &str, ns: Option<&str>, request: &str, response: Option<&str>) -> String {
    let ns_ref = ns
        .map(|n| format!(",\"namespace\":\"{n}\""))
        .unwrap_or_default();
    let ns_path = ns.map(|n| format!("/namespaces/{n}")).unwrap_or_default();
    let response = response
        .map(|r| format!(",\"responseObject\":{r}"))
        .unwrap_or_default();
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"c-{resource}","stage":"ResponseComplete","requestURI":"/apis/x/v1{ns_path}/{resource}?fieldManager=kubectl-client-side-apply","verb":"create","user":{{"username":"alice","groups":["system:authenticated"]}},"sourceIPs":["10.0.1.5"],"userAgent":"kubectl/v1.31.0","objectRef":{{"resource":"{resource}"{ns_ref},"apiGroup":"x","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":201}},"requestObject":{request}{response},"requestReceivedTimestamp":"2026-11-20T10:00:00.000000Z","stageTimestamp":"2026-11-20T10:00:00.002000Z","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}}}"#
    )
}

#[test]
fn a_create_names_the_object_it_creates() {
    let binding = create(
        "clusterrolebindings",
        None,
        r#"{"kind":"ClusterRoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"mallory-admin","creationTimestamp":null},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"mallory"}]}"#,
        None,
    );
    let pod = r#"{"kind":"Pod","apiVersion":"v1","metadata":{GEN,"namespace":"shop"},"spec":{"containers":[{"name":"app","image":"nginx:1.27","securityContext":{"privileged":true}}]}}"#;
    let named = create(
        "pods",
        Some("shop"),
        &pod.replace("GEN", r#""name":"web""#),
        None,
    );
    let generated = create(
        "pods",
        Some("shop"),
        &pod.replace("GEN", r#""generateName":"api-7d4b9c-""#),
        None,
    );
    let generated_logged = create(
        "pods",
        Some("shop"),
        &pod.replace("GEN", r#""generateName":"db-5f6c7d-""#),
        Some(
            r#"{"kind":"Pod","metadata":{"name":"db-5f6c7d-x2k9q","generateName":"db-5f6c7d-","namespace":"shop"}}"#,
        ),
    );
    let text = [binding, named, generated, generated_logged].join("\n") + "\n";
    let e = feed(text.as_bytes());
    let findings = e.findings();
    let by = |rule: &str| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = findings
            .iter()
            .filter(|f| f.rule_id == rule)
            .map(|f| (f.resource.name.clone(), f.message.clone()))
            .collect();
        v.sort();
        v
    };
    let cluster_admin = by("AUD004");
    assert_eq!(cluster_admin.len(), 1, "{findings:#?}");
    assert_eq!(cluster_admin[0].0, "mallory-admin");
    let privileged = by("AUD010");
    let names: Vec<&str> = privileged.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["api-7d4b9c-…", "db-5f6c7d-x2k9q", "web"],
        "{privileged:?}"
    );
    for (name, message) in &privileged {
        assert!(message.contains(&format!("shop/{name}")), "{message}");
    }
    // Evidence names the object too.
    let f = findings
        .iter()
        .find(|f| f.resource.name == "web")
        .expect("web");
    let ev = f.evidence.as_deref().expect("evidence");
    assert!(
        ev.object_refs.iter().any(|o| o == "pods shop/web"),
        "{:?}",
        ev.object_refs
    );
}

#[test]
fn a_corrupt_gzip_stream_is_unreadable_at_its_line_after_every_line_before() {
    let text: String = (0..2000).map(|i| exec(i) + "\n").collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).expect("gzip");
    let bytes = gz.finish().expect("gzip");
    let (e, r) = feed_with(&bytes[..bytes.len() / 2], Options::default());
    let err = r.expect_err("a cut gzip stream cannot be read whole");
    let why = err
        .get_ref()
        .and_then(|i| i.downcast_ref::<Unreadable>())
        .expect("Unreadable");
    let read = e.stats().lines;
    assert!(read > 100 && read < 2000, "{read}");
    assert_eq!(why.line, read + 1, "{why}");
}
