use crate::declare_rule;
use crate::inventory::Input;
use crate::rbac::{Grant, Rbac};
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::rbac::{Opts, Perm, holders, perms, unbound_roles};

declare_rule! {
    /// ## What it does
    /// Flags every subject that may approve certificate signing requests: `update` or `patch` on
    /// `certificatesigningrequests/approval` together with `approve` on `signers`
    /// (certificates.k8s.io), through any bindings. The finding is on the binding that grants the
    /// approval and names the signers. A role of the input that grants both and that no binding
    /// uses is reported on itself. Kubernetes' and EKS's own grants and roles that grant everything
    /// (RBAC002, RBAC003) are not reported.
    ///
    /// ## Why is this bad?
    /// A subject that can create a CSR and approve it gets a certificate from the cluster's
    /// signers: for the API server client signer, a client certificate for any user name and group,
    /// `system:masters` included, which no RBAC change revokes before it expires.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    /// - apiGroups: ["certificates.k8s.io"]
    ///   resources: ["certificatesigningrequests/approval"]
    ///   verbs: ["update"]
    /// - apiGroups: ["certificates.k8s.io"]
    ///   resources: ["signers"]
    ///   verbs: ["approve"]
    /// ```
    /// Instead, leave approval to the controller that owns a signer, with `resourceNames:
    /// [example.com/my-signer]`.
    ///
    /// ## Differences from peers
    /// KubeLinter `approve-signers-without-resource-names` flags `approve` on signers without
    /// `resourceNames`; this rule requires both halves of approval and reports named signers too,
    /// since approving for the API server client signer is enough.
    pub static RULE = Rule {
        id: "RBAC015",
        name: "csr-approval-access",
        domain: Domain::Rbac,
        severity: Severity::High,
        scope: Scope::Cluster,
        summary: "Subject can approve certificate signing requests",
        remediation: "Keep CSR approval to the controllers that need it, with resourceNames naming the one signer they approve for.",
        references: References {
            seed: &["001 Authentication", "002 Least Privilege Model"],
            kubelinter: &["approve-signers-without-resource-names"],
            urls: &["https://kubernetes.io/docs/concepts/security/rbac-good-practices/#csrs-and-certificate-issuing", "https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization"],
            ..References::NONE
        },
        needs: &[Input::Rbac],
        check: run,
    };
}

fn approval() -> Vec<Perm> {
    perms(
        &["update", "patch"],
        &["certificatesigningrequests/approval"],
    )
}

fn signers() -> Vec<Perm> {
    perms(&["approve"], &["signers"])
}

fn signer_names(grants: &[&Grant]) -> String {
    if grants.iter().any(|g| g.resource_names.is_empty()) {
        return "any signer".to_string();
    }
    let mut names: Vec<&str> = grants
        .iter()
        .flat_map(|g| g.resource_names.iter().map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    format!("signers {}", names.join(", "))
}

fn run(cx: &mut Context<'_>) {
    let rbac = Rbac::new(cx.inv);
    let restricted = Opts { restricted: true };
    let signer_perms = signers();
    let signer_grants: Vec<Grant> = holders(&rbac, &signer_perms, restricted)
        .into_iter()
        .flat_map(|h| h.grants.into_iter().map(|(_, g)| g))
        .collect();
    let approval_perms = approval();
    for h in holders(&rbac, &approval_perms, restricted) {
        let (Some(b), Some((_, first))) = (rbac.bindings.get(h.binding_index), h.grants.first())
        else {
            continue;
        };
        let mine: Vec<&Grant> = signer_grants
            .iter()
            .filter(|g| g.subject == first.subject)
            .collect();
        let Some(s) = mine.first() else {
            continue;
        };
        let msg = format!(
            "{} can approve certificate signing requests for {}: certificatesigningrequests/approval through {} → {} ({}), signers through {} → {} ({})",
            first.subject,
            signer_names(&mine),
            first.binding,
            first.role,
            first.rule_path(),
            s.binding,
            s.role,
            s.rule_path()
        );
        cx.report(b.target, msg)
            .at(format!("subjects[{}]", h.subject_index));
    }
    let inv = cx.inv;
    for r in unbound_roles(inv, &rbac) {
        if !r.cluster_scoped {
            continue;
        }
        let find = |ps: &[Perm]| {
            r.rules.iter().position(|rule| {
                ps.iter()
                    .any(|p| crate::rbac::rule_allows(rule, p.verb, &p.target).is_some())
            })
        };
        if let (Some(a), Some(s)) = (find(&approval_perms), find(&signer_perms)) {
            let msg = format!(
                "{} lets whoever it is bound to approve certificate signing requests (rules[{a}]) for signers (rules[{s}]); no binding in the input uses it yet",
                r.describe()
            );
            cx.report(r.target, msg).at(format!("rules[{a}]"));
        }
    }
}
