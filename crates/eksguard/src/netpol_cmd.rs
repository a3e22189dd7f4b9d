//! `eksguard netpol`: NetworkPolicy questions answered from the same inputs as `scan`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use eksguard_core::netpol::{self, PortQuery, Side, Verdict, WorkloadRef};

use crate::input;

#[derive(Args, Debug)]
pub struct NetpolArgs {
    #[command(subcommand)]
    command: NetpolCommand,
}

#[derive(Subcommand, Debug)]
enum NetpolCommand {
    /// May one workload open a connection to another under the cluster's NetworkPolicies?
    #[command(after_help = REACH_HELP)]
    Reach(ReachArgs),
}

const REACH_HELP: &str = "\
FROM and TO are NAMESPACE/WORKLOAD (shop/web), or KIND/NAMESPACE/NAME (Deployment/shop/web) when
several workloads share a name. Pods are the pod templates of Pods, Deployments, StatefulSets,
DaemonSets, ReplicaSets, Jobs and CronJobs. The connection is allowed only when the source's egress
AND the destination's ingress allow it; each side lists the policies that select the pod and those
that admit the traffic. Without --port, allowed means allowed on at least one port. Whether a policy
engine enforces the policies at all (VPC CNI network policy agent, Calico, Cilium) is reported too;
the verdict itself follows the policies.

Examples:
  eksguard netpol reach shop/web shop/db --port 5432 manifests/
  eksguard netpol reach Deployment/shop/web kube-system/coredns --port 53/UDP cluster.yaml
  eksguard netpol reach --demo payments/api storefront/web -f json

Exit codes: 0 allowed; 1 denied; 2 usage or input errors (unknown or ambiguous workload, unreadable files).";

#[derive(Args, Debug)]
struct ReachArgs {
    /// The client workload: NAMESPACE/WORKLOAD or KIND/NAMESPACE/NAME.
    #[arg(value_name = "FROM", value_parser = parse_workload)]
    from: WorkloadRef,

    /// The server workload: NAMESPACE/WORKLOAD or KIND/NAMESPACE/NAME.
    #[arg(value_name = "TO", value_parser = parse_workload)]
    to: WorkloadRef,

    /// Files and folders to read, as for `scan` (folders recursively; `-` reads standard input).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Read the demo cluster built into eksguard.
    #[arg(long)]
    demo: bool,

    #[command(flatten)]
    live: crate::live::LiveArgs,

    /// The destination port: P or P/PROTO (TCP, UDP, SCTP; TCP by default).
    #[arg(long, value_name = "P[/PROTO]", value_parser = parse_port)]
    port: Option<PortQuery>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = OutFormat::Table)]
    format: OutFormat,

    /// Largest input file, in MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    max_file_size: u64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OutFormat {
    Table,
    Json,
}

fn parse_workload(s: &str) -> Result<WorkloadRef, String> {
    s.parse()
}

fn parse_port(s: &str) -> Result<PortQuery, String> {
    s.parse()
}

pub fn run(args: &NetpolArgs) -> Result<ExitCode> {
    match &args.command {
        NetpolCommand::Reach(a) => reach(a),
    }
}

fn reach(args: &ReachArgs) -> Result<ExitCode> {
    let opts = input::Options {
        max_bytes: args.max_file_size.saturating_mul(1024 * 1024),
    };
    let mut inv = crate::live::read(&args.paths, args.demo, &args.live, &opts)?;
    inv.errors.sort();
    for e in &inv.errors {
        eprintln!("eksguard: {e}");
    }
    let verdict = match netpol::reach(&inv, &args.from, &args.to, args.port) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("eksguard: error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let text = match args.format {
        OutFormat::Json => {
            let mut t = serde_json::to_string_pretty(&verdict)?;
            t.push('\n');
            t
        }
        OutFormat::Table => render(&verdict),
    };
    crate::write_stdout(&text)?;
    if !inv.errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    Ok(if verdict.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn side(out: &mut String, label: &str, s: &Side) {
    let names = |v: &[netpol::PolicyRef]| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !s.isolated {
        let _ = writeln!(
            out,
            "  {label}: allowed (no NetworkPolicy selects the pod for it)"
        );
    } else if s.allowed {
        let _ = writeln!(
            out,
            "  {label}: allowed by {} (selected by {})",
            names(&s.allowed_by),
            names(&s.selected_by)
        );
    } else {
        let _ = writeln!(
            out,
            "  {label}: denied: selected by {}, none of which admits this traffic",
            names(&s.selected_by)
        );
    }
}

fn render(v: &Verdict) -> String {
    let mut out = String::new();
    let port = v
        .port
        .map_or_else(|| "any port".to_string(), |p| p.to_string());
    let _ = writeln!(
        out,
        "{} -> {} on {port}: {}",
        v.from,
        v.to,
        if v.allowed { "ALLOWED" } else { "DENIED" }
    );
    side(&mut out, &format!("egress of {}", v.from), &v.egress);
    side(&mut out, &format!("ingress of {}", v.to), &v.ingress);
    let engine = match (v.engine.enforced, v.engine.engine) {
        (Some(true), Some(e)) => format!("enforced by {e}"),
        (Some(false), _) => "NOT enforced".to_string(),
        _ => "unknown".to_string(),
    };
    let _ = writeln!(out, "  policy engine: {engine} ({})", v.engine.evidence);
    for n in &v.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}
