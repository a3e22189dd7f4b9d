//! `eksguard detect`: threat detection from Kubernetes audit logs. Wiring only: sources feed
//! the pure engine of `eksguard_core::detect`, which this prints and checkpoints.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use eksguard_core::config::Date;
use eksguard_core::detect::{self, Engine, Feed, Options, Position, State, ThreatIntel};
use eksguard_core::engine::Selection;
use eksguard_core::inventory::LoadError;
use eksguard_core::report::{self, Format};
use eksguard_core::rule::{Rule, Severity};
use eksguard_core::rules::RULES;
use eksguard_sources::cloudwatch::{AuditLogs, CloudWatchError, CloudWatchOptions, StreamPosition};

pub const DETECT_HELP: &str = "\
Inputs are recognised by content, never by name: audit.k8s.io/v1 Events as JSON lines, gzip of
them, CloudWatch Logs CLI output (`aws logs filter-log-events` / `get-log-events`, events[].message),
CloudWatch Logs subscription records (logEvents[].message, one a line), an EventList (items[]) or a
JSON array of events. A UTF-8 byte-order mark is ignored. Each line, and each record of a JSON
document, stands alone: one that is malformed, or longer than --max-line-size (skipped without
being held in memory), is reported with its file, line and index (events[3]) and the rest is read.
Errors name the field and the type it should have, never a value.

Detectors are the AUD rules of the catalog (`eksguard rules`, `eksguard explain AUD006`, or by a
peer's id: `eksguard explain Execution:Kubernetes/ExecInKubeSystemPod`). Event time drives every
window; repeated occurrences aggregate into one finding with a count, first and last seen, and
evidence (audit IDs, users, groups, source IPs, user agents, verbs, objects, response codes).

Examples:
  eksguard detect audit.jsonl                          one file, table on the terminal
  aws logs filter-log-events --log-group-name /aws/eks/prod/cluster \\
      --log-stream-name-prefix kube-apiserver-audit > audit.json && eksguard detect audit.json
  zcat -f audit-*.gz | eksguard detect - -f jsonl      one JSON finding a line, for a SIEM
  eksguard detect audit.jsonl -f json -o report.json   the versioned JSON report of `scan`
  eksguard detect --threat-intel tor.txt --threat-intel bad.txt audit.jsonl
      threat lists: `IP_OR_CIDR [LIST]` a line; list `tor` maps to TorIPCaller, others to MaliciousIPCaller
  eksguard detect --follow --state detect.state /var/log/kube-audit.jsonl -f jsonl
      tail a growing file; after a crash (even kill -9) the same command resumes where the last
      checkpoint stopped: no event is lost and none is counted twice
  eksguard detect audit.jsonl --select AUD006,AUD035 --fail-on high

Anomaly detection (AUD037-AUD039) learns each identity's habits during --warmup-hours of event
time (or from a --state file that already holds them): verbs, verb-resource pairs, namespaces,
client programs, source networks and sensitive actions. Afterwards it reports first-seen sensitive
actions, sensitive actions with a new verb or in a new namespace, and new networks or clients.

Followed files may rotate (renamed, recreated, compressed): the rest of the old file is read from
the handle kept open, or found beside the path by inode after a restart, before the new file is
read from its start. See docs/detect.md.

Live from CloudWatch Logs: `eksguard detect --cloudwatch --cluster prod --region eu-west-1
--state detect.state [--follow]` reads the kube-apiserver-audit-* streams of the log group
(`--log-group`, default /aws/eks/CLUSTER/cluster) through the AWS SDK with the standard
credential chain (or --profile); it needs logs:DescribeLogStreams and logs:GetLogEvents on the
group. Each stream's position (last event timestamp, events consumed at it) is kept in the
--state file, so the next run or a restart after a crash reads only the events not yet counted.
AWS_ENDPOINT_URL is honoured. Malformed events are reported by stream and by their order in
the run.

Secret values are never printed: findings name secrets and ConfigMap keys, not their contents.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage, or an input
that could not be read: not opened, a corrupt gzip stream, or a JSON document cut short or broken
outside its records (every record before the break is read and reported). Malformed lines and
records alone do not change the exit code.";

#[derive(Args, Debug)]
pub struct DetectArgs {
    /// Audit-log files (`-` reads standard input).
    #[arg(value_name = "FILE", required_unless_present = "cloudwatch")]
    paths: Vec<PathBuf>,

    /// Read live from CloudWatch Logs (the kube-apiserver-audit-* streams of --log-group)
    /// through the AWS SDK, resuming from --state.
    #[arg(long)]
    cloudwatch: bool,

    /// The cluster's log group (with --cloudwatch; default `/aws/eks/CLUSTER/cluster`).
    #[arg(long, value_name = "NAME", requires = "cloudwatch")]
    log_group: Option<String>,

    /// EKS cluster name: its log group is `/aws/eks/NAME/cluster` (with --cloudwatch).
    #[arg(long, value_name = "NAME", requires = "cloudwatch")]
    cluster: Option<String>,

    /// AWS profile (with --cloudwatch; default: the standard credential chain).
    #[arg(long, value_name = "NAME", requires = "cloudwatch")]
    profile: Option<String>,

    /// AWS region (with --cloudwatch; default: the profile's or AWS_REGION).
    #[arg(long, value_name = "REGION", requires = "cloudwatch")]
    region: Option<String>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = DetectFormat::Table)]
    format: DetectFormat,

    /// Write the output to FILE instead of standard output. With --follow and a --state to
    /// resume, FILE is appended to: cut back to what the last checkpoint accounts for, so a
    /// restart after a crash neither loses nor repeats a line.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Exit with 1 when a finding has this severity or worse.
    #[arg(long, value_enum, default_value_t = crate::SeverityArg::Info, value_name = "SEVERITY")]
    fail_on: crate::SeverityArg,

    /// Configuration (default: ./eksguard.toml when it exists). detect applies its severity
    /// overrides and exceptions of AUD rules (by identity or object name, namespace and kind),
    /// and its select/ignore entries that name AUD rules.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Ignore ./eksguard.toml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,

    /// Judge exception expiry dates as of this day (YYYY-MM-DD; default: today, UTC).
    #[arg(long, value_name = "DATE", value_parser = crate::parse_date)]
    today: Option<Date>,

    /// Run only these detectors, comma-separated: ids (AUD006), names, GuardDuty finding types
    /// or other peer ids, the domain (aud) or id prefixes (AUD00).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,

    /// Skip these detectors, comma-separated, in the same forms as --select.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,

    /// Keep reading the files as they grow (like `tail -f`), and poll CloudWatch Logs for new
    /// events (with --cloudwatch), printing findings as they appear or grow. Stop with Ctrl-C;
    /// with --state, nothing is lost.
    #[arg(long)]
    follow: bool,

    /// Checkpoint file: input positions (file offsets, CloudWatch stream positions) and all
    /// detection state, written atomically. An existing
    /// file is resumed from.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,

    /// Lines between checkpoints (with --state).
    #[arg(long, default_value_t = 10_000, value_name = "LINES")]
    checkpoint_every: u64,

    /// Threat list: one IP or CIDR a line, optionally followed by a list name (`tor`,
    /// `malicious`, ...; default: the file name). Repeatable.
    #[arg(long, value_name = "FILE")]
    threat_intel: Vec<PathBuf>,

    /// Hours of event time anomaly detection learns before it reports.
    #[arg(long, default_value_t = 24, value_name = "HOURS")]
    warmup_hours: u32,

    /// Longest accepted line, and longest record of a JSON document (a CloudWatch event, an
    /// EventList item, a pretty-printed event), in MiB.
    #[arg(long, default_value_t = 4, value_name = "MIB")]
    max_line_size: usize,

    /// Seconds between polls of followed files.
    #[arg(long, default_value_t = 1.0, value_name = "SECONDS", hide = true)]
    poll_interval: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DetectFormat {
    /// A readable table with evidence.
    Table,
    /// One finding a line (JSON), for log pipelines and SIEMs.
    Jsonl,
    /// The versioned JSON report, as `scan --format json` writes it.
    Json,
}

/// Where audit events come from: files, standard input, and CloudWatch Logs
/// (`--cloudwatch`), which keeps one `Position` per log stream (offset: last event timestamp in
/// ms; line: events consumed at that timestamp) in the same state file, and feeds each
/// event's message through `Engine::process_line`.
trait EventSource {
    /// The key of this source in the state file and in messages.
    fn name(&self) -> &str;
    /// Feed what is available now, from the engine's recorded position.
    fn poll(
        &mut self,
        engine: &mut Engine,
        follow: bool,
        every: u64,
        checkpoint: &mut dyn FnMut(&mut Engine) -> io::Result<()>,
    ) -> Result<()>;
}

struct FileSource {
    path: PathBuf,
    name: String,
    /// While following: the file last read and its id, kept open so that lines written to it
    /// just before a rotation are still read after it is renamed, compressed or deleted.
    held: Option<(File, u64)>,
}

/// A file's identity: its inode (None where there is none).
#[cfg(unix)]
#[allow(clippy::unnecessary_wraps)] // the same signature as the non-Unix version
fn file_id(meta: &std::fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.ino())
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> Option<u64> {
    None
}

/// The file with identity `id` beside `path`: where a rotation moved it (`audit.log.1`, or
/// the kube-apiserver's `audit-2026-11-23T10-00-00.000.log`).
fn find_rotated(path: &Path, id: u64) -> Option<File> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .find(|e| {
            e.metadata()
                .is_ok_and(|m| m.is_file() && file_id(&m) == Some(id))
        })
        .and_then(|e| File::open(e.path()).ok())
}

impl FileSource {
    fn new(path: PathBuf) -> Self {
        let name = path.display().to_string();
        Self {
            path,
            name,
            held: None,
        }
    }

    /// Feed `file` from the engine's position for this source. `complete`: the file will not
    /// grow any more (rotated away, or not following), so a last line without its line break
    /// counts.
    fn read(
        &self,
        engine: &mut Engine,
        file: &mut File,
        complete: bool,
        every: u64,
        checkpoint: &mut dyn FnMut(&mut Engine) -> io::Result<()>,
    ) -> Result<()> {
        let len = file.metadata().map_or(0, |m| m.len());
        let pos = engine.position(&self.name);
        file.seek(SeekFrom::Start(0))?;
        let gzip = {
            let mut magic = [0u8; 2];
            let n = io::Read::read(file, &mut magic).unwrap_or(0);
            n == 2 && magic == [0x1f, 0x8b]
        };
        if !gzip && pos.offset > len {
            // Truncated in place (copytruncate rotation): start again from its beginning.
            engine.set_position(
                &self.name,
                Position {
                    file_id: pos.file_id,
                    ..Position::default()
                },
            );
        } else if !gzip && pos.offset == len && !complete {
            return Ok(());
        }
        let pos = engine.position(&self.name);
        // Plain files resume by seeking; gzip is decompressed from its start and `feed` skips
        // the decompressed bytes before the recorded offset.
        file.seek(SeekFrom::Start(if gzip { 0 } else { pos.offset }))?;
        detect::feed(
            engine,
            &self.name,
            file,
            Feed {
                resume: true,
                follow: !complete,
                checkpoint_every: every,
            },
            checkpoint,
        )
        .context("cannot read")?;
        Ok(())
    }
}

impl EventSource for FileSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn poll(
        &mut self,
        engine: &mut Engine,
        follow: bool,
        every: u64,
        checkpoint: &mut dyn FnMut(&mut Engine) -> io::Result<()>,
    ) -> Result<()> {
        let mut file = File::open(&self.path).context("cannot open")?;
        let id = file.metadata().ok().as_ref().and_then(file_id);
        let pos = engine.position(&self.name);
        match (pos.file_id, id) {
            (Some(old), Some(new)) if old != new => {
                // The path names another file now: it was rotated. Finish the old file from
                // where reading stopped, then read the new one from its start.
                let previous = match self.held.take() {
                    Some((f, held)) if held == old => Some(f),
                    _ => find_rotated(&self.path, old),
                };
                match previous {
                    Some(mut f) => self.read(engine, &mut f, true, every, checkpoint)?,
                    None => eprintln!(
                        "eksguard: {}: the file was rotated and its previous file (inode {old}) is no longer beside it; lines written to that file after byte {} were not read",
                        self.name, pos.offset
                    ),
                }
                engine.set_position(
                    &self.name,
                    Position {
                        file_id: Some(new),
                        ..Position::default()
                    },
                );
            }
            (None, Some(_)) => engine.set_position(&self.name, Position { file_id: id, ..pos }),
            _ => {}
        }
        self.read(engine, &mut file, !follow, every, checkpoint)?;
        if follow && let Some(id) = id {
            self.held = Some((file, id));
        }
        Ok(())
    }
}

struct StdinSource;

impl EventSource for StdinSource {
    fn name(&self) -> &'static str {
        "-"
    }

    fn poll(
        &mut self,
        engine: &mut Engine,
        _follow: bool,
        every: u64,
        checkpoint: &mut dyn FnMut(&mut Engine) -> io::Result<()>,
    ) -> Result<()> {
        detect::feed(
            engine,
            "-",
            io::stdin().lock(),
            Feed {
                resume: false,
                follow: false,
                checkpoint_every: every,
            },
            checkpoint,
        )
        .context("cannot read standard input")?;
        Ok(())
    }
}

/// The audit streams of a CloudWatch Logs group, through the AWS SDK.
struct CloudWatchSource {
    runtime: tokio::runtime::Runtime,
    logs: AuditLogs,
    name: String,
    /// Between polls when following.
    interval: Duration,
    last_poll: Option<Instant>,
}

impl CloudWatchSource {
    /// Connect and check that the group can be read, so that a missing group or a denied
    /// request fails the command at once.
    fn connect(args: &DetectArgs, group: String) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let name = group_key(&group);
        let mut opts = CloudWatchOptions::new(group);
        opts.profile.clone_from(&args.profile);
        opts.region.clone_from(&args.region);
        let logs = runtime.block_on(async {
            let mut logs = AuditLogs::connect(opts).await?;
            logs.streams().await?;
            Ok::<_, CloudWatchError>(logs)
        });
        let logs = logs.map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        Ok(Self {
            runtime,
            logs,
            name,
            interval: Duration::from_secs_f64(args.poll_interval.clamp(1.0, 300.0)),
            last_poll: None,
        })
    }
}

impl EventSource for CloudWatchSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn poll(
        &mut self,
        engine: &mut Engine,
        _follow: bool,
        every: u64,
        checkpoint: &mut dyn FnMut(&mut Engine) -> io::Result<()>,
    ) -> Result<()> {
        if self.last_poll.is_some_and(|t| t.elapsed() < self.interval) {
            return Ok(());
        }
        self.last_poll = Some(Instant::now());
        let logs = &mut self.logs;
        self.runtime.block_on(async {
            let group = logs.log_group().to_string();
            for stream in logs.streams().await? {
                let key = format!("{}:{stream}", group_key(&group));
                let pos = engine.position(&key);
                let from = StreamPosition {
                    timestamp: i64::try_from(pos.offset).unwrap_or(i64::MAX),
                    at_timestamp: pos.line,
                };
                let mut cursor = logs.cursor(stream, from);
                let mut since = 0u64;
                let mut read = 0u64;
                let mut last = from;
                while let Some(page) = logs.next_page(&mut cursor).await? {
                    for ev in page {
                        read += 1;
                        engine.process_message(&key, read, &ev.message);
                        last = ev.position;
                        since += 1;
                        if every > 0 && since >= every {
                            since = 0;
                            engine.set_position(&key, position_of(last));
                            checkpoint(engine)?;
                        }
                    }
                }
                if read > 0 {
                    engine.set_position(&key, position_of(last));
                    checkpoint(engine)?;
                }
            }
            Ok::<_, anyhow::Error>(())
        })?;
        Ok(())
    }
}

/// The state-file key prefix of a log group's streams.
fn group_key(group: &str) -> String {
    format!("cloudwatch:{group}")
}

fn position_of(p: StreamPosition) -> Position {
    Position {
        offset: u64::try_from(p.timestamp).unwrap_or(0),
        line: p.at_timestamp,
        file_id: None,
    }
}

fn load_intel(paths: &[PathBuf]) -> Result<ThreatIntel> {
    let mut intel = ThreatIntel::default();
    for p in paths {
        let text = std::fs::read_to_string(p)
            .with_context(|| format!("cannot read the threat list {}", p.display()))?;
        let default = p.file_stem().map_or_else(
            || "custom".to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        let (one, errors) = ThreatIntel::parse(&text, &default);
        for e in &errors {
            eprintln!("eksguard: {}:{}: {}", p.display(), e.line, e.message);
        }
        intel.extend(one);
    }
    Ok(intel)
}

/// Write `text` to `path` atomically: a temporary file in the same folder, synced, renamed.
fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = dir.join(name);
    {
        let mut f = File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

pub fn detect(args: &DetectArgs) -> Result<ExitCode> {
    let log_group = if args.cloudwatch {
        match (&args.log_group, &args.cluster) {
            (Some(g), _) => Some(g.clone()),
            (None, Some(c)) => Some(format!("/aws/eks/{c}/cluster")),
            (None, None) => anyhow::bail!(
                "--cloudwatch needs the log group: --log-group /aws/eks/NAME/cluster or --cluster NAME"
            ),
        }
    } else {
        None
    };
    if args.follow && args.format == DetectFormat::Json {
        anyhow::bail!(
            "--follow prints findings as they appear: use --format jsonl or table, not json"
        );
    }
    if args.follow && args.paths.iter().any(|p| p.as_os_str() == "-") {
        anyhow::bail!("--follow reads files, not standard input");
    }
    let audit: Vec<&'static Rule> = RULES
        .iter()
        .copied()
        .filter(|r| detect::is_audit_rule(r))
        .collect();
    let config = crate::load_config(args.config.as_deref(), args.no_config, &[])?;
    let selection = Selection::merged(
        &args.select,
        &args.ignore,
        &config.select,
        &config.ignore,
        &audit,
    );
    let rules = selection.apply(&audit).map_err(|unknown| {
        anyhow::anyhow!(
            "--select/--ignore: {} (see `eksguard rules`)",
            crate::unknown_tokens(&unknown, RULES, "detect")
        )
    })?;
    let opts = Options {
        max_line: args.max_line_size.saturating_mul(1024 * 1024).max(1024),
        warmup_secs: i64::from(args.warmup_hours) * 3600,
        intel: load_intel(&args.threat_intel)?,
        ..Options::default()
    };
    let mut engine = Engine::new(&rules, opts);
    engine.configure(config, Some(args.today.unwrap_or_else(crate::today_utc)));
    let mut state_restored = false;
    if let Some(path) = &args.state
        && path.exists()
    {
        state_restored = true;
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the state file {}", path.display()))?;
        let state: State = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an eksguard detect state file", path.display()))?;
        engine
            .restore(state)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    let mut sources: Vec<Box<dyn EventSource>> = args
        .paths
        .iter()
        .map(|p| -> Box<dyn EventSource> {
            if p.as_os_str() == "-" {
                Box::new(StdinSource)
            } else {
                Box::new(FileSource::new(p.clone()))
            }
        })
        .collect();
    if let Some(group) = log_group {
        sources.push(Box::new(CloudWatchSource::connect(args, group)?));
    }

    let state_path = args.state.clone();
    let follow = args.follow;
    let format = args.format;
    let mut out = match &args.output {
        Some(p) => Output::open(p, follow, state_restored, engine.output_mark())?,
        None => Output::default(),
    };
    // In --follow, findings are printed at each checkpoint, before the state is written: a
    // crash between the two repeats an update rather than losing it, and the state records how
    // far the output file went, so a restart cuts the repeated part off before writing it again.
    let emit = |engine: &mut Engine, out: &mut Output| -> io::Result<()> {
        if follow {
            let updates = engine.take_updates();
            if !updates.is_empty() {
                let mut text = String::new();
                match format {
                    DetectFormat::Table => report::audit::table(&updates, &mut text),
                    _ => report::audit::jsonl(&updates, &mut text),
                }
                out.write(&text)?;
                out.sync()?;
            }
            engine.set_output_mark(out.mark());
        }
        if let Some(p) = &state_path {
            let text = serde_json::to_string(&engine.state()).map_err(io::Error::other)?;
            write_atomically(p, &text)?;
        }
        Ok(())
    };
    let every = if state_path.is_some() || follow {
        args.checkpoint_every.max(1)
    } else {
        0
    };
    let mut failed: Vec<LoadError> = Vec::new();
    loop {
        for s in &mut sources {
            let r = s.poll(&mut engine, follow, every, &mut |e| emit(e, &mut out));
            if let Err(e) = r {
                let broken = e
                    .chain()
                    .filter_map(|c| c.downcast_ref::<io::Error>())
                    .find_map(|io| io.get_ref()?.downcast_ref::<detect::Unreadable>());
                let (line, message) = match broken {
                    Some(b) => (
                        u32::try_from(b.line).ok(),
                        format!(
                            "cannot read past this line: {}; every record before it was read",
                            b.message
                        ),
                    ),
                    None => (None, format!("{e:#}")),
                };
                match line {
                    Some(l) => eprintln!("eksguard: {}:{l}: {message}", s.name()),
                    None => eprintln!("eksguard: {}: {message}", s.name()),
                }
                failed.push(LoadError {
                    path: s.name().to_string(),
                    line,
                    message,
                });
            }
        }
        if !follow {
            break;
        }
        std::thread::sleep(Duration::from_secs_f64(
            args.poll_interval.clamp(0.05, 60.0),
        ));
    }

    let stats = engine.stats().clone();
    for m in engine.malformed().iter().take(20) {
        eprintln!("eksguard: {}:{}: {}", m.source, m.line, m.message);
    }
    if stats.malformed > 20 {
        eprintln!(
            "eksguard: ... {} malformed lines in all (the JSON report lists the first 1000)",
            stats.malformed
        );
    }
    let mut report = engine.report(eksguard_core::VERSION, Vec::new());
    let failed_inputs = failed.len();
    report.summary.errors += failed_inputs;
    report.errors.extend(failed);
    for e in &report.expired_exceptions {
        eprintln!(
            "eksguard: {}:{}: exception for {} expired on {}; it hides nothing any more",
            e.path,
            e.line,
            e.rules.join(", "),
            e.expires
        );
    }
    let findings = &report.findings;
    let mut text = String::new();
    match format {
        DetectFormat::Table => {
            report::audit::table(findings, &mut text);
            let suppressed = if report.suppressed.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} suppressed by eksguard.toml exceptions (listed in --format json)",
                    report.suppressed.len()
                )
            };
            let _ = writeln!(
                text,
                "{} findings from {} events ({} lines, {} malformed, {} duplicate stages skipped{suppressed}).",
                findings.len(),
                stats.events,
                stats.lines,
                stats.malformed,
                stats.duplicate_stages
            );
        }
        DetectFormat::Jsonl => report::audit::jsonl(findings, &mut text),
        DetectFormat::Json => text = report::render(&report, Format::Json, false),
    }
    out.write(&text).context("cannot write the output")?;
    if failed_inputs > 0 {
        return Ok(ExitCode::from(2));
    }
    let threshold: Severity = args.fail_on.into();
    Ok(if findings.iter().any(|f| f.severity >= threshold) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Where findings go: standard output, or `-o FILE` and how many bytes of it are written.
#[derive(Default)]
struct Output {
    file: Option<File>,
    path: String,
    len: u64,
    id: Option<u64>,
}

impl Output {
    /// Open `-o FILE`. A run that resumes a `--state` with `--follow` appends: the file is cut
    /// back to where the restored checkpoint left it (what was written after that checkpoint
    /// is written again as its events are read again), or kept whole when the checkpoint does
    /// not know this file. Any other run starts the file afresh.
    fn open(
        path: &Path,
        follow: bool,
        resumed: bool,
        mark: Option<&detect::OutputMark>,
    ) -> Result<Self> {
        let name = path.display().to_string();
        let cannot = || format!("cannot write {name}");
        if !(follow && resumed) {
            let f = File::create(path).with_context(cannot)?;
            let id = f.metadata().ok().as_ref().and_then(file_id);
            return Ok(Self {
                file: Some(f),
                path: name,
                len: 0,
                id,
            });
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .with_context(cannot)?;
        let meta = f.metadata().with_context(cannot)?;
        let id = file_id(&meta);
        if let Some(m) = mark
            && m.path == name
            && m.file_id == id
            && m.len <= meta.len()
            && meta.is_file()
        {
            f.set_len(m.len).with_context(cannot)?;
        }
        // A pipe or a device (`-o /dev/stdout`) is written to as it is.
        let len = if meta.is_file() {
            f.seek(SeekFrom::End(0)).with_context(cannot)?
        } else {
            0
        };
        Ok(Self {
            file: Some(f),
            path: name,
            len,
            id,
        })
    }

    fn write(&mut self, text: &str) -> io::Result<()> {
        if let Some(f) = &mut self.file {
            f.write_all(text.as_bytes())?;
            self.len += text.len() as u64;
            return Ok(());
        }
        let mut out = io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            other => other,
        }
    }

    /// Put what was written on disk (before the state that accounts for it); a pipe or a
    /// device has nothing to sync.
    fn sync(&self) -> io::Result<()> {
        match &self.file {
            Some(f) if f.metadata().is_ok_and(|m| m.is_file()) => f.sync_data(),
            _ => Ok(()),
        }
    }

    /// What a checkpoint records of the file.
    fn mark(&self) -> Option<detect::OutputMark> {
        self.file.as_ref().map(|_| detect::OutputMark {
            path: self.path.clone(),
            len: self.len,
            file_id: self.id,
        })
    }
}
