//! Scale: a live scan of a recorded-API server holding 10,000 pods, 2,000 other workloads and
//! 5,000 RBAC objects: gather + load + every rule. Prints wall time, peak RSS and requests per
//! kind. Targets: under 10 s and under 500 MB.
//!
//! `cargo bench -p eksguard-sources --bench live`

#[path = "../tests/common/kube_server.rs"]
#[allow(dead_code)]
mod kube_server;

use std::sync::Arc;
use std::time::Instant;

use eksguard_core::inventory::LoadOptions;
use eksguard_sources::kube::{KubeOptions, METADATA_ACCEPT, gather};
use kube_server::Recorded;
use serde_json::{Value, json};

const PODS: usize = 10_000;
const NAMESPACES: usize = 100;

fn ns(i: usize) -> String {
    format!("team-{}", i % NAMESPACES)
}

fn pod_spec(i: usize) -> Value {
    json!({
        "serviceAccountName": "default",
        "containers": [{
            "name": "app",
            "image": format!("111122223333.dkr.ecr.us-east-1.amazonaws.com/app-{}:1.{}", i % 50, i % 7),
            "ports": [{"containerPort": 8080}],
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
            "securityContext": if i.is_multiple_of(10) { json!({"privileged": true}) } else { json!({"runAsNonRoot": true, "allowPrivilegeEscalation": false}) },
            "env": [{"name": "MODE", "value": "prod"}, {"name": "REGION", "value": "us-east-1"}]
        }, {
            "name": "sidecar",
            "image": "public.ecr.aws/envoy/envoy:v1.31",
            "resources": {}
        }]
    })
}

fn meta(kind: &str, i: usize) -> Value {
    json!({
        "name": format!("{}-{i}", kind.to_lowercase()),
        "namespace": if i.is_multiple_of(97) { "kube-system".to_string() } else { ns(i) },
        "uid": format!("{kind}-{i}"),
        "labels": {"app": format!("app-{}", i % 50), "team": ns(i)},
        "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "fieldsV1": {"f:status": {}}}]
    })
}

fn template(i: usize) -> Value {
    json!({"metadata": {"labels": {"app": format!("app-{}", i % 50)}}, "spec": pod_spec(i)})
}

/// Item `i` of a kind.
fn item(plural: &str, i: usize) -> Value {
    let sel = json!({"matchLabels": {"app": format!("app-{}", i % 50)}});
    match plural {
        "pods" => {
            json!({"metadata": meta("Pod", i), "spec": pod_spec(i), "status": {"phase": "Running"}})
        }
        "deployments" | "replicasets" | "statefulsets" | "daemonsets" => {
            json!({"metadata": meta(plural, i), "spec": {"selector": sel, "template": template(i)}})
        }
        "jobs" => json!({"metadata": meta("Job", i), "spec": {"template": template(i)}}),
        "cronjobs" => {
            json!({"metadata": meta("CronJob", i), "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": template(i)}}}})
        }
        "roles" => {
            json!({"metadata": meta("Role", i), "rules": [{"apiGroups": [""], "resources": ["pods", "configmaps"], "verbs": ["get", "list", "watch"]}]})
        }
        "rolebindings" => json!({"metadata": meta("RoleBinding", i),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": format!("role-{i}")},
            "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": ns(i)}, {"kind": "Group", "name": format!("team-{}", i % 20), "apiGroup": "rbac.authorization.k8s.io"}]}),
        "clusterroles" => {
            json!({"metadata": {"name": format!("clusterrole-{i}")}, "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list"]}]})
        }
        "clusterrolebindings" => json!({"metadata": {"name": format!("crb-{i}")},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": format!("clusterrole-{}", i % 700)},
            "subjects": [{"kind": "Group", "name": format!("org-{}", i % 30), "apiGroup": "rbac.authorization.k8s.io"}]}),
        "namespaces" => {
            json!({"metadata": {"name": if i == 0 { "kube-system".to_string() } else { ns(i) }}})
        }
        "serviceaccounts" => json!({"metadata": {"name": "default", "namespace": ns(i)}}),
        _ => json!({"metadata": meta("Object", i)}),
    }
}

fn count(plural: &str) -> usize {
    match plural {
        "pods" => PODS,
        "deployments" | "replicasets" | "clusterrolebindings" => 800,
        "statefulsets" | "daemonsets" | "jobs" | "cronjobs" => 100,
        "roles" => 1500,
        "rolebindings" => 2000,
        "clusterroles" => 700,
        "namespaces" | "serviceaccounts" => NAMESPACES,
        _ => 0,
    }
}

fn respond(r: &Recorded) -> (u16, String) {
    if r.path == "/apis" {
        let groups: Vec<Value> = ["apps", "batch", "rbac.authorization.k8s.io", "networking.k8s.io", "storage.k8s.io"]
            .iter()
            .map(|g| json!({"name": g, "versions": [{"groupVersion": format!("{g}/v1"), "version": "v1"}]}))
            .collect();
        return (
            200,
            json!({"kind": "APIGroupList", "groups": groups}).to_string(),
        );
    }
    let plural = r.path.rsplit('/').next().unwrap_or_default();
    let query = |k: &str| {
        r.query.split('&').find_map(|kv| {
            kv.split_once('=')
                .filter(|(a, _)| *a == k)
                .map(|(_, v)| v.to_string())
        })
    };
    let limit: usize = query("limit").and_then(|l| l.parse().ok()).unwrap_or(500);
    let start: usize = query("continue").and_then(|c| c.parse().ok()).unwrap_or(0);
    let total = count(plural);
    let end = (start + limit).min(total);
    let metadata_only = r.accept == METADATA_ACCEPT;
    let items: Vec<Value> = (start..end)
        .map(|i| {
            let v = item(plural, i);
            if metadata_only {
                json!({"metadata": v["metadata"]})
            } else {
                v
            }
        })
        .collect();
    let cont = if end < total {
        end.to_string()
    } else {
        String::new()
    };
    let kind = if metadata_only {
        "PartialObjectMetadataList"
    } else {
        "List"
    };
    (
        200,
        json!({"kind": kind, "apiVersion": "v1", "metadata": {"continue": cont}, "items": items})
            .to_string(),
    )
}

fn peak_rss_mb() -> f64 {
    status_mb("VmHWM:")
}

fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("runtime: {e}"),
    };
    rt.block_on(async {
        let (addr, _log) = kube_server::serve(Arc::new(respond)).await;
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("tempdir: {e}"),
        };
        let opts = KubeOptions {
            kubeconfig: Some(kube_server::kubeconfig(dir.path(), addr)),
            concurrency: std::env::var("CONCURRENCY").ok().and_then(|c| c.parse().ok()).unwrap_or(8),
            ..KubeOptions::default()
        };
        let rss_start = status_mb("VmRSS:");
        let t0 = Instant::now();
        let (mut g, _) = match gather(&opts).await {
            Ok(x) => x,
            Err(e) => panic!("gather: {e}"),
        };
        let t_gather = t0.elapsed();
        let rss_gather = status_mb("VmRSS:");
        let bytes: usize = g.documents.iter().map(|d| d.text.len()).sum();
        let t1 = Instant::now();
        let inv = g.load("", &LoadOptions::default());
        let t_load = t1.elapsed();
        let rss_load = status_mb("VmRSS:");
        // A scan (not a snapshot) needs the documents no more once they are loaded.
        let documents = g.documents.len();
        let requests = std::mem::take(&mut g.requests);
        drop(g);
        let t2 = Instant::now();
        let report = eksguard_core::engine::run(&inv, eksguard_core::rules::RULES, "bench");
        let t_rules = t2.elapsed();
        let rss_rules = status_mb("VmRSS:");
        let total = t0.elapsed();
        println!(
            "live scan: {} pods, {} workloads in all, {} RBAC objects",
            inv.workloads.iter().filter(|w| w.res.kind == "Pod").count(),
            inv.workloads.len(),
            inv.roles.len()
                + inv.cluster_roles.len()
                + inv.role_bindings.len()
                + inv.cluster_role_bindings.len()
        );
        println!(
            "documents: {} ({:.1} MB of JSON); load errors: {}",
            documents,
            f64::from(u32::try_from(bytes / 1000).unwrap_or(u32::MAX)) / 1000.0,
            inv.errors.len()
        );
        println!(
            "findings: {}; not evaluated: {}",
            report.findings.len(),
            report.not_evaluated.len()
        );
        println!(
            "gather {:.2} s, load {:.2} s, rules {:.2} s, total {:.2} s",
            t_gather.as_secs_f64(),
            t_load.as_secs_f64(),
            t_rules.as_secs_f64(),
            total.as_secs_f64()
        );
        println!(
            "peak RSS (VmHWM, includes the in-process API server): {:.0} MB",
            peak_rss_mb()
        );
        println!("RSS before gather {rss_start:.0} MB, after gather {rss_gather:.0} MB, after load {rss_load:.0} MB, after rules {rss_rules:.0} MB");
        let mut per_rule: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for f in &report.findings {
            *per_rule.entry(f.rule_id).or_default() += 1;
        }
        let mut top: Vec<(&str, usize)> = per_rule.into_iter().collect();
        top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let top: Vec<String> = top.iter().take(8).map(|(r, n)| format!("{r} {n}")).collect();
        println!("most findings: {}", top.join(", "));
        println!("requests per kind:");
        for (k, n) in &requests {
            println!("  {n:>4}  {k}");
        }
        let ok = total.as_secs_f64() < 10.0 && peak_rss_mb() < 500.0;
        println!(
            "targets (< 10 s, < 500 MB): {}",
            if ok { "met" } else { "MISSED" }
        );
    });
}
