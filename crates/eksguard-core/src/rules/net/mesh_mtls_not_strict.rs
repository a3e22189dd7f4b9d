use serde_json::Value;

use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Istio `PeerAuthentication` objects (`security.istio.io`) whose mutual TLS mode is
    /// `PERMISSIVE` or `DISABLE`, for the whole policy or for a port (`portLevelMtls`).
    ///
    /// ## Why is this bad?
    /// The seeds ask to encrypt pod-to-pod traffic, for example with a service mesh. In
    /// `PERMISSIVE` mode the sidecars still accept plain text, so any pod (or an attacker on
    /// the node network) can talk to the workload without a certificate and read or alter
    /// the traffic of clients without sidecars; `DISABLE` turns mTLS off entirely.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: security.istio.io/v1
    /// kind: PeerAuthentication
    /// spec: {mtls: {mode: PERMISSIVE}}
    /// ```
    /// Instead, `mode: STRICT` (mesh-wide in `istio-system` once every client has a sidecar).
    pub static RULE = Rule {
        id: "NET013",
        name: "mesh-mtls-not-strict",
        domain: Domain::Net,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "Service mesh accepts plain-text traffic (PeerAuthentication not STRICT)",
        remediation: "Set the PeerAuthentication mtls.mode (and every portLevelMtls mode) to STRICT once all clients run in the mesh.",
        references: References {
            seed: &["002 Network Security", "003 Encrypt communication"],
            urls: &["https://istio.io/latest/docs/reference/config/security/peer_authentication/", "https://aws.github.io/aws-eks-best-practices/security/docs/network/#encryption-in-transit"],
            ..References::NONE
        },
        needs: &[Input::MeshPolicies],
        check: run,
    };
}

fn weak(mode: Option<&str>) -> Option<&str> {
    mode.filter(|m| matches!(*m, "PERMISSIVE" | "DISABLE"))
}

fn run(cx: &mut Context<'_>) {
    for o in &cx.inv.other {
        let group_ok = o
            .res
            .api_version
            .as_deref()
            .is_some_and(|v| v.starts_with("security.istio.io/"));
        if o.res.kind != "PeerAuthentication" || !group_ok {
            continue;
        }
        let spec = o.value.get("spec");
        let mode = spec
            .and_then(|s| s.pointer("/mtls/mode"))
            .and_then(Value::as_str);
        if let Some(m) = weak(mode) {
            cx.report(
                o,
                format!(
                    "{} sets mutual TLS mode {m}: plain-text connections are accepted",
                    o.res
                ),
            )
            .at("spec.mtls.mode");
        }
        if let Some(ports) = spec
            .and_then(|s| s.get("portLevelMtls"))
            .and_then(Value::as_object)
        {
            for (port, v) in ports {
                if let Some(m) = weak(v.get("mode").and_then(Value::as_str)) {
                    cx.report(
                        o,
                        format!("{} sets mutual TLS mode {m} on port {port}", o.res),
                    )
                    .at(format!("spec.portLevelMtls.{port}.mode"));
                }
            }
        }
    }
}
