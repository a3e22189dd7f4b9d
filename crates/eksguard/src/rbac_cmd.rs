//! `eksguard rbac`: questions to the RBAC analysis of the core (`who-can`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use eksguard_core::rbac::{Grant, Rbac, Target};

use crate::input;

#[derive(Subcommand, Debug)]
pub enum RbacCommand {
    /// Who can VERB RESOURCE: every subject, the binding and role that grant it, and where.
    #[command(name = "who-can", after_help = WHO_CAN_HELP)]
    WhoCan(WhoCanArgs),
}

const WHO_CAN_HELP: &str = "\
RESOURCE is written as kubectl writes it: `pods`, `pods/exec` (a subresource), `deployments.apps`
or just `deployments` (built-in resources get their API group), `widgets.example.com`, or a
non-resource URL such as `/metrics`. Roles are resolved as the API server resolves them: Roles in
the binding's namespace, ClusterRoles from the input or Kubernetes' defaults (`edit`, `view`,
`admin`, `cluster-admin`, `system:*`), aggregated ClusterRoles with every role they select.
Bindings whose role is in neither are listed as unresolved.

Without -n the answer covers every namespace and the cluster scope, with the scope of each grant.

Examples:
  eksguard rbac who-can create pods/exec --demo              who can exec into pods, anywhere?
  eksguard rbac who-can get secrets -n storefront --demo     who can read secrets in storefront?
  eksguard rbac who-can patch configmaps -n kube-system --name aws-auth cluster/
  eksguard rbac who-can create deployments.apps manifests/ -f json
  kubectl get roles,clusterroles,rolebindings,clusterrolebindings -A -o yaml | eksguard rbac who-can bind clusterroles -

Grants of Kubernetes and EKS to their own identities are marked `default`. Exit codes: 0 answered
(whether or not anyone can); 2 usage or input errors.";

#[derive(Args, Debug)]
pub struct WhoCanArgs {
    /// The verb: get, list, watch, create, update, patch, delete, deletecollection, bind,
    /// escalate, impersonate, approve, use, ... or `*`.
    verb: String,

    /// The resource: `pods`, `pods/exec`, `deployments.apps`, `/metrics`.
    resource: String,

    /// Files and folders to read, as `eksguard scan` reads them (`-` reads standard input).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Only grants that apply in this namespace (default: every namespace and cluster-wide).
    #[arg(short, long, value_name = "NAMESPACE")]
    namespace: Option<String>,

    /// A subresource, when not given as RESOURCE/SUBRESOURCE (`--subresource exec`).
    #[arg(long, value_name = "SUBRESOURCE")]
    subresource: Option<String>,

    /// Ask about one object by name (rules with `resourceNames` then match or not).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,

    /// Read the demo cluster built into eksguard.
    #[arg(long)]
    demo: bool,

    #[command(flatten)]
    live: crate::live::LiveArgs,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = WhoCanFormat::Table)]
    format: WhoCanFormat,

    /// Largest input file, in MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    max_file_size: u64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum WhoCanFormat {
    Table,
    Json,
}

pub fn run(cmd: &RbacCommand) -> Result<ExitCode> {
    match cmd {
        RbacCommand::WhoCan(args) => who_can(args),
    }
}

fn target(args: &WhoCanArgs) -> Result<Target> {
    let mut t: Target = args
        .resource
        .parse()
        .map_err(|e: String| anyhow::anyhow!("RESOURCE {e}"))?;
    if let Some(sub) = &args.subresource {
        match &mut t {
            Target::Resource { subresource, .. } if subresource.is_empty() => {
                *subresource = sub.to_ascii_lowercase();
            }
            Target::Resource { .. } => {
                bail!(
                    "--subresource given twice: `{}` already names one",
                    args.resource
                )
            }
            Target::NonResource(_) => bail!("--subresource does not apply to a URL"),
        }
    }
    if let Some(n) = &args.name {
        if matches!(t, Target::NonResource(_)) {
            bail!("--name does not apply to a URL");
        }
        t = t.named(n);
    }
    Ok(t)
}

fn who_can(args: &WhoCanArgs) -> Result<ExitCode> {
    let verb = args.verb.trim().to_ascii_lowercase();
    if verb.is_empty() {
        bail!("VERB is empty");
    }
    let target = target(args)?;
    let opts = input::Options {
        max_bytes: args.max_file_size.saturating_mul(1024 * 1024),
    };
    let mut inv = crate::live::read(&args.paths, args.demo, &args.live, &opts)?;
    inv.errors.sort();
    for e in &inv.errors {
        eprintln!("eksguard: {e}");
    }
    let rbac = Rbac::new(&inv);
    let grants = rbac.who_can(&verb, &target, args.namespace.as_deref());
    let text = match args.format {
        WhoCanFormat::Json => {
            let mut t = serde_json::to_string_pretty(&serde_json::json!({
                "query": {
                    "verb": verb,
                    "resource": target.to_string(),
                    "namespace": args.namespace,
                },
                "grants": grants,
                "unresolved": rbac.unresolved,
            }))?;
            t.push('\n');
            t
        }
        WhoCanFormat::Table => table(&verb, &target, args.namespace.as_deref(), &grants, &rbac),
    };
    crate::write_stdout(&text)?;
    Ok(if inv.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// One table row: a subject through one binding (the grants of several rules merged).
struct Row {
    subject: String,
    kind: String,
    binding: String,
    role: String,
    scope: String,
    notes: Vec<String>,
}

fn row_of(grants: &[&Grant]) -> Option<Row> {
    let g = grants.first()?;
    let mut notes: Vec<String> = Vec::new();
    if grants.iter().all(|g| !g.resource_names.is_empty()) {
        let mut names: Vec<&str> = grants
            .iter()
            .flat_map(|g| g.resource_names.iter().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        notes.push(format!("only {}", names.join(", ")));
    }
    for g in grants {
        if let Some(src) = &g.aggregated_from {
            let n = format!("via {}", src.name);
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
    }
    if grants.iter().any(|g| g.wildcard) {
        notes.push("* on *".into());
    }
    if g.platform {
        notes.push("default".into());
    }
    let subject = match &g.subject.namespace {
        Some(ns) => format!("{ns}/{}", g.subject.name),
        None => g.subject.name.clone(),
    };
    let name = |kind: &str, ns: &Option<String>, name: &str| match ns {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    };
    Some(Row {
        subject,
        kind: g.subject.kind.clone(),
        binding: name(&g.binding.kind, &g.binding.namespace, &g.binding.name),
        role: name(&g.role.kind, &g.role.namespace, &g.role.name),
        scope: g.scope.to_string(),
        notes,
    })
}

fn table(
    verb: &str,
    target: &Target,
    namespace: Option<&str>,
    grants: &[Grant],
    rbac: &Rbac<'_>,
) -> String {
    let mut out = String::new();
    let where_ = namespace.map_or_else(
        || " (any namespace, and cluster-wide)".to_string(),
        |ns| format!(" in namespace {ns}"),
    );
    let _ = writeln!(out, "Who can {verb} {target}{where_}:\n");
    let mut merged: BTreeMap<(usize, usize), Vec<&Grant>> = BTreeMap::new();
    for g in grants {
        merged
            .entry((g.binding_index, g.subject_index))
            .or_default()
            .push(g);
    }
    let mut rows: Vec<Row> = merged.values().filter_map(|g| row_of(g)).collect();
    rows.sort_by(|a, b| (&a.kind, &a.subject, &a.binding).cmp(&(&b.kind, &b.subject, &b.binding)));
    if rows.is_empty() {
        let _ = writeln!(out, "No subject in the input can.");
    } else {
        let header = ["SUBJECT", "KIND", "VIA BINDING", "ROLE", "SCOPE", "NOTE"];
        let cells: Vec<[String; 6]> = rows
            .iter()
            .map(|r| {
                [
                    r.subject.clone(),
                    r.kind.clone(),
                    r.binding.clone(),
                    r.role.clone(),
                    r.scope.clone(),
                    r.notes.join("; "),
                ]
            })
            .collect();
        let mut width = header.map(str::len);
        for c in &cells {
            for (w, v) in width.iter_mut().zip(c.iter()) {
                *w = (*w).max(v.chars().count());
            }
        }
        let line = |vals: &[&str]| {
            let mut l = String::new();
            for (i, (v, w)) in vals.iter().zip(width.iter()).enumerate() {
                if i + 1 == vals.len() {
                    l.push_str(v);
                } else {
                    let _ = write!(l, "{v:<w$}  ");
                }
            }
            l.trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(&header));
        for c in &cells {
            let vals: Vec<&str> = c.iter().map(String::as_str).collect();
            let _ = writeln!(out, "{}", line(&vals));
        }
        let subjects: std::collections::BTreeSet<(&str, &str)> = rows
            .iter()
            .map(|r| (r.kind.as_str(), r.subject.as_str()))
            .collect();
        let _ = writeln!(
            out,
            "\n{} subject(s) through {} binding(s).",
            subjects.len(),
            rows.len()
        );
        let mut broad: Vec<&Row> = rows
            .iter()
            .filter(|r| r.kind != "ServiceAccount" && r.subject.starts_with("system:"))
            .collect();
        broad.dedup_by(|a, b| a.subject == b.subject);
        for r in broad {
            let who = match r.subject.as_str() {
                "system:anonymous" => Some("every request without credentials"),
                "system:authenticated" => Some("every authenticated user and service account"),
                "system:unauthenticated" => Some("every anonymous request"),
                "system:serviceaccounts" => Some("every service account"),
                s if s.starts_with("system:serviceaccounts:") => {
                    Some("every service account of that namespace")
                }
                _ => None,
            };
            if let Some(who) = who {
                let _ = writeln!(out, "{} {} is {who}.", r.kind, r.subject);
            }
        }
    }
    if !rbac.unresolved.is_empty() {
        let _ = writeln!(
            out,
            "\n{} binding(s) refer to a role the input does not have (they may grant more):",
            rbac.unresolved.len()
        );
        for u in &rbac.unresolved {
            let _ = writeln!(out, "  {} → {}: {}", u.binding, u.role, u.reason);
        }
    }
    out
}
