//! The user's Rego policies at admission (`--policy DIR`), through `eksguard-policy`.

use std::borrow::Cow;
use std::time::Duration;

use eksguard_core::inventory::ResourceRef;
use eksguard_core::rule::{Finding, Location};
use eksguard_policy::{InputContext, Policies, Source, object_input};
use serde_json::Value;

use crate::review::PolicyEngine;

/// Rego policies judging admitted objects, each package within `budget` per request.
pub struct RegoPolicies {
    policies: Policies,
    budget: Duration,
}

impl RegoPolicies {
    pub fn new(policies: Policies, budget: Duration) -> Self {
        Self { policies, budget }
    }

    pub fn policies(&self) -> &Policies {
        &self.policies
    }
}

impl PolicyEngine for RegoPolicies {
    fn review(
        &self,
        object: &Value,
        request: &Value,
        namespace: Option<&Value>,
    ) -> Result<Vec<Finding>, String> {
        if !self
            .policies
            .judges(object.get("kind").and_then(Value::as_str))
        {
            return Ok(Vec::new());
        }
        let cx = InputContext {
            source: Source::Admission,
            operation: request.get("operation").and_then(Value::as_str),
            namespace,
            user: request.get("userInfo"),
            dry_run: request
                .get("dryRun")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        let input = object_input(object, &cx);
        let violations = self
            .policies
            .evaluate(&input, self.budget)
            .map_err(|e| e.to_string())?;
        let s = |p: &str| {
            object
                .pointer(p)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let resource = ResourceRef {
            kind: s("/kind").unwrap_or_default(),
            namespace: s("/metadata/namespace"),
            name: s("/metadata/name").unwrap_or_default(),
            api_version: s("/apiVersion"),
            arn: None,
        };
        Ok(violations
            .into_iter()
            .map(|v| Finding {
                rule_id: v.rule.id,
                rule_name: v.rule.name,
                severity: v.severity,
                domain: v.rule.domain,
                resource: resource.clone(),
                location: v.field.clone().map(|field| Location {
                    path: "admission".into(),
                    start_line: 0,
                    end_line: 0,
                    field: Some(field),
                }),
                remediation: match &v.remediation {
                    Some(r) => Cow::Owned(r.clone()),
                    None => Cow::Borrowed(v.rule.remediation),
                },
                references: &v.rule.references,
                message: v.message,
                fingerprint: String::new(),
                baseline: None,
                evidence: None,
            })
            .collect())
    }
}
