//! Loading: every input shape is recognised by content, every other document is listed, bad
//! input is an error naming file and line, and secret values are never kept.

use eksguard_core::engine::run;
use eksguard_core::inventory::{Input, LoadOptions, load_bytes, load_text};
use eksguard_core::rules::RULES;

fn load(text: &str) -> eksguard_core::Inventory {
    load_text("in.yaml", text, &LoadOptions::default())
}

#[test]
fn kubernetes_lists_and_kubectl_output() {
    let inv = load(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web, namespace: a}\n  spec:\n    selector: {matchLabels: {app: web}}\n    template:\n      metadata: {labels: {app: web}}\n      spec:\n        containers: [{name: web, image: nginx}]\n",
    );
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.namespaces.len(), 1);
    assert_eq!(inv.workloads.len(), 1);
    let w = &inv.workloads[0];
    assert_eq!(w.src.start_line, 7);
    assert_eq!(
        w.src.lines_of("spec.template.spec.containers[0].image").0,
        15
    );
}

#[test]
fn typed_lists_from_the_api_infer_item_kinds() {
    let inv = load(
        r#"{"apiVersion": "v1", "kind": "PodList", "items": [{"metadata": {"name": "p", "namespace": "x"}, "spec": {"containers": [{"name": "c", "image": "i"}]}}]}"#,
    );
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.workloads.len(), 1);
    assert_eq!(inv.workloads[0].res.kind, "Pod");
}

#[test]
fn empty_typed_lists_from_the_api_mark_their_input() {
    let inv =
        load(r#"{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicyList", "items": []}"#);
    assert!(inv.has(Input::NetworkPolicies));
    let inv = load(
        "{\n  \"apiVersion\": \"batch/v1\",\n  \"items\": [],\n  \"kind\": \"CronJobList\"\n}\n",
    );
    assert_eq!(inv.other.len(), 0, "{:?}", inv.other);
    assert!(inv.has(Input::Workloads));
    // A generic List says nothing about which kind it lacks.
    let inv = load(r#"{"apiVersion": "v1", "kind": "List", "items": []}"#);
    assert_eq!(inv.present().count(), 0);
}

#[test]
fn aws_outputs_are_recognised_by_shape() {
    let docs = [
        (
            r#"{"cluster": {"name": "c", "resourcesVpcConfig": {}}}"#,
            Input::EksCluster,
        ),
        (
            r#"{"nodegroup": {"nodegroupName": "n"}}"#,
            Input::Nodegroups,
        ),
        (
            r#"{"LaunchTemplateVersions": [{"LaunchTemplateName": "lt", "VersionNumber": 1}]}"#,
            Input::LaunchTemplates,
        ),
        (
            r#"{"SecurityGroups": [{"GroupId": "sg-1"}]}"#,
            Input::SecurityGroups,
        ),
        (
            r#"{"RoleDetailList": [], "UserDetailList": [], "Policies": []}"#,
            Input::Iam,
        ),
        (
            r#"{"repositories": [{"repositoryName": "r"}]}"#,
            Input::EcrRepositories,
        ),
        (r#"{"KeyMetadata": {"KeyId": "k"}}"#, Input::KmsKeys),
        (
            r#"{"KeyRotationEnabled": true, "KeyId": "k"}"#,
            Input::KmsKeyRotation,
        ),
        (
            r#"{"DetectorId": "d", "Status": "ENABLED"}"#,
            Input::GuardDuty,
        ),
        (
            r#"{"accessEntries": ["arn:aws:iam::1:role/a"]}"#,
            Input::AccessEntries,
        ),
        (
            r#"{"accessEntry": {"principalArn": "arn:aws:iam::1:role/a", "type": "STANDARD"}}"#,
            Input::AccessEntries,
        ),
        (
            r#"{"clusterName": "c", "principalArn": "arn:aws:iam::1:role/a", "associatedAccessPolicies": []}"#,
            Input::AccessPolicies,
        ),
        (
            r#"{"association": {"namespace": "n", "serviceAccount": "s", "roleArn": "r"}}"#,
            Input::PodIdentity,
        ),
        (
            r#"{"associations": [{"namespace": "n", "serviceAccount": "s"}]}"#,
            Input::PodIdentity,
        ),
        (r#"{"addon": {"addonName": "vpc-cni"}}"#, Input::Addons),
        (
            r#"{"fargateProfile": {"fargateProfileName": "f"}}"#,
            Input::FargateProfiles,
        ),
        (
            r#"{"AccessKeyMetadata": [{"UserName": "u", "Status": "Active"}]}"#,
            Input::AccessKeys,
        ),
    ];
    for (text, input) in docs {
        let inv = load_text("whatever-name.txt", text, &LoadOptions::default());
        assert!(inv.errors.is_empty(), "{text}: {:?}", inv.errors);
        assert!(inv.skipped.is_empty(), "{text}: skipped");
        assert!(inv.has(input), "{text}: not recognised as {input:?}");
    }
}

#[test]
fn unknown_documents_are_listed_as_skipped() {
    let inv = load("replicaCount: 3\nimage: {repository: nginx}\n---\n- a\n- b\n");
    assert_eq!(inv.skipped.len(), 2);
    assert!(
        inv.skipped[0].reason.contains("replicaCount"),
        "{:?}",
        inv.skipped[0]
    );
    assert_eq!(inv.skipped[1].start_line, Some(4));
}

#[test]
fn wrong_type_names_field_and_line() {
    let inv = load(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n    ports:\n    - containerPort: eighty\n",
    );
    assert_eq!(inv.errors.len(), 1);
    let e = &inv.errors[0];
    assert_eq!(e.line, Some(9), "{e}");
    assert!(
        e.message
            .contains("spec.containers[0].ports[0].containerPort"),
        "{e}"
    );
}

#[test]
fn syntax_error_keeps_other_documents() {
    let inv = load(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: [b\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: c}\n",
    );
    assert_eq!(inv.namespaces.len(), 2);
    assert_eq!(inv.errors.len(), 1);
    assert!(inv.errors[0].line.is_some());
}

#[test]
fn secret_values_are_dropped_at_load() {
    let inv = load(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: a}\ndata: {password: c3VwZXJzZWNyZXQ=}\nstringData: {token: hunter2hunter2}\n",
    );
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let s = &inv.secrets[0];
    assert!(
        s.data
            .as_ref()
            .expect("keys kept")
            .get("password")
            .is_some_and(|v| v.0.is_empty())
    );
    assert!(
        s.string_data
            .as_ref()
            .expect("keys kept")
            .get("token")
            .is_some_and(String::is_empty)
    );
}

#[test]
fn credential_values_are_never_printed() {
    let inv = load(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE, DB_PASSWORD: hunter2hunter2}\n",
    );
    let report = run(&inv, RULES, "test");
    let text = serde_json::to_string(&report).expect("json");
    assert!(report.findings.iter().any(|f| f.rule_id == "SEC004"));
    assert!(
        !text.contains("AKIAIOSFODNN7EXAMPLE") && !text.contains("hunter2"),
        "a secret value leaked into the report"
    );
}

#[test]
fn aws_rules_are_not_evaluated_on_manifests_only() {
    let inv = load(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n",
    );
    let report = run(&inv, RULES, "test");
    let not_evaluated: Vec<&str> = report.not_evaluated.iter().map(|n| n.rule_id).collect();
    for id in ["EKS001", "SEC001", "NODE001", "IMG002", "LOG001", "IAM004"] {
        assert!(not_evaluated.contains(&id), "{id} should be not evaluated");
    }
    assert!(
        report
            .not_evaluated
            .iter()
            .all(|n| n.reason.contains("input does not have"))
    );
}

#[test]
fn node_log_and_registry_outputs_are_recognised_by_shape() {
    let docs = [
        (
            r#"{"kubeletconfig": {"readOnlyPort": 10255}}"#,
            Input::KubeletConfigs,
        ),
        (
            r#"{"Reservations": [{"Instances": [{"InstanceId": "i-1"}, {"InstanceId": "i-2"}]}]}"#,
            Input::Ec2Instances,
        ),
        (
            r#"{"Subnets": [{"SubnetId": "subnet-1", "MapPublicIpOnLaunch": true}]}"#,
            Input::Subnets,
        ),
        (
            r#"{"logGroups": [{"logGroupName": "/aws/eks/c/cluster", "retentionInDays": 7}]}"#,
            Input::LogGroups,
        ),
        (
            r#"{"registryId": "1", "repositoryName": "r", "policyText": "{}"}"#,
            Input::EcrRepositoryPolicies,
        ),
        (
            r#"{"registryId": "1", "repositoryName": "r", "lifecyclePolicyText": "{}"}"#,
            Input::EcrLifecyclePolicies,
        ),
        (
            r#"{"registryId": "1", "scanningConfiguration": {"scanType": "BASIC", "rules": []}}"#,
            Input::EcrRegistryScanning,
        ),
        (
            r#"{"accounts": [{"accountId": "1", "resourceState": {"ec2": {"status": "ENABLED"}}}], "failedAccounts": []}"#,
            Input::Inspector,
        ),
        (r#"{"trailList": []}"#, Input::CloudTrail),
    ];
    for (text, input) in docs {
        let inv = load_text("whatever-name.txt", text, &LoadOptions::default());
        assert!(inv.errors.is_empty(), "{text}: {:?}", inv.errors);
        assert!(inv.skipped.is_empty(), "{text}: skipped");
        assert!(inv.has(input), "{text}: not recognised as {input:?}");
    }
}

#[test]
fn configz_is_named_by_its_node_key_or_else_by_its_file() {
    let named = load_text(
        "out/configz.json",
        r#"{"node": "ip-10-0-1-2.ec2.internal", "kubeletconfig": {}}"#,
        &LoadOptions::default(),
    );
    assert_eq!(
        named.kubelet_configs[0].res.name,
        "ip-10-0-1-2.ec2.internal"
    );
    let raw = load_text(
        "out/ip-10-0-1-3.json",
        r#"{"kubeletconfig": {}}"#,
        &LoadOptions::default(),
    );
    assert_eq!(raw.kubelet_configs[0].res.name, "ip-10-0-1-3");
    let instances = load_text(
        "i.json",
        r#"{"Reservations": [{"Instances": [{"InstanceId": "i-1"}]}, {"Instances": [{"InstanceId": "i-2"}]}]}"#,
        &LoadOptions::default(),
    );
    let ids: Vec<&str> = instances
        .instances
        .iter()
        .map(|i| i.instance_id.as_str())
        .collect();
    assert_eq!(ids, ["i-1", "i-2"]);
}

#[test]
fn snapshot_manifest_records_what_could_not_be_read() {
    use eksguard_core::inventory::Input;
    let text = r#"{"eksguard_snapshot": {"schema_version": "1", "unavailable": [
        {"input": "eks_cluster", "reason": "eks:DescribeCluster was denied"},
        {"input": "no_such_input", "reason": "x"}]}}"#;
    let inv = eksguard_core::inventory::load_text(
        "snap/eksguard-snapshot.json",
        text,
        &eksguard_core::inventory::LoadOptions::default(),
    );
    assert_eq!(
        inv.unavailable.get(&Input::EksCluster).map(String::as_str),
        Some("eks:DescribeCluster was denied")
    );
    assert!(inv.skipped.is_empty(), "{:?}", inv.skipped);
    assert_eq!(
        inv.errors.len(),
        1,
        "an unknown input is an error: {:?}",
        inv.errors
    );
    assert!(inv.errors[0].message.contains("unavailable[1]"));
}

#[test]
fn a_workload_is_reported_once_through_its_controller() {
    let text = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d4f
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d4f-x1
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d4f, uid: u2, controller: true}]
spec: {containers: [{name: web, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: orphan-x2
  namespace: shop
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: gone, uid: u3, controller: true}]
spec: {containers: [{name: web, image: "nginx:1.27"}]}
"#;
    let mut inv = eksguard_core::inventory::load_text(
        "all.yaml",
        text,
        &eksguard_core::inventory::LoadOptions::default(),
    );
    assert_eq!(inv.workloads.len(), 4);
    assert_eq!(inv.drop_controlled_workloads(), 2);
    let names: Vec<&str> = inv.workloads.iter().map(|w| w.res.name.as_str()).collect();
    assert_eq!(
        names,
        ["web", "orphan-x2"],
        "a pod whose controller is absent stays"
    );
}

#[test]
fn workloads_give_back_the_whole_object_as_json() {
    let inv = load(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: ops, labels: {team: a}}\nspec:\n  schedule: '0 3 * * *'\n  jobTemplate:\n    spec:\n      backoffLimit: 2\n      template:\n        metadata: {labels: {app: nightly}}\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: busybox}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx}]\n",
    );
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let cron = inv.workloads[0].object_json();
    assert_eq!(cron["apiVersion"], "batch/v1");
    assert_eq!(cron["kind"], "CronJob");
    assert_eq!(cron["metadata"]["labels"]["team"], "a");
    assert_eq!(cron["spec"]["schedule"], "0 3 * * *");
    assert_eq!(cron["spec"]["jobTemplate"]["spec"]["backoffLimit"], 2);
    let template = &cron["spec"]["jobTemplate"]["spec"]["template"];
    assert_eq!(template["metadata"]["labels"]["app"], "nightly");
    assert_eq!(template["spec"]["containers"][0]["image"], "busybox");
    assert_eq!(template["spec"]["restartPolicy"], "Never");
    // The pod template is held typed, not twice.
    assert!(
        inv.workloads[0].rest["spec"]["jobTemplate"]["spec"]["template"]
            .get("spec")
            .is_none()
    );
    assert!(inv.workloads[0].rest.get("metadata").is_none());
    let pod = inv.workloads[1].object_json();
    assert_eq!(pod["kind"], "Pod");
    assert_eq!(pod["metadata"]["name"], "p");
    assert_eq!(pod["spec"]["containers"][0]["image"], "nginx");
}

/// Issue 13, item 1: one 100 KB string aliased 20,000 times (a 180 KB file that expanded to
/// 2 GB) is refused by the bytes it would copy, at the line of the alias that goes over, and
/// the documents around it are still loaded.
#[test]
fn an_alias_of_a_large_value_is_refused_by_bytes_and_the_other_documents_load() {
    let big = "x".repeat(100 * 1024);
    let aliases = vec!["*big"; 20_000].join(", ");
    let text = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: before}}\n---\nbig: &big {big}\n\
         copies: [{aliases}]\n---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: after}}\n"
    );
    let inv = load(&text);
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    let e = &inv.errors[0];
    assert_eq!(e.line, Some(6), "{e:?}");
    assert!(
        e.message.contains("alias") && e.message.contains("bytes"),
        "{e:?}"
    );
    // The error says what was refused, never the value.
    assert!(!e.message.contains("xxxx"), "{e:?}");
    let names: Vec<&str> = inv.namespaces.iter().map(|n| n.res.name.as_str()).collect();
    assert_eq!(names, ["before", "after"]);
    assert_eq!(inv.documents, 2);
}

/// The alias budget is per input, not per document: documents that each stay under it cannot
/// add up to more than one input may copy.
#[test]
fn the_alias_budget_is_shared_by_the_documents_of_an_input() {
    let big = "y".repeat(100 * 1024);
    let doc = format!("big: &big {big}\ncopies: [{}]\n", ["*big"; 8].join(", "));
    // 8 copies of 100 KB fit in one 100 KB document's budget (1 MiB + 8 bytes a byte)...
    let one = load(&doc);
    assert!(one.errors.is_empty(), "{:?}", one.errors);
    // ...but 40 such documents in one input may copy what a 4 MB input may: not 40 times it.
    let many = [doc.as_str(); 40].join("---\n");
    let inv = load(&many);
    assert!(!inv.errors.is_empty());
    assert!(inv.errors.len() < 40, "{}", inv.errors.len());
    assert!(inv.errors.iter().all(|e| e.message.contains("alias")));
    assert_eq!(inv.documents + inv.errors.len(), 40);
}

/// Issue 13, item 6: one Latin-1 byte in a comment of a 6-document file (`payments.yaml` of the
/// demo) lost all 6 documents, with an error giving a byte offset. Only the document with the
/// bad byte is lost, the error names its line, and the findings of the other five are all
/// there.
#[test]
fn a_byte_that_is_not_utf8_loses_only_its_own_document() {
    let clean = include_str!("../../../demo/kubernetes/payments.yaml");
    let docs: Vec<&str> = clean.split("\n---\n").collect();
    assert_eq!(docs.len(), 6);
    // A comment in the third document, in Latin-1 ("résumé").
    let third_line = docs[..2]
        .iter()
        .map(|d| d.lines().count() + 1)
        .sum::<usize>()
        + 1;
    let mut bytes = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            bytes.extend_from_slice(b"\n---\n");
        }
        if i == 2 {
            bytes.extend_from_slice(b"# r\xE9sum\xE9 of the quota\n");
        }
        bytes.extend_from_slice(d.as_bytes());
    }
    let opts = LoadOptions::default();
    let inv = load_bytes("payments.yaml", &bytes, &opts);
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    let e = &inv.errors[0];
    assert_eq!(e.line, Some(u32::try_from(third_line).unwrap()), "{e:?}");
    assert!(
        e.message.contains("UTF-8") && e.message.contains("column 4"),
        "{e:?}"
    );
    assert_eq!(inv.documents, 5);

    // Every finding of the five other documents is there, on the same lines (the comment that
    // was added shifts the lines after it by one).
    let without_third = [&docs[..2], &docs[3..]].concat().join("\n---\n");
    let expected = run(&load(&without_third), RULES, "test");
    let got = run(&inv, RULES, "test");
    assert!(!expected.findings.is_empty());
    let ids = |r: &eksguard_core::Report| {
        let mut v: Vec<(String, String)> = r
            .findings
            .iter()
            .map(|f| (f.rule_id.to_string(), f.resource.to_string()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(&got), ids(&expected));

    // The same file in UTF-8 loads whole.
    let fixed: Vec<u8> = bytes
        .iter()
        .flat_map(|&b| if b == 0xE9 { vec![0xC3, 0xA9] } else { vec![b] })
        .collect();
    let inv = load_bytes("payments.yaml", &fixed, &opts);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.documents, 6);
}

/// Every error about bytes that are not UTF-8 names a line, in YAML and in JSON, and UTF-16
/// is named as such.
#[test]
fn errors_on_bytes_that_are_not_utf8_name_their_line() {
    let opts = LoadOptions::default();
    let json = b"{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Namespace\",\n  \"metadata\": {\"name\": \"caf\xE9\"}\n}\n";
    let inv = load_bytes("ns.json", json, &opts);
    assert_eq!(inv.errors.len(), 1);
    assert_eq!(inv.errors[0].line, Some(4), "{:?}", inv.errors);
    // The bad byte (part of a value) is not quoted.
    assert!(!inv.errors[0].message.contains("caf"), "{:?}", inv.errors);

    let yaml = b"\xEF\xBB\xBFapiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labels: {x: \"\xFF\"}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n";
    let inv = load_bytes("ns.yaml", yaml, &opts);
    assert_eq!(inv.errors.len(), 1);
    assert_eq!(inv.errors[0].line, Some(5), "{:?}", inv.errors);
    assert_eq!(inv.namespaces.len(), 1);
    assert_eq!(inv.namespaces[0].src.start_line, 7);

    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "kind: Namespace\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let inv = load_bytes("ns.yaml", &utf16, &opts);
    assert_eq!(inv.errors.len(), 1);
    assert_eq!(inv.errors[0].line, Some(1));
    assert!(inv.errors[0].message.contains("UTF-16"), "{:?}", inv.errors);
}

/// A flow collection that the YAML scanner would hold whole as tokens past the budget (issue
/// 13: 770 MB for a 4 MB `- [1,1,...]`) loses only its document, with an error at the line
/// where it starts that names the limit and quotes nothing of the document; a JSON document
/// of that shape is read by `serde_json` instead (as JSON the scanner refuses is), whole.
#[test]
fn flow_collections_over_the_held_token_budget_lose_only_their_document() {
    let secret = "hunter2-s3cr3t";
    let items = format!("{secret},{}", vec!["1"; 2_000_000].join(","));
    let text = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: a}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n  x:\n  - [{items}]\n---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: b}}\n"
    );
    let inv = load(&text);
    assert_eq!(inv.namespaces.len(), 2, "{:?}", inv.errors);
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    let e = &inv.errors[0];
    assert_eq!(e.line, Some(10));
    assert!(e.message.contains("flow collection"), "{}", e.message);
    assert!(e.message.contains("MiB"), "{}", e.message);
    assert!(!e.message.contains(secret), "{}", e.message);

    let json = format!(
        r#"{{"apiVersion": "v1", "kind": "List", "items": [[{}]]}}"#,
        vec!["1"; 2_000_000].join(",")
    );
    let inv = load(&json);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.documents, 1);
}
