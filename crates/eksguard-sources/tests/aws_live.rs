//! The live AWS source against moto's real server (PyPI `moto[server]`), started on a free
//! 127.0.0.1 port and stopped at the end; nothing here reaches AWS. `EKSGUARD_SKIP_MOTO=1`
//! skips these tests where moto cannot be installed; otherwise a missing moto fails them.

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_eks::config::Credentials;
use eksguard_core::engine::run;
use eksguard_core::inventory::{Input, LoadOptions, load_text};
use eksguard_core::rules::RULES;
use eksguard_core::{Inventory, Report};
use eksguard_sources::Gathered;
use eksguard_sources::aws::{AwsHints, AwsOptions, config_loader, gather_with};
use serde_json::Value;

const REGION: &str = "eu-west-1";
const CLUSTER: &str = "prod";

/// moto's server on a free local port, killed on drop.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn skip() -> bool {
    if std::env::var("EKSGUARD_SKIP_MOTO").is_ok_and(|v| v == "1") {
        eprintln!("EKSGUARD_SKIP_MOTO=1: skipping the moto tests");
        return true;
    }
    false
}

fn start_moto() -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port");
    let args = ["-H", "127.0.0.1", "-p", &port.to_string()];
    let spawn = |program: &str, pre: &[&str]| {
        Command::new(program)
            .args(pre)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
    };
    // `cargo xtask test` says which Python has moto (a virtual environment it made, if needed).
    let child = match std::env::var("EKSGUARD_MOTO_PYTHON") {
        Ok(python) => spawn(&python, &["-m", "moto.server"]),
        Err(_) => spawn("moto_server", &[]).or_else(|_| spawn("python3", &["-m", "moto.server"])),
    }
    .unwrap_or_else(|e| {
        panic!(
            "moto is not installed ({e}): run the tests with `cargo xtask test`, which installs it, or set EKSGUARD_SKIP_MOTO=1"
        )
    });
    let mut moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(Some(status)) = moto.child.try_wait() {
            panic!(
                "moto's server exited ({status}): is moto[server] installed? Run the tests with `cargo xtask test`, which installs it, or set EKSGUARD_SKIP_MOTO=1"
            );
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "moto's server did not answer on {} within 60 s",
            moto.url
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

fn options(url: &str) -> AwsOptions {
    AwsOptions {
        profile: None,
        region: Some(REGION.into()),
        cluster: CLUSTER.into(),
        endpoint_url: Some(url.into()),
        concurrency: 4,
    }
}

async fn config(opts: &AwsOptions) -> aws_config::SdkConfig {
    config_loader(opts)
        .credentials_provider(Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "eksguard-tests",
        ))
        .load()
        .await
}

const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const EKS_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const ADMIN: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const PUBLIC_PULL: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"anyone","Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}"#;

/// What the seeding created that the assertions name.
struct Seeded {
    account: String,
    app_role_arn: String,
}

/// An insecure cluster, through the SDK itself.
async fn seed(config: &aws_config::SdkConfig) -> Seeded {
    use aws_sdk_ec2::types as ec2t;
    use aws_sdk_eks::types as ekst;
    let iam = aws_sdk_iam::Client::new(config);
    let ec2 = aws_sdk_ec2::Client::new(config);
    let eks = aws_sdk_eks::Client::new(config);
    let ecr = aws_sdk_ecr::Client::new(config);
    let kms = aws_sdk_kms::Client::new(config);
    let gd = aws_sdk_guardduty::Client::new(config);
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);

    let cluster_role = iam
        .create_role()
        .role_name("prod-cluster")
        .assume_role_policy_document(EKS_TRUST)
        .send()
        .await
        .expect("create cluster role");
    let cluster_role_arn = cluster_role
        .role()
        .map(|r| r.arn().to_string())
        .unwrap_or_default();
    let account = cluster_role_arn
        .split(':')
        .nth(4)
        .unwrap_or_default()
        .to_string();
    let node_role = iam
        .create_role()
        .role_name("prod-nodes")
        .assume_role_policy_document(EC2_TRUST)
        .send()
        .await
        .expect("create node role");
    let node_role_arn = node_role
        .role()
        .map(|r| r.arn().to_string())
        .unwrap_or_default();
    let admin = iam
        .create_policy()
        .policy_name("everything")
        .policy_document(ADMIN)
        .send()
        .await
        .expect("create policy");
    let admin_arn = admin
        .policy()
        .and_then(|p| p.arn())
        .unwrap_or_default()
        .to_string();
    iam.attach_role_policy()
        .role_name("prod-nodes")
        .policy_arn(&admin_arn)
        .send()
        .await
        .expect("attach admin policy to the node role");
    iam.put_role_policy()
        .role_name("prod-nodes")
        .policy_name("inline-admin")
        .policy_document(ADMIN)
        .send()
        .await
        .expect("inline policy");
    let app_role = iam
        .create_role()
        .role_name("app")
        .assume_role_policy_document(EC2_TRUST)
        .send()
        .await
        .expect("create app role");
    let app_role_arn = app_role
        .role()
        .map(|r| r.arn().to_string())
        .unwrap_or_default();

    let vpc = ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .send()
        .await
        .expect("vpc");
    let vpc_id = vpc
        .vpc()
        .and_then(|v| v.vpc_id())
        .unwrap_or_default()
        .to_string();
    let mut subnets = Vec::new();
    for (cidr, az) in [("10.0.1.0/24", "eu-west-1a"), ("10.0.2.0/24", "eu-west-1b")] {
        let s = ec2
            .create_subnet()
            .vpc_id(&vpc_id)
            .cidr_block(cidr)
            .availability_zone(az)
            .send()
            .await
            .expect("subnet");
        subnets.push(
            s.subnet()
                .and_then(|s| s.subnet_id())
                .unwrap_or_default()
                .to_string(),
        );
    }
    ec2.modify_subnet_attribute()
        .subnet_id(&subnets[0])
        .map_public_ip_on_launch(ec2t::AttributeBooleanValue::builder().value(true).build())
        .send()
        .await
        .expect("public subnet");
    let sg = ec2
        .create_security_group()
        .group_name("prod-cluster")
        .description("cluster")
        .vpc_id(&vpc_id)
        .send()
        .await
        .expect("security group");
    let sg_id = sg.group_id().unwrap_or_default().to_string();
    ec2.authorize_security_group_ingress()
        .group_id(&sg_id)
        .ip_permissions(
            ec2t::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(0)
                .to_port(65535)
                .ip_ranges(ec2t::IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .expect("open to the world");
    let lt = ec2
        .create_launch_template()
        .launch_template_name("prod-nodes")
        .launch_template_data(
            ec2t::RequestLaunchTemplateData::builder()
                .image_id("ami-12c6146b")
                .instance_type(ec2t::InstanceType::M5Large)
                .security_group_ids(&sg_id)
                .metadata_options(
                    ec2t::LaunchTemplateInstanceMetadataOptionsRequest::builder()
                        .http_tokens(ec2t::LaunchTemplateHttpTokensState::Optional)
                        .http_put_response_hop_limit(2)
                        .http_endpoint(ec2t::LaunchTemplateInstanceMetadataEndpointState::Enabled)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("launch template");
    let lt_id = lt
        .launch_template()
        .and_then(|l| l.launch_template_id())
        .unwrap_or_default()
        .to_string();
    ec2.run_instances()
        .image_id("ami-12c6146b")
        .instance_type(ec2t::InstanceType::M5Large)
        .min_count(1)
        .max_count(1)
        .subnet_id(&subnets[0])
        .metadata_options(
            ec2t::InstanceMetadataOptionsRequest::builder()
                .http_tokens(ec2t::HttpTokensState::Optional)
                .http_put_response_hop_limit(3)
                .build(),
        )
        .tag_specifications(
            ec2t::TagSpecification::builder()
                .resource_type(ec2t::ResourceType::Instance)
                .tags(
                    ec2t::Tag::builder()
                        .key("eks:cluster-name")
                        .value(CLUSTER)
                        .build(),
                )
                .tags(
                    ec2t::Tag::builder()
                        .key("Name")
                        .value("prod-node-1")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("node instance");

    let key = kms
        .create_key()
        .description("prod secrets")
        .send()
        .await
        .expect("kms key");
    let key_arn = key
        .key_metadata()
        .and_then(|k| k.arn())
        .unwrap_or_default()
        .to_string();

    eks.create_cluster()
        .name(CLUSTER)
        .version("1.29")
        .role_arn(&cluster_role_arn)
        .resources_vpc_config(
            ekst::VpcConfigRequest::builder()
                .set_subnet_ids(Some(subnets.clone()))
                .security_group_ids(&sg_id)
                .endpoint_public_access(true)
                .endpoint_private_access(false)
                .public_access_cidrs("0.0.0.0/0")
                .build(),
        )
        .logging(
            ekst::Logging::builder()
                .cluster_logging(
                    ekst::LogSetup::builder()
                        .types(ekst::LogType::Api)
                        .enabled(true)
                        .build(),
                )
                .build(),
        )
        .encryption_config(
            ekst::EncryptionConfig::builder()
                .resources("secrets")
                .provider(ekst::Provider::builder().key_arn(&key_arn).build())
                .build(),
        )
        .send()
        .await
        .expect("cluster");
    eks.create_nodegroup()
        .cluster_name(CLUSTER)
        .nodegroup_name("general")
        .node_role(&node_role_arn)
        .set_subnets(Some(subnets.clone()))
        .launch_template(
            ekst::LaunchTemplateSpecification::builder()
                .id(&lt_id)
                .version("1")
                .build(),
        )
        .send()
        .await
        .expect("nodegroup");

    ecr.create_repository()
        .repository_name("shop/payments")
        .image_tag_mutability(aws_sdk_ecr::types::ImageTagMutability::Mutable)
        .image_scanning_configuration(
            aws_sdk_ecr::types::ImageScanningConfiguration::builder()
                .scan_on_push(false)
                .build(),
        )
        .send()
        .await
        .expect("repository");
    ecr.set_repository_policy()
        .repository_name("shop/payments")
        .policy_text(PUBLIC_PULL)
        .send()
        .await
        .expect("repository policy");

    gd.create_detector()
        .enable(true)
        .send()
        .await
        .expect("detector");
    logs.create_log_group()
        .log_group_name(format!("/aws/eks/{CLUSTER}/cluster"))
        .send()
        .await
        .expect("log group");
    Seeded {
        account,
        app_role_arn,
    }
}

fn ids(report: &Report) -> BTreeSet<(String, String)> {
    report
        .findings
        .iter()
        .map(|f| (f.rule_id.to_string(), f.resource.name.clone()))
        .collect()
}

fn not_evaluated(report: &Report) -> BTreeSet<(String, String)> {
    report
        .not_evaluated
        .iter()
        .map(|n| (n.rule_id.to_string(), n.reason.clone()))
        .collect()
}

/// Load a snapshot folder as `scan DIR` does: every file through the loader.
fn load_dir(dir: &std::path::Path) -> Inventory {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read snapshot dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    let mut inv = Inventory::default();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read snapshot file");
        inv.extend(load_text(
            &f.display().to_string(),
            &text,
            &LoadOptions::default(),
        ));
    }
    inv
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_scan_of_moto_finds_the_seeded_problems_and_its_snapshot_scans_the_same() {
    if skip() {
        return;
    }
    let moto = start_moto();
    let opts = options(&moto.url);
    let config = config(&opts).await;
    let seeded = seed(&config).await;
    let hints = AwsHints {
        images: vec![
            format!(
                "{}.dkr.ecr.{REGION}.amazonaws.com/shop/payments:1.0",
                seeded.account
            ),
            format!("{}.dkr.ecr.{REGION}.amazonaws.com/gone:1", seeded.account),
            "nginx:1.27".into(),
        ],
        role_arns: vec![seeded.app_role_arn.clone()],
        user_arns: vec![],
    };
    let gathered = gather_with(&config, &opts, &hints).await;
    let paths: Vec<&str> = gathered.documents.iter().map(|d| d.path.as_str()).collect();
    let inv = gathered.load("", &LoadOptions::default());
    assert!(inv.errors.is_empty(), "load errors: {:?}", inv.errors);
    let skipped_text: Vec<&str> = inv
        .skipped
        .iter()
        .filter_map(|s| gathered.documents.iter().find(|d| d.path == s.path))
        .map(|d| d.text.as_str())
        .collect();
    assert!(
        inv.skipped.is_empty(),
        "skipped: {:?} of {paths:?}: {skipped_text:?}",
        inv.skipped
    );

    // Every document is one the loader recognises, each input read.
    for input in [
        Input::EksCluster,
        Input::Nodegroups,
        Input::LaunchTemplates,
        Input::SecurityGroups,
        Input::Subnets,
        Input::Ec2Instances,
        Input::Iam,
        Input::EcrRepositories,
        Input::EcrLifecyclePolicies,
        Input::EcrRepositoryPolicies,
        Input::EcrRegistryScanning,
        Input::KmsKeys,
        Input::KmsKeyRotation,
        Input::GuardDuty,
        Input::LogGroups,
    ] {
        assert!(
            inv.has(input),
            "{input:?} not read: {:?}; documents {paths:?}",
            inv.unavailable.get(&input)
        );
    }
    assert_eq!(inv.clusters.len(), 1);
    assert_eq!(inv.nodegroups.len(), 1);
    assert_eq!(inv.instances.len(), 1);
    assert_eq!(
        inv.ecr_repositories.len(),
        1,
        "the missing repository is a note"
    );
    assert!(
        gathered.notes.iter().any(|n| n.contains("gone")),
        "{:?}",
        gathered.notes
    );
    let roles: BTreeSet<&str> = inv.iam_roles.iter().map(|r| r.role_name.as_str()).collect();
    assert_eq!(roles, BTreeSet::from(["app", "prod-cluster", "prod-nodes"]));
    let nodes = inv.iam_role("prod-nodes").expect("node role");
    assert_eq!(nodes.attached_managed_policies.len(), 1);
    assert!(
        nodes.assume_role_policy_document.is_object(),
        "the trust policy is decoded into JSON"
    );
    assert!(nodes.role_policy_list[0].policy_document.is_object());
    assert_eq!(
        inv.iam_policies.len(),
        1,
        "the customer policy and its document"
    );
    assert!(
        inv.iam_policies[0]
            .default_document()
            .is_some_and(Value::is_object)
    );

    // What moto does not implement is not evaluated with that reason, never passed.
    for input in [Input::AccessEntries, Input::Addons, Input::PodIdentity] {
        let why = inv.unavailable.get(&input).cloned().unwrap_or_default();
        assert!(
            why.contains("is not available at this endpoint") || inv.has(input),
            "{input:?}: {why}"
        );
    }
    for input in [Input::Inspector, Input::CloudTrail] {
        let why = inv.unavailable.get(&input).cloned().unwrap_or_default();
        assert!(
            why.starts_with("not read by live scans"),
            "{input:?}: {why}"
        );
    }

    let report = run(&inv, RULES, "test");
    let found = ids(&report);
    for (rule, resource) in [
        ("EKS001", CLUSTER),
        ("EKS002", CLUSTER),
        ("EKS003", "prod-cluster"),
        ("LOG001", CLUSTER),
        ("NODE001", "prod-nodes"),
        ("NODE002", "prod-nodes"),
        ("IMG002", "shop/payments"),
        ("IMG003", "shop/payments"),
        ("IMG006", "shop/payments"),
        ("IMG007", "shop/payments"),
        ("SEC006", ""),
        ("LOG003", ""),
        ("LOG002", CLUSTER),
        ("LOG004", ""),
        ("LOG006", "/aws/eks/prod/cluster"),
        ("IAM005", "prod-nodes"),
        ("NET002", "prod-cluster"),
        ("NODE012", ""),
        ("NODE013", ""),
        ("NODE014", ""),
        ("NODE015", "general"),
    ] {
        assert!(
            found
                .iter()
                .any(|(r, n)| r == rule && (resource.is_empty() || n == resource)),
            "{rule} on {resource} not found; findings {found:?}; not evaluated {:?}",
            not_evaluated(&report)
        );
    }
    assert!(
        gathered.requests.get("eks:DescribeCluster") == Some(&1),
        "{:?}",
        gathered.requests
    );

    // The snapshot scans the same.
    let dir = tempfile::tempdir().expect("temp dir");
    gathered
        .write_snapshot(dir.path(), "test")
        .expect("write snapshot");
    let offline = load_dir(dir.path());
    assert!(offline.errors.is_empty(), "{:?}", offline.errors);
    let offline_report = run(&offline, RULES, "test");
    assert_eq!(ids(&offline_report), found);
    assert_eq!(not_evaluated(&offline_report), not_evaluated(&report));
    drop(moto);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_cluster_is_not_evaluated_with_the_reason() {
    if skip() {
        return;
    }
    let moto = start_moto();
    let mut opts = options(&moto.url);
    opts.cluster = "absent".into();
    let config = config(&opts).await;
    let gathered = gather_with(&config, &opts, &AwsHints::default()).await;
    let inv = gathered.load("", &LoadOptions::default());
    let why = inv
        .unavailable
        .get(&Input::EksCluster)
        .cloned()
        .unwrap_or_default();
    assert!(why.contains("does not exist"), "{why}");
    assert!(!inv.has(Input::Nodegroups));
    assert!(
        inv.unavailable
            .get(&Input::Nodegroups)
            .is_some_and(|w| w.contains("needs the EKS cluster absent")),
        "{:?}",
        inv.unavailable
    );
    let report = run(&inv, RULES, "test");
    let eks001 = report
        .not_evaluated
        .iter()
        .find(|n| n.rule_id == "EKS001")
        .expect("EKS001 not evaluated");
    assert!(
        eks001.reason.contains("does not exist"),
        "{}",
        eks001.reason
    );
    drop(moto);
}

#[tokio::test]
async fn no_region_or_no_credentials_mark_every_aws_input_unavailable() {
    let opts = AwsOptions {
        endpoint_url: Some("http://127.0.0.1:9".into()),
        ..AwsOptions::new(CLUSTER)
    };
    let no_creds = config_loader(&AwsOptions {
        region: Some(REGION.into()),
        ..opts.clone()
    })
    .no_credentials()
    .load()
    .await;
    let g: Gathered = gather_with(&no_creds, &opts, &AwsHints::default()).await;
    assert!(g.documents.is_empty());
    assert!(g.requests.is_empty());
    let why = g
        .unavailable
        .iter()
        .find(|u| u.input == Input::EksCluster)
        .map(|u| u.reason.clone())
        .unwrap_or_default();
    assert!(
        why.starts_with("no AWS credentials found in the standard chain"),
        "{why}"
    );
    for input in eksguard_sources::aws::AWS_INPUTS {
        assert!(g.unavailable.iter().any(|u| u.input == *input), "{input:?}");
    }

    let no_region = aws_config::SdkConfig::builder().build();
    let g = gather_with(&no_region, &opts, &AwsHints::default()).await;
    let why = g
        .unavailable
        .iter()
        .find(|u| u.input == Input::Iam)
        .map(|u| u.reason.clone())
        .unwrap_or_default();
    assert!(why.starts_with("no AWS region"), "{why}");
}
