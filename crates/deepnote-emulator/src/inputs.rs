//! A notebook's input blocks as the live API shows and checks them.
//!
//! Deepnote accepts input values that are a string, a boolean or a list of strings, and each
//! must fit its input block: a slider takes a numeric string, a checkbox a boolean, a
//! multi-select a list of strings, a date range `[start, end]` or a string, every other kind a
//! string. A name no input block defines is refused.

use crate::error::Refusal;
use crate::state::{BlockRecord, NotebookRecord};
use serde_json::{Map, Value, json};

/// What a value of an input block must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Text,
    NumericText,
    Bool,
    TextList,
    DateRange,
}

fn expect(block: &BlockRecord) -> Expect {
    match block.kind.as_str() {
        "input-slider" => Expect::NumericText,
        "input-checkbox" => Expect::Bool,
        "input-select" if multiple(block) => Expect::TextList,
        "input-date-range" => Expect::DateRange,
        _ => Expect::Text,
    }
}

fn multiple(block: &BlockRecord) -> bool {
    block
        .metadata
        .get("deepnote_allow_multiple_values")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn fits(expect: Expect, v: &Value) -> bool {
    let texts = |v: &Value| v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
    match expect {
        Expect::Text => v.is_string(),
        Expect::NumericText => v
            .as_str()
            .is_some_and(|s| s.trim().parse::<f64>().is_ok_and(f64::is_finite)),
        Expect::Bool => v.is_boolean(),
        Expect::TextList => texts(v),
        Expect::DateRange => {
            v.is_string() || (texts(v) && v.as_array().is_some_and(|a| a.len() == 2))
        }
    }
}

fn describe(expect: Expect) -> &'static str {
    match expect {
        Expect::Text => "a string",
        Expect::NumericText => "a numeric string",
        Expect::Bool => "a boolean",
        Expect::TextList => "a list of strings",
        Expect::DateRange => "a [start, end] pair of strings or a string",
    }
}

/// Refuse `inputs` the notebook's input blocks do not accept (400 naming the input).
pub fn check(notebook: &NotebookRecord, inputs: &Map<String, Value>) -> Result<(), Refusal> {
    for (name, value) in inputs {
        let Some(block) = notebook
            .blocks
            .iter()
            .find(|b| b.is_input() && b.input_name() == Some(name.as_str()))
        else {
            return Err(Refusal::bad(format!(
                "Input \"{name}\" is not defined for this notebook"
            )));
        };
        let shape_ok = value.is_string() || value.is_boolean() || {
            value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_string))
        };
        let want = expect(block);
        if !shape_ok || !fits(want, value) {
            return Err(Refusal::bad(format!(
                "Input \"{name}\" must be {} for a {} block",
                describe(want),
                block.kind
            )));
        }
    }
    Ok(())
}

/// The block's current value, or its kind's default (as `.deepnote` files default them).
pub fn current_value(block: &BlockRecord) -> Value {
    if let Some(v) = block.metadata.get("deepnote_variable_value") {
        return v.clone();
    }
    match expect(block) {
        Expect::NumericText => json!("0"),
        Expect::Bool => json!(false),
        Expect::TextList => json!([]),
        Expect::Text | Expect::DateRange => json!(""),
    }
}

/// The notebook's inputs as `GET /notebooks/{id}` lists them in the live dialect.
pub fn listing(notebook: &NotebookRecord) -> Vec<Value> {
    notebook
        .blocks
        .iter()
        .filter(|b| b.is_input())
        .map(|b| {
            let name = b.input_name().unwrap_or_default();
            let mut v = json!({
                "blockId": b.id,
                "name": name,
                "type": b.kind,
                "value": current_value(b),
                "label": b
                    .metadata
                    .get("deepnote_input_label")
                    .and_then(Value::as_str)
                    .filter(|l| !l.is_empty())
                    .unwrap_or(name),
            });
            for (key, field) in [
                ("deepnote_variable_options", "options"),
                ("deepnote_slider_min_value", "min"),
                ("deepnote_slider_max_value", "max"),
                ("deepnote_slider_step", "step"),
            ] {
                if let Some(x) = b.metadata.get(key) {
                    v[field] = x.clone();
                }
            }
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, name: &str, meta: Value) -> BlockRecord {
        let mut b = BlockRecord::new(format!("b-{name}"), kind, "");
        b.variable = Some(name.into());
        b.metadata = meta.as_object().cloned().unwrap_or_default();
        b
    }

    fn notebook() -> NotebookRecord {
        NotebookRecord {
            id: "nb".into(),
            project_id: "p".into(),
            name: "n".into(),
            seq: 1,
            blocks: vec![
                input("input-text", "region", json!({})),
                input("input-slider", "limit", json!({})),
                input("input-checkbox", "flag", json!({})),
                input(
                    "input-select",
                    "tags",
                    json!({"deepnote_allow_multiple_values": true}),
                ),
                input("input-select", "one", json!({})),
                input("input-date-range", "span", json!({})),
                BlockRecord::new("code", "code", "print(1)"),
            ],
        }
    }

    #[test]
    fn values_must_fit_their_block() {
        let nb = notebook();
        let ok = |v: Value| check(&nb, v.as_object().unwrap()).is_ok();
        assert!(ok(json!({"region": "EMEA", "limit": "10", "flag": true})));
        assert!(ok(
            json!({"tags": ["a", "b"], "one": "x", "span": ["2026-01-01", "2026-02-01"]})
        ));
        assert!(ok(json!({"span": "past7days"})));
        assert!(!ok(json!({"limit": 10})), "a number is not a string");
        assert!(!ok(json!({"limit": "ten"})));
        assert!(!ok(json!({"flag": "true"})));
        assert!(!ok(json!({"tags": "a"})));
        assert!(!ok(json!({"one": ["a"]})));
        assert!(!ok(json!({"span": ["2026-01-01"]})));
        assert!(!ok(json!({"region": null})));
        assert!(!ok(json!({"region": {"x": 1}})));
        let e = check(&nb, json!({"x": "1"}).as_object().unwrap()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Input \"x\" is not defined for this notebook"
        );
        let e = check(&nb, json!({"limit": 3}).as_object().unwrap()).unwrap_err();
        assert!(e.to_string().contains("\"limit\""), "{e}");
    }
}
