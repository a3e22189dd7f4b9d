//! eksguard: make Amazon EKS clusters secure and keep them so.
//!
//! The binary is wiring: it parses the command line, reads inputs, runs the pure core and
//! prints. Every check lives in `eksguard-core`.

mod input;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use eksguard_core::engine::{self, Selection};
use eksguard_core::pss::{self, Level, Version};
use eksguard_core::report::{self, Format};
use eksguard_core::rule::Severity;
use eksguard_core::rules::{self, RULES};

mod demo {
    include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));
}

const AFTER_HELP: &str = "\
Examples:
  eksguard scan --demo                      scan the built-in demo cluster
  eksguard scan manifests/ cluster.json     scan files and folders (YAML, JSON, AWS CLI output)
  kubectl get all,roles,rolebindings -A -o yaml | eksguard scan -
  eksguard scan demo/ --format sarif --output eksguard.sarif
  eksguard explain POD001                   what a rule checks and how to fix it
  eksguard explain CKV_K8S_16               find our rule by a peer tool's id

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage or input errors.";

/// Make Amazon EKS clusters secure and keep them so.
#[derive(Parser, Debug)]
#[command(name = "eksguard", version, about, after_help = AFTER_HELP, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan a cluster's configuration (Kubernetes manifests and AWS CLI outputs) for security problems.
    #[command(after_help = SCAN_HELP)]
    Scan(ScanArgs),
    /// Evaluate pods and pod templates against the Pod Security Standards, exactly as Pod Security Admission does.
    #[command(after_help = PSS_HELP)]
    Pss(PssArgs),
    /// List the rule catalog.
    Rules(RulesArgs),
    /// Explain one rule: what it checks, why it matters, how to fix it, its peers' ids.
    Explain {
        /// A rule id (POD001), name (privileged-container), or a peer tool's id (CKV_K8S_16, C-0057, 5.4.2).
        query: String,
    },
}

const SCAN_HELP: &str = "\
Inputs are classified by content, never by file name: Kubernetes objects (YAML or JSON, multi-document,
`List` kinds, `kubectl get -o yaml|json` output) and the JSON output of these AWS CLI commands:
  aws eks describe-cluster, aws eks describe-nodegroup, aws ec2 describe-launch-template-versions,
  aws ec2 describe-security-groups, aws iam get-account-authorization-details, aws iam get-role,
  aws ecr describe-repositories, aws kms describe-key, aws kms get-key-rotation-status,
  aws guardduty get-detector.
Rules whose input is missing are reported as `not evaluated`, never as passed.

Secret values are never read into the report: Secret objects are loaded without their data.";

#[derive(Args, Debug)]
struct ScanArgs {
    /// Files and folders to scan (folders recursively; `-` reads standard input).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Scan the demo cluster built into eksguard (the files of `demo/`).
    #[arg(long)]
    demo: bool,

    /// Report format.
    #[arg(short, long, value_enum, default_value_t = FormatArg::Table)]
    format: FormatArg,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Exit with 1 when a finding has this severity or worse.
    #[arg(long, value_enum, default_value_t = SeverityArg::Info, value_name = "SEVERITY")]
    fail_on: SeverityArg,

    /// Run only these rules: ids (POD001), prefixes (POD, RBAC00) or names, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,

    /// Skip these rules: ids, prefixes or names, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,

    /// When to colour the table.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,

    /// Largest input file, in MiB; bigger files are reported as errors, not read.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    max_file_size: u64,
}

const PSS_HELP: &str = "\
Every object with a pod spec is evaluated: Pods and the templates of Deployments, StatefulSets,
DaemonSets, ReplicaSets, Jobs and CronJobs. Violations carry the upstream check ids
(privileged, hostNamespaces, runAsNonRoot, seccompProfile_restricted, ...) and wording.

Examples:
  eksguard pss manifests/ --level restricted               would these be admitted under restricted?
  eksguard pss manifests/ --level baseline --version v1.30
  eksguard pss --suggest manifests/                        the strictest level each namespace can enforce today

Exit codes: 0 all allowed (or --suggest); 1 an object would be denied; 2 usage or input errors.";

#[derive(Args, Debug)]
struct PssArgs {
    /// Files and folders to read (folders recursively; `-` reads standard input).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Read the demo cluster built into eksguard.
    #[arg(long)]
    demo: bool,

    /// The level to evaluate at (required unless --suggest).
    #[arg(long, value_enum, required_unless_present = "suggest")]
    level: Option<PssLevel>,

    /// The policy version: v1.N or latest.
    #[arg(long, default_value = "latest", value_parser = parse_version)]
    version: Version,

    /// Per namespace: the strictest level every current workload passes, what blocks the next
    /// level, and the label to apply.
    #[arg(long)]
    suggest: bool,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = CatalogFormat::Table)]
    format: CatalogFormat,

    /// Largest input file, in MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    max_file_size: u64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum PssLevel {
    Baseline,
    Restricted,
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse()
}

#[derive(Args, Debug)]
struct RulesArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = CatalogFormat::Table)]
    format: CatalogFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Table,
    Json,
    Sarif,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CatalogFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SeverityArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Self {
        match s {
            SeverityArg::Critical => Severity::Critical,
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Info => Severity::Info,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Pss(args) => pss(&args),
        Command::Rules(args) => catalog(&args).map(|()| ExitCode::SUCCESS),
        Command::Explain { query } => explain(&query),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("eksguard: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn scan(args: &ScanArgs) -> Result<ExitCode> {
    if args.paths.is_empty() && !args.demo {
        anyhow::bail!(
            "nothing to scan: give files or folders (or `-` for standard input), or --demo.\n\
             Live scanning of the current kubeconfig context and AWS account is not available in this build."
        );
    }
    let selection = Selection {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let rules = match selection.apply(RULES) {
        Ok(r) => r,
        Err(unknown) => anyhow::bail!(
            "--select/--ignore: no rule matches {} (see `eksguard rules`)",
            unknown
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let opts = input::Options {
        max_bytes: args.max_file_size.saturating_mul(1024 * 1024),
    };
    let mut sources: Vec<input::Text> = Vec::new();
    if args.demo {
        sources.extend(
            demo::DEMO_FILES
                .iter()
                .map(|(p, t)| input::Text::embedded(p, t)),
        );
    }
    let mut inv = input::load(&args.paths, &opts, sources);
    inv.errors.sort();
    let report = engine::run(&inv, &rules, eksguard_core::VERSION);

    let format = match args.format {
        FormatArg::Table => Format::Table,
        FormatArg::Json => Format::Json,
        FormatArg::Sarif => Format::Sarif,
    };
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let text = report::render(&report, format, color);
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => write_stdout(&text)?,
    }
    if !report.errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    Ok(if report.fails(args.fail_on.into()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn pss(args: &PssArgs) -> Result<ExitCode> {
    if args.paths.is_empty() && !args.demo {
        anyhow::bail!(
            "nothing to evaluate: give files or folders (or `-` for standard input), or --demo"
        );
    }
    let opts = input::Options {
        max_bytes: args.max_file_size.saturating_mul(1024 * 1024),
    };
    let sources = if args.demo {
        demo::DEMO_FILES
            .iter()
            .map(|(p, t)| input::Text::embedded(p, t))
            .collect()
    } else {
        Vec::new()
    };
    let inv = input::load(&args.paths, &opts, sources);
    for e in &inv.errors {
        eprintln!("eksguard: {e}");
    }
    let json = matches!(args.format, CatalogFormat::Json);
    let code = if args.suggest {
        let s = pss::report::suggest(&inv, args.version);
        let text = if json {
            let mut t = serde_json::to_string_pretty(&serde_json::json!({ "namespaces": s }))?;
            t.push('\n');
            t
        } else {
            pss::report::render_suggestions(&s)
        };
        write_stdout(&text)?;
        ExitCode::SUCCESS
    } else {
        let level = match args.level {
            Some(PssLevel::Baseline) => Level::Baseline,
            Some(PssLevel::Restricted) | None => Level::Restricted,
        };
        let results = pss::report::evaluate_all(&inv, level, args.version);
        let text = if json {
            pss::report::render_json(&results)
        } else {
            pss::report::render_table(&results)
        };
        write_stdout(&text)?;
        if results.iter().any(|r| !r.allowed) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    };
    if !inv.errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    Ok(code)
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`eksguard scan ... | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

fn catalog(args: &RulesArgs) -> Result<()> {
    let text = match args.format {
        CatalogFormat::Json => {
            let mut s = serde_json::to_string_pretty(&serde_json::json!({
                "schema_version": engine::SCHEMA_VERSION,
                "rules": RULES,
            }))?;
            s.push('\n');
            s
        }
        CatalogFormat::Table => {
            use std::fmt::Write as _;
            let mut s = String::new();
            for r in RULES {
                let _ = writeln!(
                    s,
                    "{:<8} {:<9} {:<42} {}",
                    r.id, r.severity, r.name, r.summary
                );
            }
            let _ = write!(
                s,
                "\n{} rules. `eksguard explain ID` shows one rule's documentation.\n",
                RULES.len()
            );
            s
        }
    };
    write_stdout(&text)
}

fn explain(query: &str) -> Result<ExitCode> {
    let found = rules::find(query);
    if found.is_empty() {
        eprintln!(
            "eksguard: no rule matches `{query}` (by id, name, or a peer tool's id); see `eksguard rules`"
        );
        return Ok(ExitCode::from(2));
    }
    let mut text = String::new();
    for (i, r) in found.iter().enumerate() {
        if i > 0 {
            text.push_str("\n---\n\n");
        }
        text.push_str(&eksguard_core::rule::explain(r));
    }
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}
