//! A scan with policies: the built-in catalog beside the policies' rules, and running a
//! selection of both (what `eksguard scan --policy DIR` does), so that the partition of a
//! selection into built-in rules and policy rules lives in one place, beside the policies.

use std::time::Duration;

use eksguard_core::engine::Outcome;
use eksguard_core::inventory::Inventory;
use eksguard_core::rule::{Domain, Rule};
use eksguard_core::rules::RULES;
use rayon::prelude::*;

use crate::{EvalError, Policies};

impl Policies {
    /// Every rule a scan with these policies can run: the built-in catalog, then the
    /// policies' rules.
    pub fn catalog(&self) -> Vec<&'static Rule> {
        RULES.iter().chain(self.rules()).copied().collect()
    }

    /// Run `selected` on `inv`: built-in rules through `engine::check` on every core, policy
    /// rules through these policies in one pass over the inventory. Returns the rules in the
    /// order of their outcomes (built-in first); a policy that fails or runs past `budget`
    /// becomes an error of the inventory (and so of the report), never a silent pass.
    pub fn run(
        &self,
        inv: &mut Inventory,
        selected: &[&'static Rule],
        budget: Duration,
    ) -> (Vec<&'static Rule>, Vec<Outcome>) {
        let (mut rules, custom): (Vec<&'static Rule>, Vec<&'static Rule>) =
            selected.iter().partition(|r| r.domain != Domain::Policy);
        let mut outcomes: Vec<Outcome> = rules
            .par_iter()
            .map(|r| eksguard_core::engine::check(inv, r))
            .collect();
        if !custom.is_empty() {
            let (findings, errors) = self.scan(inv, budget);
            inv.errors
                .extend(errors.iter().map(EvalError::to_load_error));
            outcomes.extend(crate::outcomes(&custom, findings));
            rules.extend(custom);
        }
        (rules, outcomes)
    }
}
