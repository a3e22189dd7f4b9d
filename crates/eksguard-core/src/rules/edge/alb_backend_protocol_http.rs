use std::collections::BTreeSet;

use k8s_openapi::api::networking::v1::Ingress;
use serde_json::Value;

use super::alb_without_waf::is_alb;
use crate::declare_rule;
use crate::inventory::{Input, Inventory, Obj};
use crate::rule::{Context, Domain, References, Scope, Severity};
use crate::rules::util::annotation;

const BACKEND_PROTOCOL: &str = "alb.ingress.kubernetes.io/backend-protocol";
/// Istio's default root namespace, where a selector-less PeerAuthentication is mesh-wide.
const MESH_ROOT: &str = "istio-system";

declare_rule! {
    /// ## What it does
    /// Flags internet-facing ALB Ingresses (`ingressClassName: alb` or the legacy
    /// `kubernetes.io/ingress.class: alb`, with `alb.ingress.kubernetes.io/scheme:
    /// internet-facing`) that send traffic to a backend Service over HTTP. The protocol is the
    /// `alb.ingress.kubernetes.io/backend-protocol` annotation of the backend Service, else of
    /// the Ingress, else `HTTP` (the AWS Load Balancer Controller's default; a Service
    /// annotation takes precedence over the Ingress one). Backends that are annotation actions
    /// (`use-annotation`: redirects, fixed responses, target groups outside Kubernetes) are
    /// skipped.
    ///
    /// Not reported when the Ingress namespace runs an Istio mesh with STRICT mutual TLS: a
    /// selector-less PeerAuthentication in the namespace set to STRICT (or, when it has none or
    /// UNSET, a selector-less STRICT one in `istio-system`), and no PeerAuthentication of the
    /// namespace weakening it to PERMISSIVE or DISABLE. That is the "service mesh" option of
    /// the seeds; the hop from the ALB to the mesh ingress stays HTTP inside the VPC.
    ///
    /// ## Why is this bad?
    /// TLS ends at the ALB: requests, credentials and session cookies then cross the VPC to the
    /// pods in clear text, readable by anything that can capture traffic on the path (a
    /// compromised node, a mirrored ENI). The seeds: encrypt traffic from the load balancer to
    /// the pods, with TLS in the application, a TLS sidecar or a service mesh.
    ///
    /// TLS sidecars and application TLS on a Service whose annotation is missing are not
    /// visible here; target groups are not read. A backend Service absent from the input is
    /// judged by the Ingress annotation alone.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Ingress
    /// metadata:
    ///   annotations: {alb.ingress.kubernetes.io/scheme: internet-facing}
    /// spec: {ingressClassName: alb, ...}
    /// ```
    /// Instead, serve TLS from the pods and set
    /// `alb.ingress.kubernetes.io/backend-protocol: HTTPS` (the ALB does not verify the pod
    /// certificate, so a self-signed one is enough).
    pub static RULE = Rule {
        id: "EDGE007",
        name: "alb-backend-protocol-http",
        domain: Domain::Edge,
        severity: Severity::Low,
        scope: Scope::Object,
        summary: "Internet-facing ALB forwards to pods over plain HTTP",
        remediation: "Serve TLS from the pods (or a TLS sidecar) and set alb.ingress.kubernetes.io/backend-protocol: HTTPS, or run the backends in a service mesh with STRICT mutual TLS.",
        references: References {
            seed: &["003 Encrypt communication"],
            urls: &["https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#backend-protocol", "https://aws.github.io/aws-eks-best-practices/security/docs/network/#encryption-in-transit"],
            ..References::NONE
        },
        needs: &[Input::Ingresses],
        check: run,
    };
}

/// Backend Service names of an Ingress (default backend and every rule path).
fn backend_services(ing: &Ingress) -> BTreeSet<&str> {
    let Some(spec) = ing.spec.as_ref() else {
        return BTreeSet::new();
    };
    let rules = spec.rules.iter().flatten();
    let paths = rules
        .filter_map(|r| r.http.as_ref())
        .flat_map(|h| h.paths.iter())
        .map(|p| &p.backend);
    spec.default_backend
        .iter()
        .chain(paths)
        .filter_map(|b| b.service.as_ref())
        .filter(|s| s.port.as_ref().and_then(|p| p.name.as_deref()) != Some("use-annotation"))
        .map(|s| s.name.as_str())
        .collect()
}

/// Istio PeerAuthentications: (namespace, has selector, mode).
fn peer_auths(inv: &Inventory) -> Vec<(&str, bool, Option<&str>)> {
    inv.other
        .iter()
        .filter(|o| {
            o.res.kind == "PeerAuthentication"
                && o.res
                    .api_version
                    .as_deref()
                    .is_some_and(|v| v.starts_with("security.istio.io/"))
        })
        .map(|o| {
            let spec = o.value.get("spec");
            let selector = spec
                .and_then(|s| s.pointer("/selector/matchLabels"))
                .and_then(Value::as_object)
                .is_some_and(|m| !m.is_empty());
            let mode = spec
                .and_then(|s| s.pointer("/mtls/mode"))
                .and_then(Value::as_str);
            (
                o.res.namespace.as_deref().unwrap_or("default"),
                selector,
                mode,
            )
        })
        .collect()
}

fn strict_mtls(pas: &[(&str, bool, Option<&str>)], ns: &str) -> bool {
    let wide = |n: &str| {
        pas.iter()
            .find(|(pn, sel, _)| *pn == n && !sel)
            .and_then(|(_, _, m)| *m)
            .filter(|m| *m != "UNSET")
    };
    let effective = wide(ns).or_else(|| wide(MESH_ROOT));
    let weakened = pas
        .iter()
        .any(|(pn, _, m)| *pn == ns && matches!(m, Some("PERMISSIVE" | "DISABLE")));
    effective == Some("STRICT") && !weakened
}

fn protocol_of<'a>(inv: &'a Inventory, ing: &'a Obj<Ingress>, svc: &str) -> &'a str {
    let ns = ing.res.namespace.as_deref();
    inv.services
        .iter()
        .find(|s| s.res.name == svc && s.res.namespace.as_deref() == ns)
        .and_then(|s| annotation(&s.metadata, BACKEND_PROTOCOL))
        .or_else(|| annotation(&ing.metadata, BACKEND_PROTOCOL))
        .unwrap_or("HTTP")
}

fn run(cx: &mut Context<'_>) {
    let inv = cx.inv;
    let pas = peer_auths(inv);
    for ing in inv.ingresses.iter().filter(|i| is_alb(i)) {
        if annotation(&ing.metadata, "alb.ingress.kubernetes.io/scheme") != Some("internet-facing")
        {
            continue;
        }
        if strict_mtls(&pas, ing.res.namespace.as_deref().unwrap_or("default")) {
            continue;
        }
        let services = backend_services(ing);
        let plain: Vec<&str> = services
            .iter()
            .copied()
            .filter(|s| !protocol_of(inv, ing, s).eq_ignore_ascii_case("HTTPS"))
            .collect();
        if plain.is_empty() {
            continue;
        }
        cx.report(
            ing,
            format!(
                "{} is an internet-facing ALB that forwards to Service(s) {} over plain HTTP",
                ing.res,
                plain.join(", ")
            ),
        )
        .at("metadata.annotations");
    }
}
