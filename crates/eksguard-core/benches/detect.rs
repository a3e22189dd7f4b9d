//! `eksguard detect` throughput on one core: one million generated audit events (~1.2 KB each,
//! the mix of a busy EKS cluster: kubelet lease renewals, controller watches, service-account
//! reads, deployments, with attacks sprinkled in) run through every AUD detector, beside a plain
//! `serde_json` parse of the same lines into an ignore-everything type (the parsing limit).
//!
//! Run: `cargo bench -p eksguard-core --bench detect` (`EKSGUARD_BENCH_EVENTS=N` to resize).

use std::fmt::Write;
use std::hint::black_box;
use std::time::Instant;

use eksguard_core::detect::{Engine, Options, ThreatIntel};
use eksguard_core::rules::RULES;

/// xorshift: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[allow(clippy::too_many_arguments)]
fn event(
    out: &mut String,
    i: u64,
    user: &str,
    groups: &str,
    verb: &str,
    resource: &str,
    ns: &str,
    name: &str,
    sub: &str,
    code: u16,
    ip: &str,
    ua: &str,
    request: &str,
) {
    let secs = i / 2_000;
    let (h, m, s) = (10 + secs / 3600, secs / 60 % 60, secs % 60);
    let micros = i % 2_000 * 500;
    let ts = format!("2026-11-20T{h:02}:{m:02}:{s:02}.{micros:06}Z");
    let sub_field = if sub.is_empty() {
        String::new()
    } else {
        format!(",\"subresource\":\"{sub}\"")
    };
    let ns_path = if ns.is_empty() {
        String::new()
    } else {
        format!("/namespaces/{ns}")
    };
    let _ = writeln!(
        out,
        "{{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"auditID\":\"{:08x}-7d2c-4c1e-9a55-{:012x}\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1{ns_path}/{resource}/{name}\",\"verb\":\"{verb}\",\"user\":{{\"username\":\"{user}\",\"uid\":\"aws-iam-authenticator:111122223333:AROAEXAMPLE{:06}\",\"groups\":[{groups}],\"extra\":{{\"accessKeyId\":[\"ASIAEXAMPLEKEYID0000\"],\"arn\":[\"arn:aws:sts::111122223333:assumed-role/eks-node-role/i-0abc{:08x}\"],\"canonicalArn\":[\"arn:aws:iam::111122223333:role/eks-node-role\"],\"principalId\":[\"AROAEXAMPLE\"],\"sessionName\":[\"i-0abc{:08x}\"]}}}},\"sourceIPs\":[\"{ip}\"],\"userAgent\":\"{ua}\",\"objectRef\":{{\"resource\":\"{resource}\",\"namespace\":\"{ns}\",\"name\":\"{name}\",\"apiVersion\":\"v1\"{sub_field}}},\"responseStatus\":{{\"metadata\":{{}},\"code\":{code}}},{request}\"requestReceivedTimestamp\":\"{ts}\",\"stageTimestamp\":\"{ts}\",\"annotations\":{{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":\"RBAC: allowed by ClusterRoleBinding \\\"system:node\\\" of ClusterRole \\\"system:node\\\" to Group \\\"system:nodes\\\"\",\"pod-security.kubernetes.io/enforce-policy\":\"restricted:latest\"}}}}",
        i,
        i,
        i % 997,
        i % 4096,
        i % 4096
    );
}

fn generate(n: u64) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(usize::try_from(n).unwrap_or(0) * 1300);
    let ua_node = "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46";
    let ua_ctl = "kubectl/v1.31.0 (darwin/arm64) kubernetes/9edcffc";
    let nodes = "\"system:nodes\",\"system:authenticated\"";
    let sas = "\"system:serviceaccounts\",\"system:serviceaccounts:shop\",\"system:authenticated\"";
    let people = "\"dev-team\",\"system:authenticated\"";
    for i in 0..n {
        let node = format!("system:node:ip-10-0-{}-{}.ec2.internal", i % 7, i % 200);
        let ip = format!("10.0.{}.{}", i % 7, i % 200);
        match rng.below(1000) {
            // Attacks, about 0.2% of the stream.
            0 => event(
                &mut out,
                i,
                "mallory",
                people,
                "create",
                "pods",
                "kube-system",
                "coredns-5d78c9869d-abcde",
                "exec",
                101,
                "198.51.100.9",
                ua_ctl,
                "",
            ),
            1 => event(
                &mut out,
                i,
                "system:anonymous",
                "\"system:unauthenticated\"",
                "list",
                "secrets",
                "",
                "",
                "",
                200,
                "185.220.101.44",
                "curl/8.5.0",
                "",
            ),
            2 if i % 3 == 0 => event(
                &mut out,
                i,
                "system:serviceaccount:ci:deployer",
                sas,
                "get",
                "secrets",
                "shop",
                "db",
                "",
                403,
                "52.94.10.20",
                "python-requests/2.31",
                "",
            ),
            // Kubelet lease renewals and node status: the bulk.
            3..=420 => event(
                &mut out,
                i,
                &node,
                nodes,
                "update",
                "leases",
                "kube-node-lease",
                "ip-10-0-1-5.ec2.internal",
                "",
                200,
                &ip,
                ua_node,
                "",
            ),
            421..=600 => event(
                &mut out,
                i,
                &node,
                nodes,
                "get",
                "configmaps",
                "kube-system",
                "kube-proxy",
                "",
                200,
                &ip,
                ua_node,
                "",
            ),
            601..=800 => event(
                &mut out,
                i,
                "system:serviceaccount:shop:web",
                sas,
                "watch",
                "pods",
                "shop",
                "",
                "",
                200,
                &ip,
                "web/1.0",
                "",
            ),
            801..=900 => event(
                &mut out,
                i,
                "system:serviceaccount:shop:web",
                sas,
                "get",
                "secrets",
                "shop",
                "web-config",
                "",
                200,
                &ip,
                "web/1.0",
                "",
            ),
            901..=960 => event(
                &mut out,
                i,
                "system:kube-controller-manager",
                "\"system:authenticated\"",
                "update",
                "endpointslices",
                "shop",
                "web-x",
                "",
                200,
                "10.0.0.10",
                "kube-controller-manager/v1.31.2",
                "",
            ),
            961..=990 => event(
                &mut out, i, "alice", people, "list", "pods", "shop", "", "", 200, "10.1.0.4",
                ua_ctl, "",
            ),
            _ => event(
                &mut out,
                i,
                "alice",
                people,
                "create",
                "deployments",
                "shop",
                "web",
                "",
                201,
                "10.1.0.4",
                ua_ctl,
                "\"requestObject\":{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"shop/web:1.4\",\"securityContext\":{\"privileged\":false}}]}}}},",
            ),
        }
    }
    out
}

#[allow(clippy::cast_precision_loss)] // counts shown as rates
fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let n: u64 = std::env::var("EKSGUARD_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench { 1_000_000 } else { 2_000 });
    let data = generate(n);
    let lines: Vec<&str> = data.lines().collect();
    println!(
        "detect bench: {} events, {:.0} bytes/event on average, {:.1} MB",
        lines.len(),
        data.len() as f64 / lines.len() as f64,
        data.len() as f64 / 1e6
    );

    let start = Instant::now();
    let mut ok = 0usize;
    for l in &lines {
        if serde_json::from_str::<serde::de::IgnoredAny>(l).is_ok() {
            ok += 1;
        }
    }
    let parse = start.elapsed().as_secs_f64();
    black_box(ok);

    let (intel, _) =
        ThreatIntel::parse("185.220.101.0/24 tor\n198.51.100.0/24 malicious\n", "intel");
    let opts = Options {
        intel,
        ..Options::default()
    };
    let mut engine = Engine::new(RULES, opts);
    let start = Instant::now();
    for (i, l) in lines.iter().enumerate() {
        engine.process_line("bench", i as u64 + 1, l);
    }
    let detect = start.elapsed().as_secs_f64();
    let findings = engine.findings();
    let n = lines.len() as f64;
    println!(
        "serde_json parse into IgnoredAny: {:>9.0} events/s ({parse:.2} s)",
        n / parse
    );
    println!(
        "detect, {} detectors:            {:>9.0} events/s ({detect:.2} s), {} findings, {} malformed",
        RULES
            .iter()
            .filter(|r| eksguard_core::detect::is_audit_rule(r))
            .count(),
        n / detect,
        findings.len(),
        engine.stats().malformed
    );
}
