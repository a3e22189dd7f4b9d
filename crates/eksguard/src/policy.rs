//! `--policy DIR`: loading the user's Rego policies for `scan`, `rules` and `explain`, and
//! finding a rule among them (`eksguard_policy::Policies::run` runs a selection of both).

use std::path::PathBuf;

use eksguard_core::Rule;
use eksguard_policy::Policies;

/// Load the policies of `dirs` (none: no policies). Every problem is listed, one per line, as
/// `FILE:LINE:COL: message`.
pub fn load(dirs: &[PathBuf]) -> anyhow::Result<Policies> {
    if dirs.is_empty() {
        return Ok(Policies::empty());
    }
    Policies::load(dirs).map_err(|errors| {
        anyhow::anyhow!(
            "invalid policies:\n{}",
            errors
                .0
                .iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// The rules `query` names in the built-in catalog and the policies' rules, in any form of
/// [`eksguard_core::select::resolve`] (id, name, peer tool's id, domain, id prefix).
pub fn find(query: &str, policies: &Policies) -> Vec<&'static Rule> {
    eksguard_core::select::resolve(query, &policies.catalog())
}
