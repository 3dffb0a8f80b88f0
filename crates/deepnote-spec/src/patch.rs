//! RFC 7396 JSON merge patch: objects merge key by key, any other value replaces, `null`
//! deletes a key. Written here (a dozen lines) so the codegen input and every test apply the
//! same rules.

use serde_json::{Map, Value};

/// Apply `patch` to `doc`. A `Null` patch changes nothing (an absent overlay section).
pub fn merge(doc: &mut Value, patch: &Value) {
    if patch.is_null() {
        return;
    }
    apply(doc, patch);
}

fn apply(doc: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *doc = patch.clone();
        return;
    };
    if !doc.is_object() {
        *doc = Value::Object(Map::new());
    }
    let Value::Object(doc) = doc else {
        unreachable!("made an object above")
    };
    for (key, value) in patch {
        if value.is_null() {
            doc.remove(key);
        } else {
            apply(doc.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc_7396_examples() {
        // The RFC's appendix A, a few of them.
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": "b"}),
                json!({"b": "c"}),
                json!({"a": "b", "b": "c"}),
            ),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (json!({"a": ["b"]}), json!({"a": "c"}), json!({"a": "c"})),
            (
                json!({"a": {"b": "c"}}),
                json!({"a": {"b": "d", "c": null}}),
                json!({"a": {"b": "d"}}),
            ),
            (json!(["a"]), json!({"a": "b"}), json!({"a": "b"})),
            (
                json!({}),
                json!({"a": {"bb": {"ccc": null}}}),
                json!({"a": {"bb": {}}}),
            ),
        ];
        for (mut doc, patch, want) in cases {
            merge(&mut doc, &patch);
            assert_eq!(doc, want);
        }
    }

    #[test]
    fn a_null_patch_is_no_change() {
        let mut doc = json!({"a": 1});
        merge(&mut doc, &Value::Null);
        assert_eq!(doc, json!({"a": 1}));
    }
}
