//! Live AWS through the official `aws-sdk-*` crates (rustls with the ring provider).
//!
//! [`gather`] reads the EKS cluster and the AWS resources around it, and turns every SDK
//! response into exactly the AWS CLI v2 JSON the file loader recognises (one [`Document`] per
//! CLI command, under `aws/`), so a live scan, a scan of its snapshot and a scan of hand-run
//! `aws ... > file.json` outputs all see the same inventory.
//!
//! What cannot be read is recorded per [`Input`] with the reason (access denied, no credentials,
//! throttled after retries, an API the endpoint does not implement), all or nothing: an input
//! one of whose requests failed gets no document, so its rules are *not evaluated* with the
//! reason rather than evaluated on part of the data. "Not found" answers for optional things (a
//! repository without a lifecycle policy) are the normal absent case and keep the input present.

pub mod convert;
mod ec2;
mod ecr;
mod eks;
mod iam;
mod misc;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_sdk_eks::config::ProvideCredentials;
use aws_sdk_eks::config::http::HttpResponse;
use aws_sdk_eks::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use eksguard_core::inventory::Input;
use serde_json::Value;

use crate::{Document, Gathered};

/// How to reach the AWS account of the cluster.
#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// A named profile of the shared config (`--profile`); the standard chain otherwise.
    pub profile: Option<String>,
    /// The cluster's region (`--region`); the profile's or `AWS_REGION` otherwise.
    pub region: Option<String>,
    /// The EKS cluster name.
    pub cluster: String,
    /// Send every request here (an emulator, a VPC endpoint); `AWS_ENDPOINT_URL` is also
    /// honoured by the SDK itself.
    pub endpoint_url: Option<String>,
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
}

impl AwsOptions {
    /// Options for `cluster` with the standard chain and 8 requests in flight.
    pub fn new(cluster: impl Into<String>) -> Self {
        Self {
            profile: None,
            region: None,
            cluster: cluster.into(),
            endpoint_url: None,
            concurrency: 8,
        }
    }
}

/// What the Kubernetes side knows that tells which AWS resources matter.
#[derive(Debug, Clone, Default)]
pub struct AwsHints {
    /// Images the cluster's workloads run: their ECR repositories (of this account and region)
    /// are read.
    pub images: Vec<String>,
    /// IAM role ARNs workloads use (IRSA `eks.amazonaws.com/role-arn` annotations, aws-auth
    /// `mapRoles`): their trust and permission policies are read.
    pub role_arns: Vec<String>,
    /// IAM user ARNs mapped into the cluster outside access entries (aws-auth `mapUsers`):
    /// their access keys are listed.
    pub user_arns: Vec<String>,
}

impl AwsHints {
    /// What an inventory of the cluster's Kubernetes objects tells the AWS side to read: the
    /// images workloads run, the IAM roles of IRSA annotations and aws-auth `mapRoles`, the IAM
    /// users of aws-auth `mapUsers`; each list sorted, each entry once.
    pub fn from_inventory(inv: &eksguard_core::Inventory) -> Self {
        let mut hints = Self::default();
        for w in &inv.workloads {
            hints.images.extend(
                w.containers()
                    .into_iter()
                    .filter_map(|c| c.image.map(str::to_string)),
            );
        }
        for sa in &inv.service_accounts {
            if let Some(arn) = sa
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("eks.amazonaws.com/role-arn"))
            {
                hints.role_arns.push(arn.clone());
            }
        }
        if let Some((_, entries)) = eksguard_core::rules::iam::aws_auth_entries(inv) {
            for e in entries {
                if e.is_user {
                    hints.user_arns.push(e.arn.clone());
                } else {
                    hints.role_arns.push(e.arn.clone());
                }
            }
        }
        for list in [
            &mut hints.images,
            &mut hints.role_arns,
            &mut hints.user_arns,
        ] {
            list.sort();
            list.dedup();
        }
        hints
    }
}

/// Every input a live AWS read is responsible for.
pub const AWS_INPUTS: &[Input] = &[
    Input::EksCluster,
    Input::Nodegroups,
    Input::FargateProfiles,
    Input::AccessEntries,
    Input::AccessPolicies,
    Input::Addons,
    Input::PodIdentity,
    Input::LaunchTemplates,
    Input::SecurityGroups,
    Input::Ec2Instances,
    Input::Subnets,
    Input::Iam,
    Input::AccessKeys,
    Input::EcrRepositories,
    Input::EcrLifecyclePolicies,
    Input::EcrRepositoryPolicies,
    Input::EcrRegistryScanning,
    Input::KmsKeys,
    Input::KmsKeyRotation,
    Input::GuardDuty,
    Input::LogGroups,
    Input::Inspector,
    Input::CloudTrail,
];

/// Inputs the catalog reads that a live scan does not: they stay not evaluated with a pointer
/// to the CLI output that provides them.
const NOT_READ: &[Input] = &[Input::Inspector, Input::CloudTrail];

/// The SDK configuration loader for `opts`: the standard credential chain (or the profile),
/// the region, the endpoint, standard retries (5 attempts), timeouts, and an HTTPS client on
/// rustls with the ring provider.
pub fn config_loader(opts: &AwsOptions) -> ConfigLoader {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .retry_config(RetryConfig::standard().with_max_attempts(5))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .read_timeout(Duration::from_secs(30))
                .operation_attempt_timeout(Duration::from_secs(30))
                .operation_timeout(Duration::from_secs(120))
                .build(),
        );
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &opts.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    loader
}

/// Read the cluster `opts.cluster` and the AWS resources around it, with credentials from the
/// standard chain.
pub async fn gather(opts: &AwsOptions, hints: &AwsHints) -> Gathered {
    let config = config_loader(opts).load().await;
    Box::pin(gather_with(&config, opts, hints)).await
}

/// [`gather`] with an already loaded SDK configuration (tests give static credentials).
pub async fn gather_with(config: &SdkConfig, opts: &AwsOptions, hints: &AwsHints) -> Gathered {
    let mut out = Gathered::default();
    for input in NOT_READ {
        out.unavailable(
            *input,
            format!(
                "not read by live scans; provide {} in a folder scanned beside the live scan",
                input.how_to_provide()
            ),
        );
    }
    let Some(region) = config.region().map(|r| r.as_ref().to_string()) else {
        all_unavailable(
            &mut out,
            "no AWS region: pass --region, set AWS_REGION, or give the profile a region",
        );
        return out;
    };
    let creds = match config.credentials_provider() {
        None => Err("no credentials provider is configured".to_string()),
        Some(p) => p
            .provide_credentials()
            .await
            .map(|_| ())
            .map_err(|e| DisplayErrorContext(&e).to_string()),
    };
    if let Err(why) = creds {
        all_unavailable(
            &mut out,
            &format!(
                "no AWS credentials found in the standard chain (env, profile, SSO, IMDS): {why}"
            ),
        );
        return out;
    }
    let run = Run {
        opts,
        region,
        account: Mutex::new(None),
        out: Mutex::new(out),
        eks: aws_sdk_eks::Client::new(config),
        ec2: aws_sdk_ec2::Client::new(config),
        iam: aws_sdk_iam::Client::new(config),
        ecr: aws_sdk_ecr::Client::new(config),
        kms: aws_sdk_kms::Client::new(config),
        guardduty: aws_sdk_guardduty::Client::new(config),
        logs: aws_sdk_cloudwatchlogs::Client::new(config),
    };
    Box::pin(run.go(hints)).await;
    run.out
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn all_unavailable(out: &mut Gathered, reason: &str) {
    for input in AWS_INPUTS {
        if !NOT_READ.contains(input) {
            out.unavailable(*input, reason);
        }
    }
}

/// One live read: the clients and what has been gathered so far.
pub(crate) struct Run<'a> {
    pub opts: &'a AwsOptions,
    pub region: String,
    /// The account of the cluster (from its ARN), once known.
    pub account: Mutex<Option<String>>,
    out: Mutex<Gathered>,
    pub eks: aws_sdk_eks::Client,
    pub ec2: aws_sdk_ec2::Client,
    pub iam: aws_sdk_iam::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub kms: aws_sdk_kms::Client,
    pub guardduty: aws_sdk_guardduty::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
}

/// What the EKS reads found, which the EC2 and IAM reads follow.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub cluster: eks::ClusterRead,
    pub nodegroups: eks::NodegroupsRead,
    pub fargate_roles: Vec<String>,
    pub access_entry_principals: Vec<String>,
    /// Whether the access entries were read completely (so the users among them are all).
    pub access_entries_read: bool,
    pub addon_roles: Vec<String>,
    pub pod_identity_roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LaunchTemplateRef {
    Id(String),
    Name(String),
}

impl Run<'_> {
    fn with<T>(&self, f: impl FnOnce(&mut Gathered) -> T) -> T {
        let mut g = self
            .out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut g)
    }

    /// Count one request of `op` (`eks:DescribeCluster`).
    pub fn count(&self, op: &str) {
        self.with(|g| g.count(op));
    }

    /// Add a document: `value` as pretty JSON at `aws/PATH`.
    pub fn doc(&self, path: &str, value: &Value) {
        let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
        self.with(|g| {
            g.documents.push(Document {
                path: format!("aws/{}", safe_name(path)),
                text,
            });
        });
    }

    pub fn unavailable(&self, input: Input, reason: impl Into<String>) {
        let reason = reason.into();
        self.with(|g| g.unavailable(input, reason));
    }

    pub fn note(&self, note: impl Into<String>) {
        let note = note.into();
        self.with(|g| g.notes.push(note));
    }

    pub fn limit(&self) -> usize {
        self.opts.concurrency.max(1)
    }

    pub fn cluster(&self) -> &str {
        &self.opts.cluster
    }

    pub fn account(&self) -> Option<String> {
        self.account
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    async fn go(&self, hints: &AwsHints) {
        let Some(cluster) = eks::cluster(self).await else {
            let why = format!(
                "needs the EKS cluster {}, which could not be read",
                self.cluster()
            );
            for input in [
                Input::Nodegroups,
                Input::FargateProfiles,
                Input::AccessEntries,
                Input::AccessPolicies,
                Input::Addons,
                Input::PodIdentity,
                Input::LaunchTemplates,
                Input::SecurityGroups,
                Input::Subnets,
                Input::KmsKeys,
                Input::KmsKeyRotation,
            ] {
                self.unavailable(input, why.clone());
            }
            let found = Found::default();
            let ((), (), (), (), ()) = futures::join!(
                misc::guardduty(self),
                misc::log_groups(self),
                ecr::repositories(self, &hints.images),
                ec2::instances(self),
                iam::roles_and_users(self, &found, hints),
            );
            return;
        };
        if let Some(account) = &cluster.account {
            *self
                .account
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(account.clone());
        }
        let (
            nodegroups,
            fargate_roles,
            (principals, entries_read),
            addon_roles,
            pod_roles,
            (),
            (),
            (),
            (),
        ) = futures::join!(
            eks::nodegroups(self),
            eks::fargate_profiles(self),
            eks::access_entries(self, cluster.access_entries_enabled),
            eks::addons(self),
            eks::pod_identity(self),
            misc::guardduty(self),
            misc::log_groups(self),
            ecr::repositories(self, &hints.images),
            misc::kms(self, cluster.secrets_key.as_deref()),
        );
        let found = Found {
            cluster,
            nodegroups,
            fargate_roles,
            access_entry_principals: principals,
            access_entries_read: entries_read,
            addon_roles,
            pod_identity_roles: pod_roles,
        };
        let ((), (), ()) = futures::join!(
            ec2::network(self, &found),
            ec2::instances(self),
            iam::roles_and_users(self, &found, hints),
        );
    }
}

/// Run `f` on every item, at most `limit` at once, in order; the first failure fails all.
pub(crate) async fn each<I, T, F, Fut>(limit: usize, items: Vec<I>, f: F) -> Result<Vec<T>, Failure>
where
    F: FnMut(I) -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    use futures::StreamExt;
    let results: Vec<Result<T, Failure>> = futures::stream::iter(items)
        .map(f)
        .buffered(limit.max(1))
        .collect()
        .await;
    results.into_iter().collect()
}

/// The last segment of an ARN (`role/path/name` -> `name`).
pub(crate) fn last_segment(arn: &str) -> &str {
    eksguard_core::inventory::arn_name(arn)
}

/// A file name from AWS names: path separators and odd characters become `_`, so every
/// document lies directly under `aws/`.
fn safe_name(path: &str) -> String {
    path.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .replace("..", "_")
}

/// Why a request failed, in words for the user; `not_found` when AWS said the thing does not
/// exist (the normal absent case for optional things).
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub not_found: bool,
    pub reason: String,
}

/// Classify an SDK error of the request `action` (`eks:ListAccessEntries`).
pub(crate) fn failure<E>(action: &str, err: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = err.code().unwrap_or_default();
    let message = err.message().unwrap_or_default();
    let status = err.raw_response().map(|r| r.status().as_u16());
    let failed = |reason: String| Failure {
        not_found: false,
        reason,
    };
    match err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
            return failed(format!(
                "{action} could not reach AWS: {}",
                DisplayErrorContext(err)
            ));
        }
        SdkError::ConstructionFailure(_) => {
            return failed(format!(
                "{action} could not be sent: {}",
                DisplayErrorContext(err)
            ));
        }
        _ => {}
    }
    let denied = matches!(
        code,
        "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedOperation"
            | "UnauthorizedException"
            | "AuthorizationError"
            | "Forbidden"
    ) || (code.is_empty() && status == Some(403));
    if denied {
        return failed(format!(
            "{action} was denied for {}: grant it (see docs/live.md)",
            caller(message)
        ));
    }
    if matches!(
        code,
        "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "AuthFailure"
            | "InvalidSignatureException"
            | "SignatureDoesNotMatch"
            | "IncompleteSignature"
    ) {
        return failed(format!(
            "{action}: AWS rejected the credentials ({code}): {message}"
        ));
    }
    if matches!(
        code,
        "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "TooManyRequestsException"
            | "RequestLimitExceeded"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "LimitExceededException"
    ) || status == Some(429)
    {
        return failed(format!(
            "{action} was throttled after retries ({code}): {message}"
        ));
    }
    let unsupported = matches!(
        code,
        "UnknownOperationException"
            | "UnknownOperation"
            | "NotImplemented"
            | "NotImplementedException"
            | "InvalidAction"
            | "UnsupportedOperation"
            | "UnsupportedOperationException"
            | "InvalidRequestException"
    ) && (message.is_empty()
        || code != "InvalidRequestException"
        || message.contains("not supported")
        || message.contains("not implemented"))
        || (code.is_empty() && matches!(status, Some(404 | 405 | 501)));
    if unsupported {
        let what = if code.is_empty() {
            format!("HTTP {}", status.unwrap_or_default())
        } else {
            code.to_string()
        };
        return failed(format!(
            "{action} is not available at this endpoint or in this region ({what})"
        ));
    }
    let not_found = code.ends_with("NotFoundException")
        || code.ends_with(".NotFound")
        || code == "NoSuchEntity"
        || code == "NotFound";
    Failure {
        not_found,
        reason: if code.is_empty() {
            format!("{action} failed: {}", DisplayErrorContext(err))
        } else {
            format!("{action} failed ({code}): {message}")
        },
    }
}

/// The caller an AccessDenied message names (`User: arn:... is not authorized to perform`).
fn caller(message: &str) -> String {
    message
        .split_once("User: ")
        .and_then(|(_, rest)| rest.split_once(' '))
        .map(|(arn, _)| arn.trim_end_matches(',').to_string())
        .filter(|a| a.starts_with("arn:"))
        .unwrap_or_else(|| "the caller".to_string())
}

/// The account of an ARN (`arn:aws:eks:eu-west-1:111122223333:cluster/prod`).
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// Deduplicated, sorted, non-empty strings.
pub(crate) fn unique<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    items
        .into_iter()
        .map(|s| s.as_ref().to_string())
        .filter(|s| !s.is_empty())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_from_denied_message() {
        assert_eq!(
            caller(
                "User: arn:aws:iam::111122223333:user/ci is not authorized to perform: eks:ListAccessEntries"
            ),
            "arn:aws:iam::111122223333:user/ci"
        );
        assert_eq!(caller("Access denied"), "the caller");
    }

    #[test]
    fn safe_names() {
        assert_eq!(safe_name("ecr.repo/../x y"), "ecr.repo___x_y");
    }
}
