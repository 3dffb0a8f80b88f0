//! The facts of the API this crate states as constants are the references' own: a spec update
//! that moves one fails here, naming the constant to change.

use serde_json::Value;

/// The two references and the overlay that codegen merges (`cargo xtask codegen`).
const DOCUMENTS: &[&str] = &[
    "deepnote-openapi.yml",
    "openapi/live.yml",
    "openapi/overlay.yml",
];

fn document(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The `maximum` of every query parameter named `name`, anywhere in `value`.
fn maxima(value: &Value, name: &str, out: &mut Vec<u64>) {
    match value {
        Value::Object(map) => {
            if map.get("name").and_then(Value::as_str) == Some(name)
                && let Some(max) = value.pointer("/schema/maximum").and_then(Value::as_u64)
            {
                out.push(max);
            }
            map.values().for_each(|v| maxima(v, name, out));
        }
        Value::Array(items) => items.iter().for_each(|v| maxima(v, name, out)),
        _ => {}
    }
}

#[test]
fn max_page_size_is_the_references_page_size_maximum() {
    let mut found = Vec::new();
    for name in DOCUMENTS {
        maxima(&document(name), "pageSize", &mut found);
    }
    assert!(!found.is_empty(), "no pageSize maximum in {DOCUMENTS:?}");
    for max in found {
        assert_eq!(
            max,
            u64::from(deepnote::list::MAX_PAGE_SIZE),
            "a reference caps pageSize at {max}: change deepnote::list::MAX_PAGE_SIZE"
        );
    }
}
