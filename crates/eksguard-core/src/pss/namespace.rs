//! Pod Security Admission namespace labels: `pod-security.kubernetes.io/<mode>` and
//! `<mode>-version`.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{Level, Version};

/// One mode's setting on a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModeSetting {
    pub level: Level,
    pub version: Version,
}

/// A namespace's Pod Security configuration, as PSA reads it. Invalid label values make PSA
/// fall back to its defaults (privileged, latest); they are reported in `errors`.
#[derive(Debug, Clone, Default)]
pub struct NamespacePolicy {
    pub enforce: Option<ModeSetting>,
    pub audit: Option<ModeSetting>,
    pub warn: Option<ModeSetting>,
    pub errors: Vec<String>,
}

pub const PREFIX: &str = "pod-security.kubernetes.io/";

impl NamespacePolicy {
    pub fn from_meta(meta: &ObjectMeta) -> Self {
        let labels = meta.labels.as_ref();
        let get = |k: &str| {
            labels
                .and_then(|l| l.get(&format!("{PREFIX}{k}")))
                .map(String::as_str)
        };
        let mut errors = Vec::new();
        let mut mode = |name: &str| -> Option<ModeSetting> {
            let level = get(name)?;
            let level = match level.parse::<Level>() {
                Ok(l) => l,
                Err(e) => {
                    errors.push(format!("{PREFIX}{name}: {e}"));
                    return None;
                }
            };
            let version = match get(&format!("{name}-version")) {
                None => Version::Latest,
                Some(v) => v.parse::<Version>().unwrap_or_else(|e| {
                    errors.push(format!("{PREFIX}{name}-version: {e}"));
                    Version::Latest
                }),
            };
            Some(ModeSetting { level, version })
        };
        let enforce = mode("enforce");
        let audit = mode("audit");
        let warn = mode("warn");
        Self {
            enforce,
            audit,
            warn,
            errors,
        }
    }
}
