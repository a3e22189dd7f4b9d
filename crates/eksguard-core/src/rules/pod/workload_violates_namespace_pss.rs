use crate::declare_rule;
use crate::inventory::Input;
use crate::pss::namespace::NamespacePolicy;
use crate::pss::{Level, evaluate};
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Evaluates every workload against the Pod Security level its namespace enforces
    /// (`pod-security.kubernetes.io/enforce` at its `enforce-version`), exactly as the Pod
    /// Security Admission controller does, and flags those that would be rejected.
    ///
    /// ## Why is this bad?
    /// Admission checks pods when they are created, not the Deployments that create them. A
    /// Deployment whose template violates its namespace's level keeps its old pods but cannot
    /// start new ones: the next rollout, scale-up or node drain leaves it without pods. Running
    /// Pods that violate it were admitted before the label was set.
    ///
    /// ## Example
    /// A namespace labelled `pod-security.kubernetes.io/enforce: restricted` and a Deployment in
    /// it without `runAsNonRoot: true`.
    /// Instead, fix the pod template (`eksguard pss --level restricted` lists every violation), or
    /// lower the namespace's level deliberately.
    pub static RULE = Rule {
        id: "POD014",
        name: "workload-violates-namespace-pss",
        domain: Domain::Pod,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Workload would be rejected by its namespace's Pod Security level",
        remediation: "Fix the pod template so it passes the namespace's enforced level (see the violations and eksguard pss), before its next rollout.",
        references: References {
            seed: &["002 POD Security"],
            urls: &["https://kubernetes.io/docs/concepts/security/pod-security-admission/"],
            ..References::NONE
        },
        needs: &[Input::Workloads, Input::Namespaces],
        check: run,
    };
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    for w in &inv.workloads {
        let Some(ns) = inv.namespace(w.namespace()) else {
            continue;
        };
        let Some(enforce) = NamespacePolicy::from_meta(&ns.metadata).enforce else {
            continue;
        };
        if enforce.level == Level::Privileged {
            continue;
        }
        let result = evaluate(&w.template, &w.spec, enforce.level, enforce.version);
        if result.allowed {
            continue;
        }
        let what: Vec<String> = result
            .violations
            .iter()
            .map(crate::pss::Violation::message)
            .collect();
        let when = if w.res.kind == "Pod" {
            "violates"
        } else {
            "would be rejected on its next rollout by"
        };
        let field = result.violations[0]
            .fields
            .first()
            .map_or_else(|| w.spec_path.to_string(), |f| w.pod_field(f));
        cx.report(
            w,
            format!(
                "{} {when} namespace {}'s enforce={}:{}: {}",
                w.res,
                ns.res.name,
                enforce.level,
                enforce.version,
                what.join(", ")
            ),
        )
        .at(field);
    }
}
