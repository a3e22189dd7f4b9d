use serde_json::Value;

use crate::declare_rule;
use crate::inventory::Input;
use crate::rule::{Context, Domain, References, Scope, Severity};

declare_rule! {
    /// ## What it does
    /// Flags Amazon EFS volumes of the EFS CSI driver (`efs.csi.aws.com`) whose volume attributes set
    /// `encryptInTransit: "false"`: inline CSI volumes in pod specs, and PersistentVolumes when they are
    /// part of the input.
    ///
    /// ## Why is this bad?
    /// The EFS CSI driver mounts file systems over TLS unless told not to. Without it, NFS traffic
    /// between the node and the EFS mount target crosses the VPC in clear text: file contents, and
    /// whatever credentials or personal data they hold, are readable by anything that can observe the
    /// subnet's traffic. The seeds ask for data to be encrypted in transit as well as at rest.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PersistentVolume
    /// spec:
    ///   csi:
    ///     driver: efs.csi.aws.com
    ///     volumeHandle: fs-0123456789abcdef0
    ///     volumeAttributes: {encryptInTransit: "false"}
    /// ```
    pub static RULE = Rule {
        id: "SEC012",
        name: "efs-volume-without-tls",
        domain: Domain::Sec,
        severity: Severity::Medium,
        scope: Scope::Object,
        summary: "EFS volume is mounted without encryption in transit",
        remediation: "Remove encryptInTransit: \"false\" from the volume attributes (the EFS CSI driver mounts with TLS by default).",
        references: References {
            seed: &["002 Data Encryption and Secret Management", "001 Infrastructure - Storage"],
            hardeneks: &["use_encryption_with_efs"],
            urls: &["https://github.com/kubernetes-sigs/aws-efs-csi-driver/blob/master/docs/README.md", "https://docs.aws.amazon.com/efs/latest/ug/encryption-in-transit.html"],
            ..References::NONE
        },
        needs: &[Input::Workloads],
        check: run,
    };
}

const DRIVER: &str = "efs.csi.aws.com";

fn tls_disabled(v: Option<&String>) -> bool {
    v.is_some_and(|v| v.trim().eq_ignore_ascii_case("false"))
}

fn run(cx: &mut Context<'_>) {
    for w in &cx.inv.workloads {
        for (i, v) in w.spec.volumes.iter().flatten().enumerate() {
            let Some(csi) = v.csi.as_ref().filter(|c| c.driver == DRIVER) else {
                continue;
            };
            let attrs = csi.volume_attributes.as_ref();
            if tls_disabled(attrs.and_then(|a| a.get("encryptInTransit"))) {
                let message = format!(
                    "{}: EFS volume {} is mounted without TLS (encryptInTransit: false)",
                    w.res, v.name
                );
                let at = w.field(&format!(
                    "volumes[{i}].csi.volumeAttributes.encryptInTransit"
                ));
                cx.report(w, message).at(at);
            }
        }
    }
    for pv in cx
        .inv
        .other
        .iter()
        .filter(|o| o.res.kind == "PersistentVolume")
    {
        let csi = pv.value.pointer("/spec/csi");
        if csi.and_then(|c| c.get("driver")).and_then(Value::as_str) != Some(DRIVER) {
            continue;
        }
        let off = csi
            .and_then(|c| c.pointer("/volumeAttributes/encryptInTransit"))
            .and_then(Value::as_str)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
        if off {
            let message = format!(
                "{} mounts its EFS file system without TLS (encryptInTransit: false)",
                pv.res
            );
            cx.report(pv, message)
                .at("spec.csi.volumeAttributes.encryptInTransit");
        }
    }
}
