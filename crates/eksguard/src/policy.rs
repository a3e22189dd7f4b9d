//! `--policy DIR`: the user's Rego policies in `scan`, `rules` and `explain`.

use std::path::PathBuf;
use std::time::Duration;

use eksguard_core::Rule;
use eksguard_core::engine::Outcome;
use eksguard_core::inventory::Inventory;
use eksguard_core::rule::Domain;
use eksguard_core::rules::RULES;
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

/// The built-in catalog and the policies' rules.
pub fn catalog(policies: &Policies) -> Vec<&'static Rule> {
    RULES
        .iter()
        .copied()
        .chain(policies.rules().iter().copied())
        .collect()
}

/// The rules `query` names in the built-in catalog and the policies' rules, in any form of
/// [`eksguard_core::select::resolve`] (id, name, peer tool's id, domain, id prefix).
pub fn find(query: &str, policies: &Policies) -> Vec<&'static Rule> {
    eksguard_core::select::resolve(query, &catalog(policies))
}

/// Run the selected rules: built-in ones through `engine::check` on every core, policy rules
/// through the policies. Returns the rules in the order of their outcomes; evaluation errors
/// of policies become errors of the inventory (and so of the report).
pub fn run(
    inv: &mut Inventory,
    selected: &[&'static Rule],
    policies: &Policies,
    budget: Duration,
) -> (Vec<&'static Rule>, Vec<Outcome>) {
    use rayon::prelude::*;
    let (mut rules, custom): (Vec<&'static Rule>, Vec<&'static Rule>) =
        selected.iter().partition(|r| r.domain != Domain::Policy);
    let mut outcomes: Vec<Outcome> = rules
        .par_iter()
        .map(|r| eksguard_core::engine::check(inv, r))
        .collect();
    if !custom.is_empty() {
        let (findings, errors) = policies.scan(inv, budget);
        inv.errors
            .extend(errors.iter().map(eksguard_policy::EvalError::to_load_error));
        outcomes.extend(eksguard_policy::outcomes(&custom, findings));
        rules.extend(custom);
    }
    (rules, outcomes)
}
