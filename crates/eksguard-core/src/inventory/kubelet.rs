//! The live kubelet configuration of a node, as the API server serves it at
//! `/api/v1/nodes/NAME/proxy/configz`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One node's kubelet configuration: exactly what
/// `kubectl get --raw /api/v1/nodes/NAME/proxy/configz` returns (`{"kubeletconfig": {...}}`),
/// plus an optional top-level `"node"` key with the node's name. kubectl's raw output carries no
/// node name, so `eksguard snapshot` adds that key; without it, findings name the node by the
/// file the document came from.
///
/// The kubelet serves its effective configuration (defaults applied) in the
/// `kubelet.config.k8s.io/v1beta1` encoding, where zero values of non-pointer fields are omitted
/// (`readOnlyPort: 0`, `rotateCertificates: false` do not appear). Rules read it as JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KubeletConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub kubeletconfig: Value,
}

impl KubeletConfig {
    /// The value at a JSON pointer into `kubeletconfig` (`/authentication/anonymous/enabled`).
    pub fn get(&self, pointer: &str) -> Option<&Value> {
        self.kubeletconfig.pointer(pointer)
    }

    pub fn get_bool(&self, pointer: &str) -> Option<bool> {
        self.get(pointer).and_then(Value::as_bool)
    }

    pub fn get_str(&self, pointer: &str) -> Option<&str> {
        self.get(pointer).and_then(Value::as_str)
    }

    pub fn get_i64(&self, pointer: &str) -> Option<i64> {
        self.get(pointer).and_then(Value::as_i64)
    }
}
