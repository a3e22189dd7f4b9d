//! eksguard: make Amazon EKS clusters secure and keep them so.
//!
//! The binary is wiring: it parses the command line, reads inputs, runs the pure core and
//! prints. Every check lives in `eksguard-core`.

mod detect_cmd;
mod input;
mod live;
mod netpol_cmd;
mod policy;
mod rbac_cmd;
mod serve_cmd;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use eksguard_core::config::{self, Config, Date};
use eksguard_core::engine::{self, Baseline, Selection};
use eksguard_core::framework::{self, Framework};
use eksguard_core::pss::{self, Level, Version};
use eksguard_core::report::{self, Format};
use eksguard_core::rule::Severity;

mod demo {
    include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));
}

const AFTER_HELP: &str = "\
Examples:
  eksguard scan --demo                      scan the built-in demo cluster
  eksguard scan manifests/ cluster.json     scan files and folders (YAML, JSON, AWS CLI output)
  kubectl get all,roles,rolebindings -A -o yaml | eksguard scan -
  eksguard scan demo/ --format sarif --output eksguard.sarif
  eksguard scan demo/ --framework cis-eks-1.8   every CIS EKS v1.8 control: pass, fail, manual, not evaluated
  eksguard scan k8s/ --baseline main.json   only findings absent from main.json fail the run
  eksguard rbac who-can create pods/exec --demo
                                            who can exec into pods, through which binding
  eksguard explain POD001                   what a rule checks and how to fix it
  eksguard explain CKV_K8S_16               find our rule by a peer tool's id
  eksguard scan k8s/ --policy examples/policies   add your own Rego policies (docs/policies.md)
  eksguard netpol reach shop/web shop/db --port 5432 manifests/
  eksguard detect audit.jsonl               threats in Kubernetes audit logs (see `eksguard detect --help`)

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
    /// NetworkPolicy analysis: may one workload reach another?
    Netpol(netpol_cmd::NetpolArgs),
    /// Ask the RBAC analysis: who can do what, through which binding and role.
    #[command(subcommand)]
    Rbac(rbac_cmd::RbacCommand),
    /// Detect threats in Kubernetes audit logs (GuardDuty's and Falco's audit-log detections and more).
    #[command(after_help = detect_cmd::DETECT_HELP)]
    Detect(detect_cmd::DetectArgs),
    /// Run the validating admission webhook: rules, Pod Security and Rego policies at
    /// admission, enforce / audit / warn per namespace (`serve certs` makes its certificates).
    #[command(after_help = serve_cmd::SERVE_HELP)]
    Serve(serve_cmd::ServeArgs),
    /// Save everything a live scan reads (Kubernetes objects, AWS API output) as files that
    /// `eksguard scan DIR` reads: reproduce a scan offline, or attach it to a bug report.
    #[command(after_help = SNAPSHOT_HELP)]
    Snapshot(SnapshotArgs),
    /// List the rule catalog.
    Rules(RulesArgs),
    /// Explain one rule: what it checks, why it matters, how to fix it, its peers' ids.
    Explain {
        /// A rule id (POD001), name (privileged-container), or a peer tool's id (CKV_K8S_16, C-0057, 5.4.2).
        query: String,
        /// Also know the rules of the Rego policies in DIR (repeatable).
        #[arg(long = "policy", value_name = "DIR")]
        policies: Vec<PathBuf>,
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

Secret values are never read into the report: Secret objects are loaded without their data.

Suppressing a finding always takes a reason, and suppressed findings stay in the JSON and SARIF
reports. On an object:
  metadata:
    annotations:
      eksguard.io/ignore: \"POD002,POD003\"            # rule ids, names, or a peer's id (CKV_K8S_17)
      eksguard.io/ignore-reason: \"node-exporter reads host metrics\"
(on a Namespace, it covers every object in it). Or in eksguard.toml:
  [[exception]]
  rules = [\"POD002\"]
  namespaces = [\"monitoring\"]                          # glob patterns; omitted: any
  resources = [\"node-exporter*\"]
  reason = \"node-exporter reads host metrics\"
  expires = 2027-03-31                                   # expired exceptions are reported
An unknown rule id in --select, --ignore, eksguard.toml or an annotation is an error.

--policy DIR adds the Rego policies of DIR (every .rego file, see docs/policies.md): their
findings go through the same suppressions, baseline, --fail-on and formats, and their rule ids
may be named wherever built-in ids are.";

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

    /// Run only these rules, comma-separated: ids (POD001), names (privileged-container), peer
    /// tools' ids (CKV_K8S_16, C-0057, 4.2.1), domains (pod, rbac) or id prefixes (RBAC00).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,

    /// Skip these rules, comma-separated, in the same forms as --select.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,

    /// When to colour the table.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,

    /// Largest input file, in MiB; bigger files are reported as errors, not read.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    max_file_size: u64,

    /// Configuration: rule selection, severity overrides and exceptions (default: ./eksguard.toml
    /// when it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Ignore ./eksguard.toml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,

    /// A previous JSON report: findings already in it are still listed but only new ones fail
    /// the run (adopt eksguard in CI without fixing everything first).
    #[arg(long, value_name = "REPORT.json")]
    baseline: Option<PathBuf>,

    /// Report as a compliance framework: every control as pass / fail / manual / not evaluated.
    #[arg(long, value_name = "FRAMEWORK", value_parser = parse_framework)]
    framework: Option<Framework>,

    /// Judge exception expiry dates as of this day (YYYY-MM-DD; default: today, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<Date>,

    /// Also evaluate the Rego policies of DIR (every .rego file under it; repeatable).
    #[arg(long = "policy", value_name = "DIR")]
    policies: Vec<PathBuf>,

    /// Time a policy may spend on one object before it is stopped (an error), in milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    policy_budget: u64,

    #[command(flatten)]
    live: live::LiveArgs,
}

fn parse_framework(s: &str) -> Result<Framework, String> {
    s.parse()
}

fn parse_date(s: &str) -> Result<Date, String> {
    s.parse()
}

/// Today's date in UTC.
pub(crate) fn today_utc() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_unix_days(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// The configuration: `--config FILE`, else `./eksguard.toml` if present, else none. Its ids
/// may name the rules `extra` (those of `--policy`).
pub(crate) fn load_config(
    config: Option<&std::path::Path>,
    no_config: bool,
    extra: &[&'static eksguard_core::Rule],
) -> Result<Config> {
    let path = match (config, no_config) {
        (Some(p), _) => p.to_path_buf(),
        (None, true) => return Ok(Config::empty().with_rules(extra)),
        (None, false) => {
            let p = PathBuf::from("eksguard.toml");
            if !p.is_file() {
                return Ok(Config::empty().with_rules(extra));
            }
            p
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the configuration {}", path.display()))?;
    config::parse_with_rules(&path.display().to_string(), &text, extra).map_err(|errors| {
        anyhow::anyhow!(
            "invalid configuration:\n{}",
            errors
                .iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

const SNAPSHOT_HELP: &str = "\
The snapshot holds Kubernetes `List` JSON under kubernetes/, AWS CLI-shaped JSON under aws/, each
node's kubelet configuration under kubelet/ (with --kubelet-config), and eksguard-snapshot.json,
which records what could not be read, so that `eksguard scan DIR` reports the same findings and
the same not-evaluated rules as the live scan. Secret values are never read, so never saved.

Examples:
  eksguard snapshot --out prod-2026-11-23/
  eksguard snapshot --out snap/ --context prod --profile audit --region eu-west-1
  eksguard scan prod-2026-11-23/";

#[derive(Args, Debug)]
struct SnapshotArgs {
    /// The folder to write (created if missing).
    #[arg(long, short, value_name = "DIR")]
    out: PathBuf,

    #[command(flatten)]
    live: live::LiveArgs,
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

    /// Also list the rules of the Rego policies in DIR (repeatable).
    #[arg(long = "policy", value_name = "DIR")]
    policies: Vec<PathBuf>,
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
        Command::Netpol(args) => netpol_cmd::run(&args),
        Command::Rbac(cmd) => rbac_cmd::run(&cmd),
        Command::Detect(args) => detect_cmd::detect(&args),
        Command::Serve(args) => serve_cmd::serve(&args),
        Command::Snapshot(args) => snapshot(&args),
        Command::Rules(args) => catalog(&args).map(|()| ExitCode::SUCCESS),
        Command::Explain { query, policies } => explain(&query, &policies),
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
    let policies = policy::load(&args.policies)?;
    let config = load_config(args.config.as_deref(), args.no_config, policies.rules())?;
    let baseline = match &args.baseline {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the baseline {}", p.display()))?;
            Some(
                Baseline::parse(&p.display().to_string(), &text)
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
            )
        }
        None => None,
    };
    if args.framework.is_some() && matches!(args.format, FormatArg::Sarif) {
        anyhow::bail!("--framework reports as a table or JSON, not SARIF");
    }
    // Audit rules judge events, not configuration: `eksguard detect` runs them.
    let catalog = policies.catalog();
    let posture: Vec<&'static eksguard_core::Rule> = catalog
        .iter()
        .copied()
        .filter(|r| !eksguard_core::detect::is_audit_rule(r))
        .collect();
    let selection = Selection::merged(
        &args.select,
        &args.ignore,
        &config.select,
        &config.ignore,
        &posture,
    );
    let rules = match selection.apply(&posture) {
        Ok(r) => r,
        Err(unknown) => anyhow::bail!(
            "--select/--ignore: {} (see `eksguard rules`)",
            unknown_tokens(&unknown, &catalog, "scan")
        ),
    };
    let opts = input::Options {
        max_bytes: args.max_file_size.saturating_mul(1024 * 1024),
    };
    let mut inv = live::read(&args.paths, args.demo, &args.live, &opts)?;
    inv.errors.sort();
    // Rules are pure and independent: run them on every core, then assemble in catalog order.
    let rules = engine::scan_rules(&rules);
    let budget = std::time::Duration::from_millis(args.policy_budget);
    let (rules, outcomes) = policies.run(&mut inv, &rules, budget);
    let report = engine::finish(
        &inv,
        &rules,
        outcomes,
        eksguard_core::VERSION,
        engine::Options {
            config: &config,
            today: Some(args.today.unwrap_or_else(today_utc)),
            baseline: baseline.as_ref(),
        },
    );

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
    let text = match args.framework {
        Some(fw) => {
            let view = framework::view(fw, &report);
            if matches!(args.format, FormatArg::Json) {
                framework::render_json(&view)
            } else {
                framework::render_table(&view)
            }
        }
        None => report::render(&report, format, color),
    };
    if !report.errors.is_empty() && args.framework.is_some() {
        for e in &report.errors {
            eprintln!("eksguard: {e}");
        }
    }
    match &args.output {
        Some(path) => std::fs::write(path, &text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => write_stdout(&text)?,
    }
    let code = if !report.errors.is_empty() {
        ExitCode::from(2)
    } else if report.fails(args.fail_on.into()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: freeing the inventory, the report and its text one allocation at
    // a time would cost a tenth of a large scan, and the operating system takes it all back at
    // once anyway.
    std::mem::forget((inv, report, text));
    Ok(code)
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

fn snapshot(args: &SnapshotArgs) -> Result<ExitCode> {
    if args.out.is_file() {
        anyhow::bail!("--out {}: is a file; give a folder", args.out.display());
    }
    let gathered = live::gather(&args.live)?;
    live::print_summary(&gathered);
    let written = gathered
        .write_snapshot(&args.out, eksguard_core::VERSION)
        .with_context(|| format!("cannot write the snapshot to {}", args.out.display()))?;
    let requests: u64 = gathered.requests.values().sum();
    eprintln!(
        "eksguard: wrote {written} file(s) to {} ({requests} API request(s)); scan it with `eksguard scan {}`",
        args.out.display(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
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
    let policies = policy::load(&args.policies)?;
    let rules = policies.catalog();
    let text = match args.format {
        CatalogFormat::Json => {
            let mut s = serde_json::to_string_pretty(&serde_json::json!({
                "schema_version": engine::SCHEMA_VERSION,
                "rules": rules,
            }))?;
            s.push('\n');
            s
        }
        CatalogFormat::Table => {
            use std::fmt::Write as _;
            let mut s = String::new();
            for r in &rules {
                let _ = writeln!(
                    s,
                    "{:<8} {:<9} {:<42} {}",
                    r.id, r.severity, r.name, r.summary
                );
            }
            let _ = write!(
                s,
                "\n{} rules. `eksguard explain ID` shows one rule's documentation.\n",
                rules.len()
            );
            s
        }
    };
    write_stdout(&text)
}

/// Why `--select`/`--ignore` tokens name nothing `verb` runs: a token naming only rules of
/// another verb says which (audit rules run in `detect`, the others in `scan`).
pub(crate) fn unknown_tokens(
    unknown: &[String],
    catalog: &[&'static eksguard_core::Rule],
    verb: &str,
) -> String {
    unknown
        .iter()
        .map(|u| {
            let elsewhere = eksguard_core::select::resolve(u, catalog);
            if elsewhere.is_empty() {
                format!("no rule matches `{u}`")
            } else if elsewhere
                .iter()
                .all(|r| eksguard_core::detect::is_audit_rule(r))
            {
                format!("`{u}` names audit rules, which `eksguard detect` runs, not `{verb}`")
            } else {
                format!("`{u}` names no rule `eksguard {verb}` runs (they run in `eksguard scan`)")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn explain(query: &str, policies: &[PathBuf]) -> Result<ExitCode> {
    let policies = policy::load(policies)?;
    let found = policy::find(query, &policies);
    if found.is_empty() {
        eprintln!(
            "eksguard: no rule matches `{query}` (by id, name, peer tool's id, domain or id prefix); see `eksguard rules`"
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
