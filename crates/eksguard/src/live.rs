//! Live inputs: the cluster of the current kubeconfig context through `kube`, and the AWS
//! account behind it through the AWS SDK. What cannot be read makes the dependent rules *not
//! evaluated* with the reason; nothing here fails a scan except having nothing to read at all.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use eksguard_core::Inventory;
use eksguard_core::inventory::{Input, LoadOptions};
use eksguard_sources::Gathered;
use eksguard_sources::aws::{self, AWS_INPUTS, AwsHints, AwsOptions};
use eksguard_sources::kube::{self, KubeOptions};

/// Where a live scan reads from.
#[derive(Args, Debug, Clone, Default)]
pub struct LiveArgs {
    /// Kubeconfig file (default: KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE", help_heading = "Live cluster")]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME", help_heading = "Live cluster")]
    pub context: Option<String>,

    /// EKS cluster name (default: from the context, whose cluster is named by its ARN).
    #[arg(long, value_name = "NAME", help_heading = "Live cluster")]
    pub cluster: Option<String>,

    /// AWS profile (default: the standard credential chain).
    #[arg(long, value_name = "NAME", help_heading = "Live cluster")]
    pub profile: Option<String>,

    /// AWS region (default: from the context's cluster ARN, then the profile or AWS_REGION).
    #[arg(long, value_name = "REGION", help_heading = "Live cluster")]
    pub region: Option<String>,

    /// Do not read Kubernetes (AWS only).
    #[arg(long, conflicts_with = "no_aws", help_heading = "Live cluster")]
    pub no_kube: bool,

    /// Do not read AWS (Kubernetes only).
    #[arg(long, help_heading = "Live cluster")]
    pub no_aws: bool,

    /// Also read each node's kubelet configuration (needs `get nodes/proxy`, which the default
    /// reader role does not grant).
    #[arg(long, help_heading = "Live cluster")]
    pub kubelet_config: bool,
}

/// Every Kubernetes input a live read is responsible for.
fn kube_inputs() -> Vec<Input> {
    let mut out: Vec<Input> = kube::KINDS
        .iter()
        .chain([&kube::SECRETS])
        .filter_map(|k| k.input)
        .collect();
    out.extend([
        Input::ClusterWorkloads,
        Input::AwsAuth,
        Input::SecretKeys,
        Input::KubeletConfigs,
    ]);
    out.sort();
    out.dedup();
    out
}

/// Read the live cluster and account.
pub fn gather(args: &LiveArgs) -> Result<Gathered> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(gather_async(args))
}

async fn gather_async(args: &LiveArgs) -> Result<Gathered> {
    let mut gathered = Gathered::default();
    let mut hint = None;
    if args.no_kube {
        for input in kube_inputs() {
            gathered.unavailable(input, "Kubernetes was not read (--no-kube)");
        }
    } else {
        let opts = KubeOptions {
            kubeconfig: args.kubeconfig.clone(),
            context: args.context.clone(),
            progress: std::io::stderr().is_terminal(),
            kubelet_configz: args.kubelet_config,
            ..KubeOptions::default()
        };
        match kube::gather(&opts).await {
            Ok((g, h)) => {
                gathered.extend(g);
                hint = Some(h);
            }
            // Without Kubernetes a scan of the AWS side alone is still useful when the
            // cluster is named; otherwise there is nothing to read.
            Err(e) if !args.no_aws && args.cluster.is_some() => {
                for input in kube_inputs() {
                    gathered.unavailable(input, format!("Kubernetes was not read: {e}"));
                }
            }
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "{e}\n(to scan files instead, give paths or `-`; --demo scans the built-in demo cluster)"
                ));
            }
        }
    }

    if args.no_aws {
        for input in AWS_INPUTS {
            gathered.unavailable(*input, "AWS was not read (--no-aws)");
        }
        return Ok(gathered);
    }
    let cluster = args
        .cluster
        .clone()
        .or_else(|| hint.as_ref().and_then(|h| h.cluster_name.clone()));
    let Some(cluster) = cluster else {
        let context = hint.as_ref().map_or("", |h| h.context.as_str());
        let why = format!(
            "AWS was not read: the kubeconfig context {context:?} does not name an EKS cluster; pass --cluster NAME (and --region)"
        );
        for input in AWS_INPUTS {
            gathered.unavailable(*input, why.clone());
        }
        return Ok(gathered);
    };
    let mut opts = AwsOptions::new(cluster);
    opts.profile.clone_from(&args.profile);
    opts.region = args
        .region
        .clone()
        .or_else(|| hint.as_ref().and_then(|h| h.region.clone()));
    let inv = gathered.load("", &LoadOptions::default());
    let hints = AwsHints::from_inventory(&inv);
    gathered.extend(aws::gather(&opts, &hints).await);
    Ok(gathered)
}

/// Print what could not be read, prominently, and the notes.
pub fn print_summary(g: &Gathered) {
    if !g.unavailable.is_empty() {
        let mut reasons: Vec<&str> = g.unavailable.iter().map(|u| u.reason.as_str()).collect();
        reasons.sort_unstable();
        reasons.dedup();
        eprintln!(
            "eksguard: {} input(s) could not be read; their rules are reported as not evaluated:",
            g.unavailable.len()
        );
        for r in reasons {
            eprintln!("  - {r}");
        }
    }
    for n in &g.notes {
        eprintln!("eksguard: note: {n}");
    }
}

/// The inventory a command reads: the files and folders given, the demo cluster, or — with
/// neither — the live cluster and account.
pub fn read(
    paths: &[PathBuf],
    demo: bool,
    live: &LiveArgs,
    opts: &crate::input::Options,
) -> Result<Inventory> {
    if paths.is_empty() && !demo {
        let gathered = gather(live)?;
        print_summary(&gathered);
        let load = LoadOptions {
            limits: eksguard_core::inventory::Limits {
                max_bytes: opts.max_bytes,
                ..eksguard_core::inventory::Limits::default()
            },
        };
        return Ok(gathered.load("live:", &load));
    }
    let sources = if demo {
        crate::demo::DEMO_FILES
            .iter()
            .map(|(p, t)| crate::input::Text::embedded(p, t))
            .collect()
    } else {
        Vec::new()
    };
    Ok(crate::input::load(paths, opts, sources))
}
