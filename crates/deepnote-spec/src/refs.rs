//! `$ref`s: finding the ones that point at nothing (typify panics on them, with a long
//! backtrace, rather than returning an error) and inlining the rest for validators.

use serde_json::Value;

/// A `$ref` whose target the document lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dangling {
    /// The reference as written, e.g. `#/components/schemas/Error`.
    pub reference: String,
    /// Where in the document it is (a JSON pointer).
    pub at: String,
}

/// Every local `$ref` in `doc` whose target is missing. A reference to another file counts
/// as missing too: nothing here reads other files.
pub fn dangling(doc: &Value) -> Vec<Dangling> {
    let mut out = Vec::new();
    walk(doc, doc, &mut String::new(), &mut out);
    out
}

fn walk(root: &Value, v: &Value, at: &mut String, out: &mut Vec<Dangling>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && target(root, r).is_none()
            {
                out.push(Dangling {
                    reference: r.clone(),
                    at: at.clone(),
                });
            }
            for (k, val) in map {
                let len = at.len();
                at.push('/');
                at.push_str(&k.replace('~', "~0").replace('/', "~1"));
                walk(root, val, at, out);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, val) in items.iter().enumerate() {
                let len = at.len();
                at.push('/');
                at.push_str(&i.to_string());
                walk(root, val, at, out);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// The value a local `$ref` points at.
pub fn target<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

/// One line per dangling reference: what it points at, where in the document, and the first
/// line of any of `files` (name, text) that writes it.
pub fn describe(dangling: &[Dangling], files: &[(&str, &String)]) -> String {
    let mut lines = Vec::new();
    for d in dangling {
        let written = files.iter().find_map(|(name, text)| {
            let target = d.reference.as_str();
            text.lines()
                .position(|l| l.contains(target))
                .map(|i| format!("{name}:{}", i + 1))
        });
        lines.push(format!(
            "  {} (at {}){}",
            d.reference,
            if d.at.is_empty() { "/" } else { &d.at },
            written
                .map(|w| format!(", written at {w}"))
                .unwrap_or_default()
        ));
    }
    lines.join("\n")
}

/// `doc` with every local `$ref` replaced by its target (siblings of the `$ref` kept), for
/// validators that do not resolve references. Cycles stop at `max_depth`.
pub fn inlined(doc: &Value, max_depth: usize) -> Value {
    let mut out = doc.clone();
    inline(&mut out, doc, 0, max_depth);
    out
}

fn inline(v: &mut Value, root: &Value, depth: usize, max_depth: usize) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && depth < max_depth
                && let Some(found) = target(root, r)
            {
                let mut found = found.clone();
                inline(&mut found, root, depth + 1, max_depth);
                map.remove("$ref");
                if let Value::Object(t) = found {
                    for (k, val) in t {
                        map.entry(k).or_insert(val);
                    }
                }
            } else {
                for val in map.values_mut() {
                    inline(val, root, depth, max_depth);
                }
            }
        }
        Value::Array(items) => {
            for val in items {
                inline(val, root, depth, max_depth);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_what_points_at_nothing_and_where_it_is_written() {
        let doc = json!({
            "components": {"schemas": {"A": {"type": "string"}}},
            "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json":
                {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "201": {"$ref": "#/components/schemas/A"}}}}}
        });
        let found = dangling(&doc);
        assert_eq!(
            found,
            vec![Dangling {
                reference: "#/components/schemas/Error".into(),
                at: "/paths/~1x/get/responses/200/content/application~1json/schema".into()
            }]
        );
        let text = "a: 1\n  $ref: '#/components/schemas/Error'\n".to_string();
        let said = describe(&found, &[("overlay.yml", &text)]);
        assert!(said.contains("overlay.yml:2"), "{said}");
    }

    #[test]
    fn inlines_references_and_stops_on_cycles() {
        let doc = json!({
            "components": {"schemas": {"A": {"properties": {"me": {"$ref": "#/components/schemas/A"}}}}},
            "x": {"$ref": "#/components/schemas/A"}
        });
        let out = inlined(&doc, 3);
        assert!(out["x"]["properties"]["me"]["properties"].is_object());
    }
}
