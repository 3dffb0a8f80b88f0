//! Serializing a value the SDK reads only partly: the fields it knows, under the API's names,
//! then every other field of the object the server sent, so nothing the server said is lost
//! when the value is printed again.

use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

/// `known` (name, value) first, in order, then the fields of `raw` not among them.
pub(crate) fn serialize<S: Serializer>(
    serializer: S,
    known: &[(&str, Value)],
    raw: &Map<String, Value>,
) -> Result<S::Ok, S::Error> {
    let rest = raw
        .iter()
        .filter(|(k, _)| !known.iter().any(|(name, _)| name == k));
    let mut map = serializer.serialize_map(None)?;
    for (name, value) in known {
        map.serialize_entry(name, value)?;
    }
    for (name, value) in rest {
        map.serialize_entry(name, value)?;
    }
    map.end()
}

/// An optional value as JSON (`null` when absent).
pub(crate) fn opt<T: serde::Serialize>(value: &Option<T>) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    struct S(serde_json::Map<String, serde_json::Value>);
    impl serde::Serialize for S {
        fn serialize<Z: serde::Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
            super::serialize(s, &[("id", json!("a")), ("name", json!(null))], &self.0)
        }
    }

    #[test]
    fn known_fields_win_and_the_rest_follow() {
        let raw = json!({"id": "stale", "extra": 1})
            .as_object()
            .unwrap()
            .clone();
        let text = serde_json::to_string(&S(raw)).unwrap();
        assert_eq!(text, r#"{"id":"a","name":null,"extra":1}"#);
    }
}
