//! What an admitted object will cost in memory, told from its JSON text before it is parsed.
//!
//! Parsed, JSON takes far more room than its text: each mapping of a `serde_json::Value` is a
//! B-tree node of about 640 bytes, and the loader turns each item of a pod's lists into a
//! struct of a fixed size whatever its JSON (`{"name":"a"}`, 12 bytes, in `volumes` is a 3.3 KB
//! `Volume`). A 2.9 MiB Pod of small volumes would take hundreds of MiB. [`of`] walks the text
//! once, keeping nothing but its nesting, and estimates both: the review refuses an object
//! whose estimate is over its budget before it builds anything from it.

use std::fmt;

use k8s_openapi::api::core::v1::{
    Container, EnvFromSource, EnvVar, EphemeralContainer, Volume, VolumeMount,
};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Estimated bytes of one object: as a JSON value, and as the loader's typed objects.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// The `serde_json::Value` of the object.
    pub value: usize,
    /// The typed objects (and maps, strings) the loader builds from it.
    pub typed: usize,
}

impl Cost {
    pub fn total(self) -> usize {
        self.value.saturating_add(self.typed)
    }
}

/// The estimated cost of the JSON `text` (one value). An error when it is not JSON.
pub fn of(text: &str) -> Result<Cost, serde_json::Error> {
    let mut cost = Cost::default();
    let mut de = serde_json::Deserializer::from_str(text);
    Walk {
        cost: &mut cost,
        list: List::Other,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(cost)
}

/// A small struct, a map entry, a value slot.
const NODE: usize = 64;
/// One B-tree node of a `serde_json::Map` (11 entries of a 24-byte key and a 32-byte value).
const MAP_NODE: usize = 640;

/// A heap allocation of `len` bytes, with the allocator's overhead and minimum.
fn heap(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        (len + 8).div_ceil(16).saturating_mul(16).max(32)
    }
}

/// The lists whose items become structs of a known size.
#[derive(Clone, Copy)]
enum List {
    Volumes,
    Containers,
    Env,
    EnvFrom,
    VolumeMounts,
    Other,
}

impl List {
    fn of(key: &str) -> Self {
        match key {
            "volumes" => Self::Volumes,
            "containers" | "initContainers" | "ephemeralContainers" => Self::Containers,
            "env" => Self::Env,
            "envFrom" => Self::EnvFrom,
            "volumeMounts" => Self::VolumeMounts,
            _ => Self::Other,
        }
    }

    /// The typed size of one item.
    fn item(self) -> usize {
        match self {
            Self::Volumes => size_of::<Volume>(),
            Self::Containers => size_of::<Container>().max(size_of::<EphemeralContainer>()),
            Self::Env => size_of::<EnvVar>(),
            Self::EnvFrom => size_of::<EnvFromSource>(),
            Self::VolumeMounts => size_of::<VolumeMount>(),
            Self::Other => NODE,
        }
    }
}

/// Walks one value: `list` is what a sequence here holds (from the key it is under).
struct Walk<'c> {
    cost: &'c mut Cost,
    list: List,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.cost.value = self.cost.value.saturating_add(heap(s.len()));
        self.cost.typed = self.cost.typed.saturating_add(heap(s.len()));
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let each = self.list.item();
        // A vector of values grows by doubling: up to two slots an item.
        let mut n = 0usize;
        while seq
            .next_element_seed(Walk {
                cost: &mut *self.cost,
                list: List::Other,
            })?
            .is_some()
        {
            n += 1;
        }
        self.cost.value = self.cost.value.saturating_add(n.saturating_mul(2 * 32));
        self.cost.typed = self.cost.typed.saturating_add(n.saturating_mul(each));
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut n = 0usize;
        while let Some((list, key_len)) = map.next_key_seed(Key)? {
            n += 1;
            self.cost.value = self.cost.value.saturating_add(heap(key_len));
            self.cost.typed = self
                .cost
                .typed
                .saturating_add(NODE)
                .saturating_add(heap(key_len));
            map.next_value_seed(Walk {
                cost: &mut *self.cost,
                list,
            })?;
        }
        // One node for a small map; nodes are half full or more beyond it.
        let nodes = if n == 0 {
            0
        } else {
            1 + n.saturating_sub(11) / 5
        };
        self.cost.value = self
            .cost
            .value
            .saturating_add(nodes.saturating_mul(MAP_NODE));
        Ok(())
    }
}

/// A map key: what list a sequence under it holds, and its length.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = (List, usize);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(List, usize), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Key {
    type Value = (List, usize);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(List, usize), E> {
        Ok((List::of(s), s.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_volumes_cost_their_typed_size() {
        let n = 1000;
        let volumes: Vec<String> = (0..n).map(|i| format!("{{\"name\":\"{i}\"}}")).collect();
        let text = format!("{{\"spec\":{{\"volumes\":[{}]}}}}", volumes.join(","));
        let c = of(&text).expect("json");
        assert!(c.typed >= n * size_of::<Volume>(), "{c:?}");
        assert!(c.value >= n * MAP_NODE, "{c:?}");
        // Linear: twice the items, about twice the cost.
        let text2 = format!(
            "{{\"spec\":{{\"volumes\":[{},{}]}}}}",
            volumes.join(","),
            volumes.join(",")
        );
        let c2 = of(&text2).expect("json");
        assert!(c2.total() > c.total() * 19 / 10 && c2.total() < c.total() * 21 / 10);
    }

    #[test]
    fn not_json_is_an_error_and_deep_json_is_refused() {
        assert!(of("{\"a\":").is_err());
        assert!(of(&format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))).is_err());
        assert_eq!(of("\"\"").expect("json"), Cost::default());
    }
}
