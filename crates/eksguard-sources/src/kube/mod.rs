//! Live Kubernetes through `kube`.
//!
//! Every kind the rules read is listed once, cluster-wide (no per-namespace fan-out), page by
//! page with `limit`/`continue`, a few kinds at a time, each request under a timeout and retried
//! on throttling (429) and server errors. Responses are kept as the `List` JSON the loader reads:
//! one [`Document`] per page (`kubernetes/apps.v1.deployments.json`,
//! `kubernetes/v1.pods.2.json`, ...), so a live scan and a scan of its snapshot load the same.
//!
//! Secrets are listed as metadata only (`PartialObjectMetadataList`): their values are never
//! requested. A kind the credentials may not list is recorded as unavailable with the reason; a
//! custom resource the cluster does not serve is a note.

mod hint;
mod kinds;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use ::kube::config::{KubeConfigOptions, Kubeconfig};
use ::kube::{Client, Config};
use eksguard_core::inventory::Input;
use futures::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value};

pub use self::hint::{ClusterHint, cluster_hint, parse_eks_arn};
pub use self::kinds::{KINDS, KindSpec, NODES, SECRETS};
use crate::{Document, Gathered};

/// How to reach the cluster and how hard to push it.
#[derive(Debug, Clone)]
pub struct KubeOptions {
    /// Kubeconfig file; `KUBECONFIG` or `~/.kube/config` when `None`.
    pub kubeconfig: Option<PathBuf>,
    /// Context; the current context when `None`.
    pub context: Option<String>,
    /// Kinds (and nodes) read at the same time.
    pub concurrency: usize,
    /// Items per page (`limit`).
    pub page_size: u32,
    /// Time limit of each request.
    pub request_timeout: Duration,
    /// A progress bar on stderr (the caller decides whether stderr is a terminal).
    pub progress: bool,
    /// Read each node's kubelet configuration (`nodes/proxy`), which the default role does
    /// not grant.
    pub kubelet_configz: bool,
}

impl Default for KubeOptions {
    fn default() -> Self {
        Self {
            kubeconfig: None,
            context: None,
            concurrency: 8,
            page_size: 500,
            request_timeout: Duration::from_secs(30),
            progress: false,
            kubelet_configz: false,
        }
    }
}

/// Why no Kubernetes client could be built at all. Everything after that degrades per kind.
#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    #[error(
        "cannot read a kubeconfig ({0}); pass --kubeconfig, set KUBECONFIG, or run `aws eks update-kubeconfig --name CLUSTER`"
    )]
    Kubeconfig(String),
    #[error("the kubeconfig has no current context; pass --context")]
    NoCurrentContext,
    #[error("the kubeconfig has no context {0:?}")]
    NoContext(String),
    #[error("cannot build a Kubernetes client for context {context:?}: {message}")]
    Client { context: String, message: String },
}

/// Read the cluster of the kubeconfig context: everything the rules need, and what the context
/// tells about the EKS cluster behind it.
pub async fn gather(opts: &KubeOptions) -> Result<(Gathered, ClusterHint), KubeError> {
    let (client, hint, user) = connect(opts).await?;
    let gathered = gather_with(&client, &user, opts).await;
    Ok((gathered, hint))
}

/// Build a client for the context `opts` names.
async fn connect(opts: &KubeOptions) -> Result<(Client, ClusterHint, String), KubeError> {
    let kubeconfig = match &opts.kubeconfig {
        Some(path) => Kubeconfig::read_from(path)
            .map_err(|e| KubeError::Kubeconfig(format!("{}: {e}", path.display()))),
        None => Kubeconfig::read().map_err(|e| KubeError::Kubeconfig(e.to_string())),
    }?;
    let context = opts
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone())
        .ok_or(KubeError::NoCurrentContext)?;
    let hint = cluster_hint(&kubeconfig, Some(&context))
        .ok_or_else(|| KubeError::NoContext(context.clone()))?;
    let user = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .and_then(|c| c.user.clone())
        .unwrap_or_else(|| "the context's user".to_string());
    let options = KubeConfigOptions {
        context: Some(context.clone()),
        ..KubeConfigOptions::default()
    };
    let client_error = |message: String| KubeError::Client {
        context: context.clone(),
        message,
    };
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| client_error(e.to_string()))?;
    config.read_timeout = Some(opts.request_timeout);
    config.connect_timeout = Some(opts.request_timeout.min(Duration::from_secs(10)));
    // eksguard retries itself, so every attempt is counted and bounded by the request timeout.
    config.default_retry = false;
    let client = Client::try_from(config).map_err(|e| client_error(e.to_string()))?;
    Ok((client, hint, user))
}

/// Read everything with an existing client. `user` names the identity in messages when the
/// API server's own message does not.
pub async fn gather_with(client: &Client, user: &str, opts: &KubeOptions) -> Gathered {
    let mut g = Gathered::default();
    let served = discover(client, opts, &mut g).await;
    let mut jobs = Vec::new();
    for spec in KINDS {
        let version = if spec.optional {
            match served.as_ref().map(|s| s.get(spec.group)) {
                None => spec.versions.first().copied(),
                Some(None) => {
                    g.notes.push(format!(
                        "{} ({}) is not served by this cluster: skipped",
                        spec.kind, spec.group
                    ));
                    continue;
                }
                Some(Some(versions)) => {
                    let v = spec
                        .versions
                        .iter()
                        .copied()
                        .find(|v| versions.contains(*v));
                    if v.is_none() {
                        g.notes.push(format!(
                            "{} ({}) is served only in versions eksguard does not read ({}): skipped",
                            spec.kind,
                            spec.group,
                            versions.iter().cloned().collect::<Vec<_>>().join(", ")
                        ));
                    }
                    v
                }
            }
        } else {
            spec.versions.first().copied()
        };
        if let Some(version) = version {
            jobs.push(Job::List(*spec, version));
        }
    }
    jobs.push(Job::Secrets);
    if opts.kubelet_configz {
        jobs.push(Job::Kubelet);
    } else {
        g.unavailable(
            Input::KubeletConfigs,
            "kubelet configuration is read only with --kubelet-config (needs nodes/proxy)",
        );
    }

    let bar = progress_bar(opts.progress, jobs.len());
    let results: Vec<Gathered> = stream::iter(
        jobs.into_iter()
            .map(|job| run_job(client, user, opts, job, &bar)),
    )
    .buffer_unordered(opts.concurrency.max(1))
    .collect()
    .await;
    bar.finish_and_clear();
    for r in results {
        g.extend(r);
    }
    g.documents.sort_by(|a, b| a.path.cmp(&b.path));
    g.unavailable
        .sort_by(|a, b| (a.input, &a.reason).cmp(&(b.input, &b.reason)));
    g.notes.sort();
    g
}

fn progress_bar(enabled: bool, len: usize) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(len).unwrap_or(u64::MAX)),
        ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        ProgressStyle::with_template("reading the cluster [{bar:30}] {pos}/{len} kinds {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

#[derive(Debug, Clone, Copy)]
enum Job {
    List(KindSpec, &'static str),
    Secrets,
    Kubelet,
}

async fn run_job(
    client: &Client,
    user: &str,
    opts: &KubeOptions,
    job: Job,
    bar: &ProgressBar,
) -> Gathered {
    let (g, what) = match job {
        Job::List(spec, version) => (
            list_kind(client, user, opts, spec, version).await,
            spec.resource(),
        ),
        Job::Secrets => (list_secrets(client, user, opts).await, "secrets".into()),
        Job::Kubelet => (
            kubelet_configs(client, user, opts).await,
            "kubelet configz".into(),
        ),
    };
    bar.set_message(what);
    bar.inc(1);
    g
}

// ---------------------------------------------------------------------------------------------
// Requests

/// Accept header of metadata-only lists.
pub const METADATA_ACCEPT: &str =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
const JSON: &str = "application/json";
/// Attempts per request (throttling, server errors, timeouts and broken connections retry).
const ATTEMPTS: u32 = 3;

#[derive(Debug)]
enum Failure {
    Status(u16, String),
    Timeout,
    Other(String),
}

/// GET `path` with retries, counting every attempt under `label`.
async fn get(
    client: &Client,
    opts: &KubeOptions,
    path: &str,
    accept: &str,
    label: &str,
    g: &mut Gathered,
) -> Result<String, Failure> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        g.count(label);
        let req = http::Request::get(path)
            .header(http::header::ACCEPT, accept)
            .body(Vec::new())
            .map_err(|e| Failure::Other(format!("bad request {path}: {e}")))?;
        let failure =
            match tokio::time::timeout(opts.request_timeout, client.request_text(req)).await {
                Ok(Ok(text)) => return Ok(text),
                Ok(Err(::kube::Error::Api(s))) => Failure::Status(s.code, s.message.clone()),
                Ok(Err(e @ (::kube::Error::HyperError(_) | ::kube::Error::Service(_)))) => {
                    Failure::Other(e.to_string())
                }
                Ok(Err(e)) => return Err(Failure::Other(e.to_string())),
                Err(_) => Failure::Timeout,
            };
        let transient = match &failure {
            Failure::Status(code, _) => *code == 429 || *code >= 500,
            Failure::Timeout | Failure::Other(_) => true,
        };
        if !transient || attempt >= ATTEMPTS {
            return Err(failure);
        }
        tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
    }
}

/// Percent-encode a query value or path segment.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn page_url(path: &str, limit: u32, cont: Option<&str>, field_selector: Option<&str>) -> String {
    let mut url = format!("{path}?limit={limit}");
    if let Some(fs) = field_selector {
        let _ = write!(url, "&fieldSelector={}", encode(fs));
    }
    if let Some(c) = cont {
        let _ = write!(url, "&continue={}", encode(c));
    }
    url
}

/// The user a 403 message names (`User "x" cannot list ...`).
fn forbidden_user(message: &str) -> Option<&str> {
    let rest = message.split("User \"").nth(1)?;
    rest.split('"').next().filter(|u| !u.is_empty())
}

/// Why a request failed, for people.
fn reason(what: &str, failure: &Failure, user: &str, role: &str, timeout: Duration) -> String {
    match failure {
        Failure::Status(403, msg) => format!(
            "{what}: forbidden for {} (RBAC); the {role} ClusterRole grants it",
            forbidden_user(msg).unwrap_or(user)
        ),
        Failure::Status(401, msg) => format!(
            "{what}: unauthorized (401): the API server rejected the context's credentials ({msg})"
        ),
        Failure::Status(code, msg) if *code == 429 || *code >= 500 => {
            format!("{what}: HTTP {code} after {ATTEMPTS} attempts: {msg}")
        }
        Failure::Status(code, msg) => format!("{what}: HTTP {code}: {msg}"),
        Failure::Timeout => format!(
            "{what}: no answer within {} s ({ATTEMPTS} attempts)",
            timeout.as_secs_f32()
        ),
        Failure::Other(msg) => format!("{what}: {msg} ({ATTEMPTS} attempts)"),
    }
}

/// API discovery: served groups and their versions. `None` when discovery failed (custom
/// resources are then tried directly).
async fn discover(
    client: &Client,
    opts: &KubeOptions,
    g: &mut Gathered,
) -> Option<BTreeMap<String, BTreeSet<String>>> {
    let text = match get(client, opts, "/apis", JSON, "GET /apis (discovery)", g).await {
        Ok(t) => t,
        Err(f) => {
            let why = reason(
                "API discovery",
                &f,
                "the context's user",
                "eksguard-reader",
                opts.request_timeout,
            );
            g.notes
                .push(format!("{why}; custom resources are requested directly"));
            return None;
        }
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        g.notes.push(
            "API discovery answered with invalid JSON; custom resources are requested directly"
                .into(),
        );
        return None;
    };
    let mut served: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for group in v
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = group.get("name").and_then(Value::as_str) else {
            continue;
        };
        let versions = group
            .get("versions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.get("version").and_then(Value::as_str))
            .map(str::to_string);
        served.entry(name.to_string()).or_default().extend(versions);
    }
    Some(served)
}

// ---------------------------------------------------------------------------------------------
// Lists

/// One parsed page: its items and the continue token.
struct Page {
    items: Vec<Value>,
    cont: Option<String>,
    list_kind: String,
}

fn parse_page(text: &str) -> Result<Page, String> {
    let mut v: Value =
        serde_json::from_str(text).map_err(|e| format!("invalid JSON from the API: {e}"))?;
    let cont = v
        .pointer("/metadata/continue")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    let list_kind = v
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let items = match v.get_mut("items").map(Value::take) {
        Some(Value::Array(items)) => items,
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err("the API answered a list whose items are not a list".into()),
    };
    Ok(Page {
        items,
        cont,
        list_kind,
    })
}

/// Drop what no rule reads and what must never be kept (server-side apply bookkeeping).
fn trim_metadata(item: &mut Map<String, Value>) {
    if let Some(Value::Object(meta)) = item.get_mut("metadata") {
        meta.remove("managedFields");
    }
}

/// The `List` document of one page.
fn list_document(spec: &KindSpec, version: &str, page: usize, items: Vec<Value>) -> Document {
    let stem = spec.file_stem(version);
    let path = if page == 0 {
        format!("kubernetes/{stem}.json")
    } else {
        format!("kubernetes/{stem}.{}.json", page + 1)
    };
    let mut doc = Map::new();
    doc.insert(
        "apiVersion".into(),
        Value::String(spec.api_version(version)),
    );
    doc.insert("kind".into(), Value::String(format!("{}List", spec.kind)));
    doc.insert("items".into(), Value::Array(items));
    let text = serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default() + "\n";
    Document { path, text }
}

/// One cluster-wide list request.
struct List<'a> {
    path: &'a str,
    accept: &'a str,
    field_selector: Option<&'a str>,
    /// Request label for counting.
    label: &'a str,
}

/// Every page of a list, handed to `on_page` as it arrives (page 0 first), so a large list is
/// never held as parsed JSON all at once. A `410 Gone` (an expired continue token) restarts the
/// list once: `on_page` then sees page 0 again and must start over.
async fn list_pages(
    client: &Client,
    opts: &KubeOptions,
    list: List<'_>,
    g: &mut Gathered,
    on_page: &mut (dyn FnMut(usize, Page) + Send),
) -> Result<(), Failure> {
    let List {
        path,
        accept,
        field_selector,
        label,
    } = list;
    let mut cont: Option<String> = None;
    let mut index = 0;
    let mut restarted = false;
    loop {
        let url = page_url(path, opts.page_size, cont.as_deref(), field_selector);
        match get(client, opts, &url, accept, label, g).await {
            Ok(text) => {
                let page = parse_page(&text).map_err(Failure::Other)?;
                drop(text);
                cont.clone_from(&page.cont);
                on_page(index, page);
                index += 1;
                if cont.is_none() {
                    return Ok(());
                }
            }
            Err(Failure::Status(410, _)) if cont.is_some() && !restarted => {
                restarted = true;
                index = 0;
                cont = None;
            }
            Err(f) => return Err(f),
        }
    }
}

/// Record a failed list of `spec`.
fn list_failed(
    g: &mut Gathered,
    spec: &KindSpec,
    version: &str,
    user: &str,
    f: &Failure,
    opts: &KubeOptions,
) {
    if spec.optional && matches!(f, Failure::Status(404, _)) {
        g.notes.push(format!(
            "{} ({}) is not served by this cluster: skipped",
            spec.kind,
            spec.api_version(version)
        ));
        return;
    }
    let what = format!("cannot list {}", spec.resource());
    let why = match f {
        Failure::Status(404, _) => format!(
            "{what}: the cluster does not serve {} {} (404)",
            spec.api_version(version),
            spec.plural
        ),
        other => reason(&what, other, user, "eksguard-reader", opts.request_timeout),
    };
    match spec.input {
        Some(input) => g.unavailable(input, why),
        None => g.notes.push(why),
    }
}

async fn list_kind(
    client: &Client,
    user: &str,
    opts: &KubeOptions,
    spec: KindSpec,
    version: &str,
) -> Gathered {
    let mut g = Gathered::default();
    let label = spec.label(version);
    let api_version = spec.api_version(version);
    let workloads = spec.input == Some(Input::Workloads);
    let mut documents = Vec::new();
    let mut on_page = |i: usize, page: Page| {
        if i == 0 {
            documents.clear();
        }
        let items = page
            .items
            .into_iter()
            .map(|mut item| {
                if let Value::Object(o) = &mut item {
                    // Typed lists from the API omit their items' kind; custom resources keep it.
                    o.entry("kind")
                        .or_insert_with(|| Value::String(spec.kind.to_string()));
                    o.entry("apiVersion")
                        .or_insert_with(|| Value::String(api_version.clone()));
                    trim_metadata(o);
                    if workloads {
                        // The loader keeps a workload's metadata and pod template only.
                        o.remove("status");
                    }
                }
                item
            })
            .collect();
        documents.push(list_document(&spec, version, i, items));
    };
    let path = spec.path(version);
    let list = List {
        path: &path,
        accept: JSON,
        field_selector: None,
        label: &label,
    };
    match list_pages(client, opts, list, &mut g, &mut on_page).await {
        Ok(()) => g.documents.append(&mut documents),
        Err(f) => list_failed(&mut g, &spec, version, user, &f, opts),
    }
    g
}

/// The annotation `kubectl apply` writes, which on a Secret holds its values.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
const SA_TOKEN: &str = "kubernetes.io/service-account-token";

/// A Secret made of metadata only, with its type when known. Values never reach this point:
/// the API returns metadata, and the annotation that could carry values is dropped.
fn secret_item(item: Value, tokens: &BTreeSet<(String, String)>) -> Option<Value> {
    let Value::Object(mut o) = item else {
        return None;
    };
    let Some(Value::Object(mut meta)) = o.remove("metadata") else {
        return None;
    };
    meta.remove("managedFields");
    if let Some(Value::Object(a)) = meta.get_mut("annotations") {
        a.remove(LAST_APPLIED);
    }
    let key = |k: &str| {
        meta.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let is_token = tokens.contains(&(key("namespace"), key("name")));
    let mut out = Map::new();
    out.insert("apiVersion".into(), Value::String("v1".into()));
    out.insert("kind".into(), Value::String("Secret".into()));
    out.insert("metadata".into(), Value::Object(meta));
    if is_token {
        out.insert("type".into(), Value::String(SA_TOKEN.into()));
    }
    Some(Value::Object(out))
}

fn name_key(item: &Value) -> (String, String) {
    let get = |k: &str| {
        item.pointer(&format!("/metadata/{k}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (get("namespace"), get("name"))
}

/// Secrets, metadata only: one list of service-account token Secrets (so their type is known)
/// and one of all Secrets. Both are `PartialObjectMetadataList`s.
async fn list_secrets(client: &Client, user: &str, opts: &KubeOptions) -> Gathered {
    let mut g = Gathered::default();
    g.unavailable(
        Input::SecretKeys,
        "a live scan reads Secrets as metadata only: their data keys and values are never read",
    );
    let spec = SECRETS;
    let path = spec.path("v1");
    let not_metadata = "the API server did not answer with metadata only (PartialObjectMetadataList); eksguard never reads secret values, so Secrets were not read";
    let mut tokens: BTreeSet<(String, String)> = BTreeSet::new();
    let mut metadata_only = true;
    let mut on_token_page = |i: usize, page: Page| {
        if i == 0 {
            tokens.clear();
        }
        metadata_only &= page.list_kind == "PartialObjectMetadataList";
        tokens.extend(page.items.iter().map(name_key));
    };
    let selector = format!("type={SA_TOKEN}");
    let list = List {
        path: &path,
        accept: METADATA_ACCEPT,
        field_selector: Some(&selector),
        label: "GET v1 secrets (metadata, type=service-account-token)",
    };
    let listed = list_pages(client, opts, list, &mut g, &mut on_token_page).await;
    if let Err(f) = listed {
        list_failed(&mut g, &spec, "v1", user, &f, opts);
        return g;
    }
    if !metadata_only {
        g.unavailable(
            Input::Secrets,
            format!("cannot list secrets: {not_metadata}"),
        );
        return g;
    }
    let mut documents = Vec::new();
    let mut on_page = |i: usize, page: Page| {
        if i == 0 {
            documents.clear();
        }
        if page.list_kind != "PartialObjectMetadataList" {
            // Never keep what a server that ignored the metadata-only request sent.
            metadata_only = false;
            return;
        }
        let items = page
            .items
            .into_iter()
            .filter_map(|it| secret_item(it, &tokens))
            .collect();
        documents.push(list_document(&spec, "v1", i, items));
    };
    let list = List {
        path: &path,
        accept: METADATA_ACCEPT,
        field_selector: None,
        label: "GET v1 secrets (metadata)",
    };
    let listed = list_pages(client, opts, list, &mut g, &mut on_page).await;
    if let Err(f) = listed {
        list_failed(&mut g, &spec, "v1", user, &f, opts);
        return g;
    }
    if !metadata_only {
        g.unavailable(
            Input::Secrets,
            format!("cannot list secrets: {not_metadata}"),
        );
        return g;
    }
    g.documents.append(&mut documents);
    g
}

// ---------------------------------------------------------------------------------------------
// Kubelet configuration

/// A node name usable as a file name.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Each node's `/configz`, through the API server's node proxy.
async fn kubelet_configs(client: &Client, user: &str, opts: &KubeOptions) -> Gathered {
    let mut g = Gathered::default();
    let mut nodes: Vec<String> = Vec::new();
    let mut on_page = |i: usize, page: Page| {
        if i == 0 {
            nodes.clear();
        }
        nodes.extend(
            page.items
                .iter()
                .map(|item| name_key(item).1)
                .filter(|n| !n.is_empty()),
        );
    };
    let nodes_path = NODES.path("v1");
    let list = List {
        path: &nodes_path,
        accept: METADATA_ACCEPT,
        field_selector: None,
        label: "GET v1 nodes (metadata)",
    };
    let listed = list_pages(client, opts, list, &mut g, &mut on_page).await;
    if let Err(f) = listed {
        let why = reason(
            "cannot read kubelet configuration: cannot list nodes",
            &f,
            user,
            "eksguard-reader-kubelet",
            opts.request_timeout,
        );
        g.unavailable(Input::KubeletConfigs, why);
        return g;
    }
    let results: Vec<(String, Result<String, Failure>, Gathered)> =
        stream::iter(nodes.into_iter().map(|node| async move {
            let mut counts = Gathered::default();
            let path = format!("/api/v1/nodes/{}/proxy/configz", encode(&node));
            let r = get(
                client,
                opts,
                &path,
                JSON,
                "GET v1 nodes/proxy configz",
                &mut counts,
            )
            .await;
            (node, r, counts)
        }))
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    let mut first_failure = None;
    let mut read = 0usize;
    let total = results.len();
    for (node, result, counts) in results {
        g.extend(counts);
        let what = format!("cannot read the kubelet configuration of node {node}");
        let parsed = result.and_then(|text| {
            serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|mut v| v.get_mut("kubeletconfig").map(Value::take))
                .filter(Value::is_object)
                .ok_or_else(|| Failure::Other("the answer has no `kubeletconfig` object".into()))
        });
        match parsed {
            Ok(config) => {
                let doc = serde_json::json!({ "node": node, "kubeletconfig": config });
                g.documents.push(Document {
                    path: format!("kubelet/{}.configz.json", file_safe(&node)),
                    text: serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n",
                });
                read += 1;
            }
            Err(f) => {
                let why = reason(
                    &what,
                    &f,
                    user,
                    "eksguard-reader-kubelet",
                    opts.request_timeout,
                );
                g.notes.push(why.clone());
                first_failure.get_or_insert(why);
            }
        }
    }
    if read == 0 {
        let why = first_failure.unwrap_or_else(|| {
            "cannot read kubelet configuration: the cluster has no nodes".to_string()
        });
        g.unavailable(Input::KubeletConfigs, why);
    } else if read < total {
        g.notes.push(format!(
            "kubelet configuration read on {read} of {total} nodes"
        ));
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_continue_tokens_and_selectors() {
        assert_eq!(
            page_url(
                "/api/v1/secrets",
                500,
                Some("eyJ2+/="),
                Some("type=kubernetes.io/service-account-token")
            ),
            "/api/v1/secrets?limit=500&fieldSelector=type%3Dkubernetes.io%2Fservice-account-token&continue=eyJ2%2B%2F%3D"
        );
    }

    #[test]
    fn forbidden_messages_name_the_user() {
        let msg = r#"secrets is forbidden: User "arn:aws:sts::1:assumed-role/ro/x" cannot list resource "secrets" in API group "" at the cluster scope"#;
        assert_eq!(
            forbidden_user(msg),
            Some("arn:aws:sts::1:assumed-role/ro/x")
        );
        assert_eq!(forbidden_user("forbidden"), None);
    }

    #[test]
    fn secrets_keep_metadata_only() {
        let tokens = BTreeSet::from([("kube-system".to_string(), "old-token".to_string())]);
        let item = serde_json::json!({
            "apiVersion": "meta.k8s.io/v1",
            "kind": "PartialObjectMetadata",
            "metadata": {
                "name": "old-token", "namespace": "kube-system",
                "annotations": {LAST_APPLIED: "{\"data\":{\"k\":\"c2VjcmV0\"}}", "kubernetes.io/service-account.name": "ci"},
                "managedFields": [{"manager": "kubectl"}]
            },
            "data": {"k": "c2VjcmV0"}
        });
        let out = secret_item(item, &tokens).unwrap_or_default();
        assert_eq!(
            out,
            serde_json::json!({
                "apiVersion": "v1", "kind": "Secret", "type": SA_TOKEN,
                "metadata": {
                    "name": "old-token", "namespace": "kube-system",
                    "annotations": {"kubernetes.io/service-account.name": "ci"}
                }
            })
        );
    }

    #[test]
    fn every_kind_is_listed_once() {
        let mut seen = BTreeSet::new();
        for k in KINDS.iter().chain([&SECRETS]) {
            assert!(seen.insert(k.resource()), "{} listed twice", k.resource());
        }
    }
}
