//! `eksguard scan` and `eksguard snapshot` live, end to end: the binary reads an AWS account
//! served by moto's real server (PyPI `moto[server]`) on a free 127.0.0.1 port, seeded through
//! boto3 (which moto installs). Nothing leaves this machine: the endpoint, credentials and
//! config files all point at the test's own.

use std::path::Path;
use std::process::{Command, Output};

mod common;

use common::moto::{Moto, aws_env, start_moto};

fn seed(moto: &Moto, home: &Path) {
    let script = r#"
import boto3
kw = dict(region_name="eu-west-1")
iam = boto3.client("iam", **kw)
role = iam.create_role(RoleName="shop-cluster", AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}')["Role"]["Arn"]
ec2 = boto3.client("ec2", **kw)
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
sg = ec2.create_security_group(GroupName="shop-cp", Description="cp", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
eks = boto3.client("eks", **kw)
eks.create_cluster(name="shop", roleArn=role, resourcesVpcConfig={"subnetIds": [subnet], "securityGroupIds": [sg], "endpointPublicAccess": True, "endpointPrivateAccess": False, "publicAccessCidrs": ["0.0.0.0/0"]})
"#;
    let mut cmd = Command::new(common::moto::python());
    cmd.args(["-c", script]);
    aws_env(&mut cmd, moto, home);
    let out = cmd.output().expect("run python3");
    assert!(
        out.status.success(),
        "seeding moto failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn eksguard(moto: &Moto, home: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_eksguard"));
    cmd.args(args).current_dir(home);
    aws_env(&mut cmd, moto, home);
    cmd.output().expect("run eksguard")
}

fn findings(json: &[u8]) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(json).expect("json report");
    let mut out: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap_or_default().to_string(),
                f["resource"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn live_scan_of_an_account_and_its_snapshot_agree() {
    let Some(moto) = start_moto() else {
        return;
    };
    let home = tempfile::tempdir().expect("tmp");
    seed(&moto, home.path());

    let live = eksguard(
        &moto,
        home.path(),
        &[
            "scan",
            "--no-kube",
            "--cluster",
            "shop",
            "--region",
            "eu-west-1",
            "-f",
            "json",
        ],
    );
    let stderr = String::from_utf8_lossy(&live.stderr);
    assert_eq!(live.status.code(), Some(1), "findings expected: {stderr}");
    let live_findings = findings(&live.stdout);
    let rules: Vec<&str> = live_findings.iter().map(|f| f.0.as_str()).collect();
    assert!(
        rules.contains(&"EKS001"),
        "public endpoint open to the world: {rules:?}"
    );
    assert!(rules.contains(&"EKS002"), "no private endpoint: {rules:?}");
    // What was not read is said on stderr and reported as not evaluated, never passed.
    assert!(
        stderr.contains("Kubernetes was not read (--no-kube)"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&live.stdout).expect("json");
    let not_evaluated = v["not_evaluated"].as_array().expect("list");
    assert!(
        not_evaluated
            .iter()
            .any(|n| n["rule_id"] == "POD001"
                && n["reason"] == "Kubernetes was not read (--no-kube)"),
        "{not_evaluated:?}"
    );

    let snap = home.path().join("snap");
    let out = eksguard(
        &moto,
        home.path(),
        &[
            "snapshot",
            "--no-kube",
            "--cluster",
            "shop",
            "--region",
            "eu-west-1",
            "--out",
            "snap",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(snap.join("eksguard-snapshot.json").is_file());
    drop(moto);

    // Offline, with moto gone: the same findings and the same not-evaluated rules.
    let offline = Command::new(env!("CARGO_BIN_EXE_eksguard"))
        .args(["scan", "snap", "-f", "json"])
        .current_dir(home.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run eksguard");
    assert_eq!(findings(&offline.stdout), live_findings);
    let w: serde_json::Value = serde_json::from_slice(&offline.stdout).expect("json");
    assert_eq!(w["not_evaluated"], v["not_evaluated"]);
}
