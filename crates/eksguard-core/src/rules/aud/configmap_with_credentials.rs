use super::util::past;
use crate::declare_rule;
use crate::detect::detector::Cx;
use crate::detect::detector::object_of;
use crate::detect::event::Event;
use crate::rule::{Domain, References, Scope, Severity, audit_events_only};

declare_rule! {
    /// ## What it does
    /// Flags ConfigMaps created or changed whose data names or holds an AWS access key id, a password
    /// or a passphrase. The finding names the keys, never their values.
    ///
    /// ## Why is this bad?
    /// ConfigMaps are not secret: they are readable by far more identities than Secrets, are not
    /// encrypted with the cluster's KMS key and end up in logs and Git.
    ///
    /// ## Example
    /// An audit event this rule reports:
    /// ```json
    /// {"requestURI":"/api/v1/namespaces/shop/configmaps","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.1.5"],"objectRef":{"resource":"configmaps","namespace":"shop","name":"db-config","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestObject":{"kind":"ConfigMap","data":{"db_password":"hunter2","host":"db"}}}
    /// ```
    pub static RULE = Rule {
        id: "AUD022",
        name: "configmap-with-credentials",
        domain: Domain::Aud,
        severity: Severity::Medium,
        scope: Scope::Audit,
        summary: "A ConfigMap holding what looks like a credential was created or modified",
        remediation: "Move the value to a Secret (or AWS Secrets Manager through the CSI driver) and rotate it: it has been exposed.",
        references: References {
            seed: &["001 Encryption - Data at Rest"],
            falco: &["Create/Modify Configmap With Private Credentials"],
            urls: &["https://aws.github.io/aws-eks-best-practices/security/docs/detective/"],
            ..References::NONE
        },
        needs: &[],
        check: audit_events_only,
    };
}

pub fn detect(ev: &Event<'_>, cx: &mut Cx<'_>) {
    if ev.resource() != "configmaps" || !ev.is_modify() || !ev.succeeded() {
        return;
    }
    let Some(cm) = ev.request::<serde_json::Value>() else {
        return;
    };
    let Some(data) = cm.get("data").and_then(serde_json::Value::as_object) else {
        return;
    };
    let markers = [
        "aws_access_key_id",
        "aws-access-key-id",
        "aws_s3_access_key_id",
        "aws-s3-access-key-id",
        "password",
        "passphrase",
    ];
    let keys: Vec<&str> = data
        .iter()
        .filter(|(k, v)| {
            let v = v.as_str().unwrap_or_default();
            markers.iter().any(|m| k.contains(m) || v.contains(m))
        })
        .map(|(k, _)| k.as_str())
        .collect();
    if keys.is_empty() {
        return;
    }
    cx.fire(
        format!("{}/{}", ev.namespace(), ev.name()),
        object_of(ev),
        format!(
            "{} {} ConfigMap {}/{} with credential-like keys: {}",
            ev.username(),
            past(ev.verb()),
            ev.namespace(),
            ev.name(),
            keys.join(", ")
        ),
    );
}
