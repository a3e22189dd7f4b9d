//! The one resolver of rule tokens, and the one way every verb merges `--select`/`--ignore`
//! with `eksguard.toml`.
//!
//! A token names rules in one of five forms, tried in this order; the first form that names
//! anything wins, and matching ignores case and surrounding spaces:
//!
//! | form | example | names |
//! |---|---|---|
//! | rule id | `POD001`, `ACME001` | that rule |
//! | rule name | `privileged-container` | that rule |
//! | peer tool's id | `CKV_K8S_16`, `C-0057`, `4.2.1`, `PrivilegeEscalation:Kubernetes/PrivilegedContainer` | every rule that cites it (Checkov, kubescape, CIS EKS, hardeneks, Prowler, GuardDuty, Falco, Polaris, kube-score, kube-linter, kubesec) |
//! | domain | `pod`, `rbac`, `aud`, `policy` | every rule of the domain (`policy`: the Rego policies' rules) |
//! | id prefix | `POD`, `RBAC00` | every rule whose id starts with it |
//!
//! The CLI (`--select`, `--ignore`, `explain`), `eksguard.toml` (`select`, `ignore`,
//! `[[exception]] rules`), the `eksguard.io/ignore` annotation, the webhook and `detect` all
//! resolve through [`resolve`]; `crates/eksguard-core/tests/resolver.rs` runs every form through
//! every entry point.

use crate::rule::{Domain, Rule};

/// One form of the grammar: its name and its test.
type FormTest<'a> = (Form, &'a dyn Fn(&Rule) -> bool);

/// How a token named its rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Id,
    Name,
    PeerId,
    Domain,
    Prefix,
}

/// What `token` names in `catalog`, and by which form; `None` when it names nothing.
pub fn resolve_form(token: &str, catalog: &[&'static Rule]) -> Option<(Form, Vec<&'static Rule>)> {
    let t = token.trim();
    if t.is_empty() {
        return None;
    }
    let all = |f: &dyn Fn(&Rule) -> bool| -> Vec<&'static Rule> {
        catalog.iter().copied().filter(|r| f(r)).collect()
    };
    let forms: [FormTest<'_>; 5] = [
        (Form::Id, &|r| r.id.eq_ignore_ascii_case(t)),
        (Form::Name, &|r| r.name.eq_ignore_ascii_case(t)),
        (Form::PeerId, &|r| {
            r.references
                .peer_ids()
                .iter()
                .any(|(_, id)| id.eq_ignore_ascii_case(t))
        }),
        (Form::Domain, &|r| {
            Domain::ALL
                .iter()
                .any(|d| d.key().eq_ignore_ascii_case(t) && r.domain == *d)
        }),
        (Form::Prefix, &|r| {
            r.id.get(..t.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(t))
        }),
    ];
    forms.into_iter().find_map(|(form, f)| {
        let found = all(f);
        (!found.is_empty()).then_some((form, found))
    })
}

/// The rules `token` names in `catalog` (empty: none). See the module docs for the grammar.
pub fn resolve(token: &str, catalog: &[&'static Rule]) -> Vec<&'static Rule> {
    resolve_form(token, catalog).map_or_else(Vec::new, |(_, rules)| rules)
}

/// Which rules a verb runs: tokens in any form of [`resolve`].
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// The merge every verb makes: `--select` replaces the configuration's `select` (when given),
    /// `--ignore` adds to its `ignore`. `eksguard.toml` serves scan, detect and serve at once, so
    /// a configuration token that names no rule of this verb's `catalog` is another verb's and
    /// is left out here (the configuration was checked against the whole catalog when parsed).
    /// Command-line tokens are all kept: one that names nothing here is an error of
    /// [`Selection::apply`].
    pub fn merged(
        cli_select: &[String],
        cli_ignore: &[String],
        config_select: &[String],
        config_ignore: &[String],
        catalog: &[&'static Rule],
    ) -> Self {
        let ours = |t: &&String| !resolve(t, catalog).is_empty();
        Self {
            select: if cli_select.is_empty() {
                config_select.iter().filter(ours).cloned().collect()
            } else {
                cli_select.to_vec()
            },
            ignore: cli_ignore
                .iter()
                .cloned()
                .chain(config_ignore.iter().filter(ours).cloned())
                .collect(),
        }
    }

    /// The rules of `catalog` this selection keeps (in catalog order), or the tokens that name
    /// no rule of it.
    pub fn apply(&self, catalog: &[&'static Rule]) -> Result<Vec<&'static Rule>, Vec<String>> {
        let resolved = |list: &[String]| -> Result<Vec<&'static Rule>, Vec<String>> {
            let mut found = Vec::new();
            let mut unknown = Vec::new();
            for t in list {
                let rules = resolve(t, catalog);
                if rules.is_empty() {
                    unknown.push(t.clone());
                }
                found.extend(rules);
            }
            if unknown.is_empty() {
                Ok(found)
            } else {
                Err(unknown)
            }
        };
        let (select, ignore) = match (resolved(&self.select), resolved(&self.ignore)) {
            (Ok(s), Ok(i)) => (s, i),
            (s, i) => {
                let mut unknown = s.err().unwrap_or_default();
                unknown.extend(i.err().unwrap_or_default());
                return Err(unknown);
            }
        };
        let has = |list: &[&'static Rule], r: &Rule| list.iter().any(|x| x.id == r.id);
        Ok(catalog
            .iter()
            .copied()
            .filter(|r| self.select.is_empty() || has(&select, r))
            .filter(|r| !has(&ignore, r))
            .collect())
    }
}
