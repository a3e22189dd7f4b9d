//! Namespace labels, watched through the Kubernetes API: the webhook's per-namespace modes.
//! List once, then watch from the list's resourceVersion; on any error or an expired version,
//! wait and list again. Until the first list succeeds the server is not ready.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::{StreamExt as _, TryStreamExt as _};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, WatchEvent, WatchParams};

use crate::review::Namespaces;

/// The labels of every namespace, kept current by [`watch`].
#[derive(Debug, Default)]
pub struct NamespaceCache {
    labels: RwLock<HashMap<String, BTreeMap<String, String>>>,
    synced: AtomicBool,
}

impl NamespaceCache {
    /// Whether the first list has been loaded.
    pub fn synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    pub fn len(&self) -> usize {
        self.labels
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Replace everything (after a list).
    pub fn replace(&self, all: impl IntoIterator<Item = (String, BTreeMap<String, String>)>) {
        let map: HashMap<_, _> = all.into_iter().collect();
        *self
            .labels
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = map;
        self.synced.store(true, Ordering::Release);
    }

    pub fn upsert(&self, name: String, labels: BTreeMap<String, String>) {
        self.labels
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name, labels);
    }

    pub fn remove(&self, name: &str) {
        self.labels
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(name);
    }
}

impl Namespaces for NamespaceCache {
    fn labels(&self, name: &str) -> Option<BTreeMap<String, String>> {
        self.labels
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .cloned()
    }
}

fn entry(ns: Namespace) -> Option<(String, BTreeMap<String, String>)> {
    let name = ns.metadata.name?;
    Some((name, ns.metadata.labels.unwrap_or_default()))
}

/// Keep `cache` current from the API server, forever. `log` receives one line per problem.
pub async fn watch(client: kube::Client, cache: Arc<NamespaceCache>, log: impl Fn(&str)) {
    let api: Api<Namespace> = Api::all(client);
    let mut backoff = Duration::from_secs(1);
    loop {
        match api.list(&ListParams::default()).await {
            Ok(list) => {
                let mut version = list.metadata.resource_version.clone().unwrap_or_default();
                cache.replace(list.items.into_iter().filter_map(entry));
                backoff = Duration::from_secs(1);
                // Watch until the version expires or the connection fails, then list again.
                'watch: loop {
                    let wp = WatchParams::default().timeout(290);
                    let stream = match api.watch(&wp, &version).await {
                        Ok(s) => s,
                        Err(e) => {
                            log(&format!("namespace watch failed: {e}"));
                            break 'watch;
                        }
                    };
                    let mut stream = stream.boxed();
                    loop {
                        match stream.try_next().await {
                            Ok(Some(WatchEvent::Added(ns) | WatchEvent::Modified(ns))) => {
                                if let Some(v) = ns.metadata.resource_version.clone() {
                                    version = v;
                                }
                                if let Some((name, labels)) = entry(ns) {
                                    cache.upsert(name, labels);
                                }
                            }
                            Ok(Some(WatchEvent::Deleted(ns))) => {
                                if let Some(v) = ns.metadata.resource_version.clone() {
                                    version = v;
                                }
                                if let Some(name) = ns.metadata.name {
                                    cache.remove(&name);
                                }
                            }
                            Ok(Some(WatchEvent::Bookmark(b))) => {
                                version = b.metadata.resource_version;
                            }
                            Ok(Some(WatchEvent::Error(status))) => {
                                if status.code != 410 {
                                    log(&format!("namespace watch: {}", status.message));
                                }
                                break 'watch;
                            }
                            // The server ended the watch (its timeout): resume from `version`.
                            Ok(None) => continue 'watch,
                            Err(e) => {
                                log(&format!("namespace watch interrupted: {e}"));
                                break 'watch;
                            }
                        }
                    }
                }
            }
            Err(e) => {
                log(&format!(
                    "cannot list namespaces (retrying in {}s; unlabelled defaults apply meanwhile): {e}",
                    backoff.as_secs()
                ));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}

/// A client for the watch: in the cluster, its service account (or `KUBECONFIG`, through
/// kube's inference); otherwise the kubeconfig and context named.
pub async fn client(
    kubeconfig: Option<&std::path::Path>,
    context: Option<&str>,
) -> Result<kube::Client, String> {
    let config = if kubeconfig.is_none() && context.is_none() {
        kube::Config::infer().await.map_err(|e| e.to_string())?
    } else {
        let kc = match kubeconfig {
            Some(p) => kube::config::Kubeconfig::read_from(p)
                .map_err(|e| format!("{}: {e}", p.display()))?,
            None => kube::config::Kubeconfig::read().map_err(|e| e.to_string())?,
        };
        let options = kube::config::KubeConfigOptions {
            context: context.map(str::to_string),
            ..kube::config::KubeConfigOptions::default()
        };
        kube::Config::from_custom_kubeconfig(kc, &options)
            .await
            .map_err(|e| e.to_string())?
    };
    kube::Client::try_from(config).map_err(|e| e.to_string())
}
