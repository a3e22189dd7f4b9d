//! The input document policies see (`input`), and the Kubernetes objects of an inventory as
//! JSON.

use std::collections::HashMap;

use eksguard_core::inventory::{Inventory, Located};
use serde::Serialize;
use serde_json::{Value, json};

/// The version of the input document: `input.apiVersion`. A change that could break a policy
/// gets a new version.
pub const INPUT_VERSION: &str = "eksguard.io/v1";

/// `input.kind`.
pub const INPUT_KIND: &str = "PolicyInput";

/// Where the object comes from: `input.source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// `eksguard scan`: files, a snapshot or a live cluster.
    Scan,
    /// `eksguard serve`: an AdmissionReview.
    Admission,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scan => "scan",
            Self::Admission => "admission",
        }
    }
}

/// What surrounds the object in the input document.
#[derive(Debug, Clone, Copy)]
pub struct InputContext<'a> {
    pub source: Source,
    /// The admission operation: `CREATE`, `UPDATE`, `DELETE`, `CONNECT`; none in a scan.
    pub operation: Option<&'a str>,
    /// The object's Namespace object, when known.
    pub namespace: Option<&'a Value>,
    /// The AdmissionReview's `request.userInfo`.
    pub user: Option<&'a Value>,
    /// The AdmissionReview's `request.dryRun`.
    pub dry_run: bool,
}

impl InputContext<'_> {
    /// A scan's context: no operation, no user.
    pub fn scan() -> Self {
        Self {
            source: Source::Scan,
            operation: None,
            namespace: None,
            user: None,
            dry_run: false,
        }
    }
}

/// The input document for `object`:
///
/// ```json
/// {"apiVersion": "eksguard.io/v1", "kind": "PolicyInput", "source": "admission",
///  "operation": "CREATE", "object": {...}, "namespace": {...}, "user": {...}, "dryRun": false}
/// ```
pub fn object_input(object: &Value, cx: &InputContext<'_>) -> Value {
    json!({
        "apiVersion": INPUT_VERSION,
        "kind": INPUT_KIND,
        "source": cx.source.as_str(),
        "operation": cx.operation,
        "object": object,
        "namespace": cx.namespace,
        "user": cx.user,
        "dryRun": cx.dry_run,
    })
}

/// One Kubernetes object of an inventory: where findings go, its JSON, its namespace.
pub(crate) struct Object<'a> {
    pub target: &'a (dyn Located + Sync),
    pub json: Value,
    pub namespace: Option<&'a str>,
}

fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Every Kubernetes object of `inv` (AWS resources are not policy input), as the input had it.
/// Workloads whose controller is also in the inventory were dropped at load: policies see the
/// Deployment, not its ReplicaSet and Pods. Secrets carry their keys, never their values.
pub(crate) fn objects(inv: &Inventory) -> Vec<Object<'_>> {
    let mut out = Vec::new();
    for w in &inv.workloads {
        out.push(Object {
            target: w,
            json: w.object_json(),
            namespace: w.res.namespace.as_deref(),
        });
    }
    macro_rules! typed {
        ($($list:ident),*) => {$(
            for o in &inv.$list {
                out.push(Object {
                    target: o,
                    json: to_json(&o.value),
                    namespace: o.res.namespace.as_deref(),
                });
            }
        )*};
    }
    eksguard_core::kube_object_lists!(typed);
    for o in &inv.other {
        out.push(Object {
            target: o,
            json: o.value.clone(),
            namespace: o.res.namespace.as_deref(),
        });
    }
    out
}

/// The Namespace objects of `inv` by name, as JSON.
pub(crate) fn namespaces(inv: &Inventory) -> HashMap<&str, Value> {
    inv.namespaces
        .iter()
        .map(|n| (n.res.name.as_str(), to_json(&n.value)))
        .collect()
}
