//! End-to-end scan benchmark: generates a cluster of 500 namespaces, 5,000 Deployments,
//! 5,000 Services and 2,000 RBAC objects as YAML files, then times `eksguard scan` on it
//! (the release binary, as users run it) and reads its peak memory.
//!
//! Run: `cargo bench -p eksguard --bench scan` (figures go to BENCHMARKS.md).

use std::fmt::Write;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const NAMESPACES: usize = 500;
const PER_NAMESPACE: usize = 10;

fn generate(dir: &Path) -> (usize, u64) {
    std::fs::create_dir_all(dir).expect("create bench dir");
    let mut objects = 0;
    let mut bytes = 0u64;
    for n in 0..NAMESPACES {
        let ns = format!("team-{n:03}");
        let mut s = String::new();
        let _ = writeln!(
            s,
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    team: t{n}\n---"
        );
        objects += 1;
        for i in 0..PER_NAMESPACE {
            let hardened = i % 2 == 0;
            let _ = writeln!(
                s,
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: {ns}\n  labels: {{app: app-{i}}}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      serviceAccountName: app-{i}\n      automountServiceAccountToken: {hardened}\n      securityContext:\n        runAsNonRoot: {hardened}\n        seccompProfile: {{type: RuntimeDefault}}\n      containers:\n      - name: app\n        image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app-{i}:{tag}\n        ports:\n        - containerPort: 8080\n        env:\n        - name: LOG_LEVEL\n          value: info\n        - name: DB_PASSWORD\n          valueFrom:\n            secretKeyRef: {{name: db, key: password}}\n        resources:\n          requests: {{cpu: 100m, memory: 128Mi}}\n          limits: {{memory: 256Mi}}\n        securityContext:\n          allowPrivilegeEscalation: false\n          readOnlyRootFilesystem: {hardened}\n          capabilities: {{drop: [ALL]}}\n---",
                tag = if hardened { "1.4.2" } else { "latest" }
            );
            let _ = writeln!(
                s,
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\n  namespace: {ns}\nspec:\n  type: {ty}\n  selector: {{app: app-{i}}}\n  ports:\n  - port: 80\n    targetPort: 8080\n---",
                ty = if i == 0 { "LoadBalancer" } else { "ClusterIP" }
            );
            objects += 2;
        }
        // Four RBAC objects per namespace: 2,000 in all.
        let _ = writeln!(
            s,
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: dev, namespace: {ns}}}\nrules:\n- apiGroups: [\"\"]\n  resources: [pods, pods/log, configmaps]\n  verbs: [get, list, watch]\n- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [get, list, watch, update, patch]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: dev, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: dev}}\nsubjects:\n- {{kind: Group, name: team-{n}-devs, apiGroup: rbac.authorization.k8s.io}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: ops, namespace: {ns}}}\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets, pods/exec]\n  verbs: [get, create]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: ops, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: ops}}\nsubjects:\n- {{kind: ServiceAccount, name: default, namespace: {ns}}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: default-deny, namespace: {ns}}}\nspec: {{podSelector: {{}}, policyTypes: [Ingress]}}"
        );
        objects += 5;
        bytes += s.len() as u64;
        std::fs::write(dir.join(format!("{ns}.yaml")), s).expect("write");
    }
    (objects, bytes)
}

/// Wall time and peak RSS (KiB) of one scan, through GNU time when present.
fn scan_once(bin: &str, dir: &Path) -> (f64, Option<u64>) {
    let args = [
        "scan",
        dir.to_str().expect("utf8"),
        "--format",
        "json",
        "--output",
        "/dev/null",
    ];
    // GNU time reports the peak RSS of the scan alone; without it, time the binary directly.
    let gnu_time = Path::new("/usr/bin/time");
    let mut cmd = if gnu_time.exists() {
        let mut c = Command::new(gnu_time);
        c.args(["-f", "%M", bin]);
        c
    } else {
        Command::new(bin)
    };
    let start = Instant::now();
    let out = cmd.args(args).output().expect("run scan");
    let secs = start.elapsed().as_secs_f64();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "scan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rss = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok());
    (secs, rss)
}

#[allow(clippy::cast_precision_loss)] // sizes in MB for display
fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then just smoke-test.
    let bench = std::env::args().any(|a| a == "--bench");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-cluster");
    let _ = std::fs::remove_dir_all(&dir);
    let (objects, bytes) = generate(&dir);
    let bin = env!("CARGO_BIN_EXE_eksguard");
    let runs = if bench { 10 } else { 1 };
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..runs {
        let (t, rss) = scan_once(bin, &dir);
        times.push(t);
        peak = peak.max(rss.unwrap_or(0));
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "scan of {NAMESPACES} namespaces / {} Deployments / {} Services / {} RBAC objects ({objects} objects, {:.1} MB of YAML): median {:.0} ms, min {:.0} ms, max {:.0} ms over {runs} run(s); peak RSS {:.1} MB",
        NAMESPACES * PER_NAMESPACE,
        NAMESPACES * PER_NAMESPACE,
        NAMESPACES * 4,
        bytes as f64 / 1e6,
        median * 1e3,
        times[0] * 1e3,
        times[times.len() - 1] * 1e3,
        peak as f64 / 1024.0
    );
}
