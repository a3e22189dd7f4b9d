//! `eksguard serve`: the validating admission webhook, and `eksguard serve certs`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand, ValueEnum};
use eksguard_core::config::AdmissionMode;
use eksguard_webhook::namespaces::{self, NamespaceCache};
use eksguard_webhook::policies::RegoPolicies;
use eksguard_webhook::review::{Namespaces, NoNamespaces, Reviewer, Settings};
use eksguard_webhook::server::{self, AppState, Limits, Log, LogLevel};
use eksguard_webhook::{certs, tls};
use serde_json::json;

pub const SERVE_HELP: &str = "\
Each request is judged by the object-scope rules of the catalog, by the Pod Security level its
namespace enforces (POD014, evaluated exactly as Pod Security Admission does) and by the Rego
policies of --policy (input source `admission`, with operation, user and namespace). What happens with the findings is set per namespace, like Pod Security
Admission, by labels whose value is a severity:

  eksguard.io/enforce: high     deny when a finding is high or critical
  eksguard.io/audit: medium     allow; record findings from medium up as audit annotations
  eksguard.io/warn: low         allow; return findings from low up as warnings to kubectl

Namespaces without these labels (and cluster-scoped objects) get --default-mode at --fail-on.
Namespace labels are watched through the Kubernetes API (the pod's service account in the
cluster, else --kubeconfig/--context); with --no-kube, or until the first list, every namespace
gets the default. An UPDATE is never denied for findings the old object already had (they are
warned). DELETE, CONNECT and subresources are not reviewed. dryRun requests are answered the same
way, without counting in the decision metrics.

eksguard.toml (--config) applies: severity overrides, exceptions, select/ignore, and a [serve]
table with default_mode, fail_on, exempt_namespaces, exempt_users, max_connections and
max_connections_per_source (flags win).

Under attack: at most --max-connections connections, --max-connections-per-source from one
client IP; each request head within --header-timeout, its body within --body-timeout, its review
within --deadline; at most --max-in-flight reviews at once (more are shed with 503), each within
a memory budget of 32 times its body plus 4 MiB (an object over it is denied in enforce mode).

Endpoints: POST /validate (AdmissionReview admission.k8s.io/v1), GET /healthz, /readyz, /metrics.
Logs are JSON lines on standard error. The certificate and key are reloaded when their files
change. deploy/webhook/ has the Deployment, Service and ValidatingWebhookConfiguration.

Examples:
  eksguard serve certs --out certs --dns eksguard-webhook.eksguard.svc
  eksguard serve --listen 0.0.0.0:8443 --tls-cert certs/tls.crt --tls-key certs/tls.key \\
      --policy examples/policies
  eksguard serve --tls-cert tls.crt --tls-key tls.key --default-mode enforce --fail-on critical \\
      --exempt-namespace kube-system --no-kube";

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ServeArgs {
    #[command(subcommand)]
    command: Option<ServeCommand>,

    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0:8443", value_name = "ADDR")]
    listen: SocketAddr,

    /// Serving certificate (PEM, with its chain); reloaded when it changes.
    #[arg(long, value_name = "FILE", required = true)]
    tls_cert: Option<PathBuf>,

    /// Private key of the certificate (PEM); reloaded when it changes.
    #[arg(long, value_name = "FILE", required = true)]
    tls_key: Option<PathBuf>,

    /// Mode of namespaces without eksguard.io/<mode> labels [default: warn, or [serve] in
    /// eksguard.toml].
    #[arg(long, value_enum, value_name = "MODE")]
    default_mode: Option<ModeArg>,

    /// Threshold of the default mode [default: high, or [serve] in eksguard.toml].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<crate::SeverityArg>,

    /// Namespaces whose requests are allowed without review (patterns with * and ?;
    /// repeatable) [default: kube-system, or [serve] in eksguard.toml].
    #[arg(long, value_name = "PATTERN")]
    exempt_namespace: Vec<String>,

    /// Users or groups whose requests are allowed without review (patterns; repeatable).
    #[arg(long, value_name = "PATTERN")]
    exempt_user: Vec<String>,

    /// Rego policies: every .rego file under DIR (repeatable; see docs/policies.md).
    #[arg(long = "policy", value_name = "DIR")]
    policies: Vec<PathBuf>,

    /// Time budget of each policy package per request, in milliseconds; past it the policy is
    /// stopped and the request is answered as unevaluable (denied in enforce mode).
    #[arg(long, default_value_t = 250, value_name = "MS")]
    policy_budget: u64,

    /// Configuration (default: ./eksguard.toml when it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Ignore ./eksguard.toml.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,

    /// Do not watch namespace labels: every namespace gets the default mode.
    #[arg(long)]
    no_kube: bool,

    /// Kubeconfig to watch namespaces with (default: in-cluster service account, else
    /// KUBECONFIG or ~/.kube/config).
    #[arg(long, value_name = "FILE", conflicts_with = "no_kube")]
    kubeconfig: Option<PathBuf>,

    /// Kubeconfig context.
    #[arg(long, value_name = "NAME", conflicts_with = "no_kube")]
    context: Option<String>,

    /// Seconds a review may take before the server answers 504 (keep it under the webhook's
    /// timeoutSeconds).
    #[arg(long, default_value_t = 4.0, value_name = "SECONDS")]
    deadline: f64,

    /// Largest AdmissionReview accepted, in MiB.
    #[arg(long, default_value_t = 8, value_name = "MIB")]
    max_body: usize,

    /// Reviews running at once; more are shed with 503.
    #[arg(long, default_value_t = 256, value_name = "N")]
    max_in_flight: usize,

    /// TLS connections served at once; more wait in the kernel's accept queue [default: 1024,
    /// or [serve] max_connections in eksguard.toml].
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,

    /// TLS connections served at once from one client IP, so that one source cannot take them
    /// all; more are closed at once [default: 256 (at most --max-connections), or [serve]
    /// max_connections_per_source in eksguard.toml].
    #[arg(long, value_name = "N")]
    max_connections_per_source: Option<usize>,

    /// Seconds for a TLS handshake, and then for each request head (or the idle wait for the
    /// next request on a kept-alive connection).
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    header_timeout: f64,

    /// Seconds for a request body once its head has arrived (else 408), and the longest an
    /// answer may stay unread by the client.
    #[arg(long, default_value_t = 5.0, value_name = "SECONDS")]
    body_timeout: f64,

    /// What is logged: warn (problems), info (also reviews with findings), debug (every review).
    #[arg(long, value_enum, default_value_t = LogArg::Info, value_name = "LEVEL")]
    log_level: LogArg,

    /// Seconds between checks of the certificate files.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    cert_check_interval: u64,
}

#[derive(Subcommand, Debug)]
enum ServeCommand {
    /// Generate a private CA and a serving certificate (ca.crt, tls.crt, tls.key) and print the
    /// caBundle for the ValidatingWebhookConfiguration.
    Certs(CertsArgs),
}

#[derive(Args, Debug)]
struct CertsArgs {
    /// Directory to write ca.crt, tls.crt and tls.key into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// DNS names of the webhook's Service (repeatable): SERVICE.NAMESPACE.svc at least.
    #[arg(long, value_name = "NAME", required = true)]
    dns: Vec<String>,

    /// Days the serving certificate is valid (the CA: ten times as long).
    #[arg(long, default_value_t = 365, value_name = "DAYS")]
    days: u32,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ModeArg {
    Enforce,
    Audit,
    Warn,
}

impl From<ModeArg> for AdmissionMode {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Enforce => AdmissionMode::Enforce,
            ModeArg::Audit => AdmissionMode::Audit,
            ModeArg::Warn => AdmissionMode::Warn,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogArg {
    Warn,
    Info,
    Debug,
}

pub fn serve(args: &ServeArgs) -> Result<ExitCode> {
    if let Some(ServeCommand::Certs(c)) = &args.command {
        let g = certs::generate(&c.out, &c.dns, c.days).map_err(anyhow::Error::msg)?;
        eprintln!(
            "eksguard: wrote {}, {} and {} (the key readable by its owner only)",
            g.ca_cert.display(),
            g.tls_cert.display(),
            g.tls_key.display()
        );
        eprintln!(
            "eksguard: the caBundle of the ValidatingWebhookConfiguration (webhooks[].clientConfig.caBundle):"
        );
        println!("{}", g.ca_bundle);
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
        anyhow::bail!("--tls-cert and --tls-key are required (eksguard serve certs makes a pair)");
    };
    let policies = crate::policy::load(&args.policies)?;
    let config = crate::load_config(args.config.as_deref(), args.no_config, policies.rules())?;
    let defaults = Settings::default();
    let settings = Settings {
        default_mode: args
            .default_mode
            .map(AdmissionMode::from)
            .or(config.serve.default_mode)
            .unwrap_or(defaults.default_mode),
        fail_on: args
            .fail_on
            .map(Into::into)
            .or(config.serve.fail_on)
            .unwrap_or(defaults.fail_on),
        exempt_namespaces: if !args.exempt_namespace.is_empty() {
            args.exempt_namespace.clone()
        } else if !config.serve.exempt_namespaces.is_empty() {
            config.serve.exempt_namespaces.clone()
        } else {
            defaults.exempt_namespaces
        },
        exempt_users: if args.exempt_user.is_empty() {
            config.serve.exempt_users.clone()
        } else {
            args.exempt_user.clone()
        },
    };
    let config_limits = (
        config.serve.max_connections,
        config.serve.max_connections_per_source,
    );
    let policy_rules = policies.rules().len();
    let mut reviewer = Reviewer::new(config, settings.clone(), Some(crate::today_utc()))
        .map_err(anyhow::Error::msg)?;
    if !policies.is_empty() {
        reviewer = reviewer.with_policies(Arc::new(RegoPolicies::new(
            policies,
            Duration::from_millis(args.policy_budget.max(1)),
        )));
    }
    let cert = Arc::new(tls::ReloadingCert::new(cert, key).map_err(anyhow::Error::msg)?);
    let tls_config = Arc::new(tls::server_config(cert.clone()).map_err(anyhow::Error::msg)?);
    let log = Arc::new(Log::stderr(match args.log_level {
        LogArg::Warn => LogLevel::Warn,
        LogArg::Info => LogLevel::Info,
        LogArg::Debug => LogLevel::Debug,
    }));
    let default_limits = Limits::default();
    let max_connections = args
        .max_connections
        .or(config_limits.0)
        .unwrap_or(default_limits.max_connections)
        .max(1);
    let limits = Limits {
        max_body: args.max_body.saturating_mul(1024 * 1024).max(64 * 1024),
        max_in_flight: args.max_in_flight.max(1),
        max_connections,
        max_connections_per_source: args
            .max_connections_per_source
            .or(config_limits.1)
            .unwrap_or(default_limits.max_connections_per_source)
            .clamp(1, max_connections),
        header_timeout: Duration::from_secs_f64(args.header_timeout.clamp(0.1, 300.0)),
        body_timeout: Duration::from_secs_f64(args.body_timeout.clamp(0.1, 300.0)),
        deadline: Duration::from_secs_f64(args.deadline.clamp(0.05, 30.0)),
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let cache = Arc::new(NamespaceCache::default());
        let namespaces: Arc<dyn Namespaces> = if args.no_kube {
            Arc::new(NoNamespaces)
        } else {
            cache.clone()
        };
        let state = Arc::new(AppState::new(
            Arc::new(reviewer),
            namespaces,
            limits,
            log.clone(),
        ));
        if args.no_kube {
            state.ready.store(true, Ordering::Release);
        } else {
            match namespaces::client(args.kubeconfig.as_deref(), args.context.as_deref()).await {
                Ok(client) => {
                    let (watched, log2, ready) =
                        (cache.clone(), log.clone(), state.ready.clone());
                    tokio::spawn(async move {
                        namespaces::watch(client, watched, |m| {
                            log2.write(LogLevel::Warn, m, json!({}));
                        })
                        .await;
                    });
                    // Ready once the first list is in.
                    let cache = cache.clone();
                    tokio::spawn(async move {
                        while !cache.synced() {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        ready.store(true, Ordering::Release);
                    });
                }
                Err(e) => {
                    log.write(
                        LogLevel::Warn,
                        "no cluster access: every namespace gets the default mode (pass --no-kube to say so)",
                        json!({"error": e}),
                    );
                    state.ready.store(true, Ordering::Release);
                }
            }
        }
        // Certificate reloads.
        {
            let (cert, log) = (cert.clone(), log.clone());
            let every = Duration::from_secs(args.cert_check_interval.max(1));
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    match cert.reload_if_changed() {
                        Ok(true) => log.write(LogLevel::Warn, "certificate reloaded", json!({})),
                        Ok(false) => {}
                        Err(e) => log.write(
                            LogLevel::Warn,
                            "certificate reload failed; the previous certificate is still served",
                            json!({"error": e}),
                        ),
                    }
                }
            });
        }
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        log.write(
            LogLevel::Warn,
            "serving",
            json!({
                "listen": listener.local_addr().map(|a| a.to_string()).unwrap_or_default(),
                "rules": state.reviewer.rules().len(),
                "policy_rules": policy_rules,
                "default_mode": settings.default_mode.as_str(),
                "fail_on": settings.fail_on.as_str(),
                "exempt_namespaces": settings.exempt_namespaces,
                "watch_namespaces": !args.no_kube,
                "max_connections": state.limits.max_connections,
                "max_connections_per_source": state.limits.max_connections_per_source,
            }),
        );
        if policy_rules > 0 && backtraces_captured() {
            log.write(
                LogLevel::Warn,
                "RUST_BACKTRACE is set: regorus then captures a backtrace for each error it handles internally, which slows policy evaluation; set RUST_LIB_BACKTRACE=0 to keep panic backtraces without that cost",
                json!({}),
            );
        }
        let app = server::router(state.clone());
        let limits = state.limits.clone();
        let ready = state.ready.clone();
        let shutdown = async move {
            shutdown_signal().await;
            ready.store(false, Ordering::Release);
        };
        server::serve_tls(listener, tls_config, app, limits, shutdown, log.clone()).await;
        log.write(LogLevel::Warn, "stopped", json!({}));
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM (what Kubernetes sends before stopping the pod).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Whether `std::backtrace::Backtrace::capture` (which anyhow calls for every error it creates)
/// captures: `RUST_LIB_BACKTRACE` decides, else `RUST_BACKTRACE`, as the standard library reads
/// them.
fn backtraces_captured() -> bool {
    let on = |v: std::ffi::OsString| v != "0";
    std::env::var_os("RUST_LIB_BACKTRACE")
        .map_or_else(|| std::env::var_os("RUST_BACKTRACE").is_some_and(on), on)
}
