//! The fixture contract of audit rules: `resources/fixtures/aud/<rule-name>/` holds
//! `fire-*.jsonl` and `ok-*.jsonl` files of audit events. Each file is fed alone to an engine
//! running only that rule: every `fire-*` file must produce a finding, no `ok-*` file may. A
//! snapshot per rule reviews the wording and the evidence.

mod common;

use std::fmt::Write;

use eksguard_core::detect::{self, Engine, Feed, Options, ThreatIntel};
use eksguard_core::rule::{Finding, Scope};
use eksguard_core::rules::RULES;

/// Windows and thresholds shortened so fixtures stay small.
fn options() -> Options {
    let (intel, errors) = ThreatIntel::parse(
        "185.220.101.0/24 tor\n203.0.113.0/24 malicious\n",
        "fixtures",
    );
    assert!(errors.is_empty());
    Options {
        warmup_secs: 3600,
        burst_threshold: 5,
        enum_threshold: 3,
        intel,
        ..Options::default()
    }
}

fn describe(findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        let e = f.evidence.as_deref().cloned().unwrap_or_default();
        let _ = writeln!(
            s,
            "[{}] {}\n    {}\n    count {} · {} .. {} · users {:?} · sources {:?} · codes {:?}",
            f.severity,
            f.resource,
            f.message,
            e.count,
            detect::event::format_time(e.first_seen),
            detect::event::format_time(e.last_seen),
            e.users,
            e.source_ips,
            e.response_codes,
        );
    }
    s
}

#[test]
fn every_audit_rule_honours_its_fixture_contract() {
    let mut failures = Vec::new();
    let mut snapshots = Vec::new();
    for &rule in RULES.iter().filter(|r| r.scope == Scope::Audit) {
        if eksguard_core::rules::aud::detector_of(rule).is_none() {
            failures.push(format!("{}: no detector registered", rule.id));
            continue;
        }
        let dir = format!("resources/fixtures/aud/{}", rule.name);
        if !common::root().join(&dir).is_dir() {
            failures.push(format!("{}: no fixture folder {dir}", rule.id));
            continue;
        }
        let cases = common::files(&dir);
        let name = |p: &std::path::PathBuf| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        if !cases.iter().any(|p| name(p).starts_with("fire-"))
            || !cases.iter().any(|p| name(p).starts_with("ok-"))
        {
            failures.push(format!("{}: needs fire-*.jsonl and ok-*.jsonl", rule.id));
        }
        let mut wording = String::new();
        for case in &cases {
            let n = name(case);
            let mut engine = Engine::new(&[rule], options());
            let file = std::fs::File::open(case).expect("fixture");
            detect::feed(&mut engine, &n, file, Feed::default(), &mut |_| Ok(())).expect("read");
            if engine.stats().malformed > 0 {
                failures.push(format!(
                    "{}: {n}: malformed {:?}",
                    rule.id,
                    engine.malformed()
                ));
            }
            let findings = engine.findings();
            if n.starts_with("fire-") && findings.is_empty() {
                failures.push(format!("{}: {n} found nothing", rule.id));
            }
            if n.starts_with("ok-") && !findings.is_empty() {
                failures.push(format!("{}: {n} fired: {}", rule.id, findings[0].message));
            }
            let _ = writeln!(wording, "# {n}");
            wording.push_str(&describe(&findings));
        }
        snapshots.push((format!("{}-{}", rule.id, rule.name), wording));
    }
    assert!(
        failures.is_empty(),
        "audit fixture contract broken:\n{}",
        failures.join("\n")
    );
    for (name, wording) in snapshots {
        insta::assert_snapshot!(name, wording);
    }
}

#[test]
fn every_detector_is_a_catalog_rule_and_scan_never_runs_them() {
    for d in eksguard_core::rules::aud::DETECTORS {
        assert!(
            RULES.iter().any(|r| std::ptr::eq(*r, d.rule)),
            "{}",
            d.rule.id
        );
        assert_eq!(d.rule.scope, Scope::Audit, "{}", d.rule.id);
        assert!(d.rule.id.starts_with("AUD"), "{}", d.rule.id);
    }
    let inv = eksguard_core::Inventory::default();
    let aud: Vec<_> = RULES
        .iter()
        .copied()
        .filter(|r| r.scope == Scope::Audit)
        .collect();
    let report = eksguard_core::engine::run(&inv, &aud, "test");
    assert!(report.findings.is_empty());
    assert!(report.rules.is_empty() && report.not_evaluated.is_empty());
    assert_eq!(report.summary.rules_selected, 0);
}

#[test]
fn every_guardduty_audit_log_type_is_mapped() {
    // The EKS Protection audit-log finding types (user guide page
    // guardduty-finding-types-eks-audit-logs), including the two retired ones the seeds name.
    let mut types: Vec<String> = Vec::new();
    for family in [
        "CredentialAccess",
        "DefenseEvasion",
        "Discovery",
        "Impact",
        "Persistence",
    ] {
        for variant in [
            "MaliciousIPCaller",
            "MaliciousIPCaller.Custom",
            "SuccessfulAnonymousAccess",
            "TorIPCaller",
        ] {
            types.push(format!("{family}:Kubernetes/{variant}"));
        }
    }
    for t in [
        "Execution:Kubernetes/ExecInKubeSystemPod",
        "Persistence:Kubernetes/ContainerWithSensitiveMount",
        "Policy:Kubernetes/AdminAccessToDefaultServiceAccount",
        "Policy:Kubernetes/AnonymousAccessGranted",
        "Policy:Kubernetes/ExposedDashboard",
        "Policy:Kubernetes/KubeflowDashboardExposed",
        "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
        "CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed",
        "PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated",
        "Execution:Kubernetes/AnomalousBehavior.ExecInPod",
        "PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer",
        "Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount",
        "Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed",
        "PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated",
        "Discovery:Kubernetes/AnomalousBehavior.PermissionChecked",
    ] {
        types.push(t.to_string());
    }
    let missing: Vec<&String> = types
        .iter()
        .filter(|t| eksguard_core::select::resolve(t, eksguard_core::rules::RULES).is_empty())
        .collect();
    assert!(missing.is_empty(), "unmapped GuardDuty types: {missing:?}");
}

#[test]
fn every_falco_k8saudit_rule_is_mapped() {
    // The rule names of falcosecurity/plugins plugins/k8saudit/rules/k8s_audit_rules.yaml
    // (commit 029593e), in file order. "All K8s Audit Events" is left out on purpose: it is a
    // disabled-by-default debug rule that matches every event, not a detection.
    let falco = [
        "Disallowed K8s User",
        "Create Disallowed Pod",
        "Create Privileged Pod",
        "Create Sensitive Mount Pod",
        "Create HostNetwork Pod",
        "Create HostPid Pod",
        "Create HostIPC Pod",
        "Create NodePort Service",
        "Create/Modify Configmap With Private Credentials",
        "Anonymous Request Allowed",
        "Attach/Exec Pod",
        "port-forward",
        "EphemeralContainers Created",
        "Create Disallowed Namespace",
        "Pod Created in Kube Namespace",
        "Service Account Created in Kube Namespace",
        "System ClusterRole Modified/Deleted",
        "Attach to cluster-admin Role",
        "ClusterRole With Wildcard Created",
        "ClusterRole With Write Privileges Created",
        "ClusterRole With Pod Exec Created",
        "K8s Deployment Created",
        "K8s Deployment Deleted",
        "K8s Service Created",
        "K8s Service Deleted",
        "K8s ConfigMap Created",
        "K8s ConfigMap Deleted",
        "K8s Namespace Created",
        "K8s Namespace Deleted",
        "K8s Serviceaccount Created",
        "K8s Serviceaccount Deleted",
        "K8s Role Created",
        "K8s Role Deleted",
        "K8s ClusterRole Created",
        "K8s ClusterRole Deleted",
        "K8s RoleBinding Created",
        "K8s RoleBinding Deleted",
        "K8s ClusterRoleBinding Created",
        "K8s ClusterRoleBinding Deleted",
        "K8s Secret Created",
        "K8s Secret Deleted",
        "K8s Secret Get Successfully",
        "K8s Secret Get Unsuccessfully Tried",
        "Full K8s Administrative Access",
        "Ingress Object without TLS Certificate Created",
        "Untrusted Node Successfully Joined the Cluster",
        "Untrusted Node Unsuccessfully Tried to Join the Cluster",
    ];
    let missing: Vec<&str> = falco
        .iter()
        .copied()
        .filter(|name| {
            !RULES
                .iter()
                .any(|r| r.scope == Scope::Audit && r.references.falco.contains(name))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "unmapped Falco k8saudit rules: {missing:?}"
    );
}
