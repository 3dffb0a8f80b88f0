//! The values a run's input blocks take, and the check of a run's inputs against the
//! notebook's input blocks before anything is sent.
//!
//! Deepnote accepts exactly a string, a boolean or a list of strings for an input, typed by
//! its block: a slider takes a numeric *string*, a checkbox a boolean, a multi-select a list.
//! A number sent as a JSON number, or a name no block defines, is a 400 on the service.
//!
//! The values and the input blocks are here; the checks of values against blocks, one
//! notebook's or a batch's, are in `check`.

mod check;

pub(crate) use check::{check, route};

use serde::{Deserialize, Serialize};
use std::fmt;

/// One input block's value, as Deepnote accepts it: a string, a boolean or a list of strings.
///
/// Numbers convert to their decimal text (`5` becomes `"5"`), the form Deepnote wants for a
/// slider. Serialized as the bare JSON value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum InputValue {
    /// Text: text, textarea, select, date, slider (as a number's text) and file inputs.
    Text(String),
    /// A checkbox.
    Bool(bool),
    /// A multi-select, or a date range `[start, end]`.
    List(Vec<String>),
}

impl InputValue {
    /// The value as JSON: a string, a boolean or an array of strings (it cannot fail, so
    /// bodies built by hand need no error path for it).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        match self {
            InputValue::Text(s) => s.clone().into(),
            InputValue::Bool(b) => (*b).into(),
            InputValue::List(items) => items.clone().into(),
        }
    }

    /// Which of the three kinds it is.
    pub fn kind(&self) -> InputValueKind {
        match self {
            InputValue::Text(_) => InputValueKind::Text,
            InputValue::Bool(_) => InputValueKind::Bool,
            InputValue::List(_) => InputValueKind::List,
        }
    }

    /// The text, for a text value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            InputValue::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// The kind of an [`InputValue`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputValueKind {
    /// A string.
    Text,
    /// A boolean.
    Bool,
    /// A list of strings.
    List,
}

impl fmt::Display for InputValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputValueKind::Text => "a string",
            InputValueKind::Bool => "a boolean",
            InputValueKind::List => "a list of strings",
        })
    }
}

impl From<&str> for InputValue {
    fn from(s: &str) -> Self {
        InputValue::Text(s.to_string())
    }
}

impl From<String> for InputValue {
    fn from(s: String) -> Self {
        InputValue::Text(s)
    }
}

impl From<&String> for InputValue {
    fn from(s: &String) -> Self {
        InputValue::Text(s.clone())
    }
}

impl From<bool> for InputValue {
    fn from(b: bool) -> Self {
        InputValue::Bool(b)
    }
}

impl From<Vec<String>> for InputValue {
    fn from(list: Vec<String>) -> Self {
        InputValue::List(list)
    }
}

impl From<Vec<&str>> for InputValue {
    fn from(list: Vec<&str>) -> Self {
        InputValue::List(list.into_iter().map(str::to_string).collect())
    }
}

impl From<&[&str]> for InputValue {
    fn from(list: &[&str]) -> Self {
        InputValue::List(list.iter().map(|s| s.to_string()).collect())
    }
}

impl<const N: usize> From<[&str; N]> for InputValue {
    fn from(list: [&str; N]) -> Self {
        InputValue::List(list.iter().map(|s| s.to_string()).collect())
    }
}

macro_rules! numbers_as_text {
    ($($t:ty),*) => {$(
        impl From<$t> for InputValue {
            /// Deepnote wants numbers (a slider's value) as their text.
            fn from(n: $t) -> Self {
                InputValue::Text(n.to_string())
            }
        }
    )*};
}

numbers_as_text!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

/// An input block of a notebook, as `GET /notebooks/{id}` describes it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NotebookInput {
    /// The input's variable name: the key a run's inputs use.
    pub name: String,
    /// The input block's type (`input-text`, `input-slider`, `input-checkbox`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its current value, when the server gave one this crate can hold.
    pub value: Option<InputValue>,
    /// The choices, for the kinds that have them.
    pub options: Vec<String>,
    /// The smallest value, for a slider.
    pub min: Option<f64>,
    /// The largest value, for a slider.
    pub max: Option<f64>,
    /// The step, for a slider.
    pub step: Option<f64>,
    /// The label shown above it.
    pub label: Option<String>,
    /// The input block's ID.
    pub block_id: Option<String>,
}

impl NotebookInput {
    /// An input of this name and block type, with nothing else known.
    pub fn new(name: impl Into<String>, kind: impl Into<String>) -> Self {
        NotebookInput {
            name: name.into(),
            kind: kind.into(),
            value: None,
            options: Vec::new(),
            min: None,
            max: None,
            step: None,
            label: None,
            block_id: None,
        }
    }

    /// From the JSON the API gives for one input; `None` for one without a name, which no run
    /// could set anyway.
    pub(crate) fn from_json(v: &serde_json::Value) -> Option<NotebookInput> {
        let text = |key: &str| v.get(key).and_then(|x| x.as_str()).map(str::to_string);
        let number = |key: &str| {
            v.get(key).and_then(|x| match x {
                serde_json::Value::Number(n) => n.as_f64(),
                serde_json::Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
        };
        let name = text("name").filter(|n| !n.is_empty())?;
        Some(NotebookInput {
            name,
            kind: text("type").unwrap_or_default(),
            value: v
                .get("value")
                .and_then(|x| serde_json::from_value(x.clone()).ok()),
            options: v
                .get("options")
                .and_then(|x| x.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|o| o.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            min: number("min"),
            max: number("max"),
            step: number("step"),
            label: text("label"),
            block_id: text("blockId"),
        })
    }

    /// The value kinds Deepnote takes for this block type; `None` for a type this crate does
    /// not know, which is not checked.
    pub fn accepts(&self) -> Option<&'static [InputValueKind]> {
        use InputValueKind::{Bool, List, Text};
        Some(match self.kind.as_str() {
            "input-text" | "input-textarea" | "input-slider" | "input-date" | "input-file" => {
                &[Text]
            }
            "input-checkbox" => &[Bool],
            // A select may allow several values; a date range is `[start, end]` or a preset name.
            "input-select" | "input-date-range" => &[Text, List],
            _ => return None,
        })
    }
}

impl fmt::Display for NotebookInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{} ({})", self.name, self.kind)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_serialize_bare_and_numbers_become_text() {
        let cases: Vec<(InputValue, serde_json::Value)> = vec![
            ("EMEA".into(), json!("EMEA")),
            (String::from("x").into(), json!("x")),
            (true.into(), json!(true)),
            (vec!["a", "b"].into(), json!(["a", "b"])),
            (vec![String::from("a")].into(), json!(["a"])),
            ((&["a", "b"][..]).into(), json!(["a", "b"])),
            (["x", "y", "z"].into(), json!(["x", "y", "z"])),
            (10.into(), json!("10")),
            (10u8.into(), json!("10")),
            ((-3i64).into(), json!("-3")),
            (2.5f64.into(), json!("2.5")),
            (0.5f32.into(), json!("0.5")),
        ];
        for (value, want) in cases {
            assert_eq!(serde_json::to_value(&value).unwrap(), want, "{value:?}");
            let back: InputValue = serde_json::from_value(want).unwrap();
            assert_eq!(back, value);
        }
        // Nothing but the three kinds reads back.
        for other in [json!(1), json!(null), json!({"a": "b"}), json!([1, 2])] {
            assert!(serde_json::from_value::<InputValue>(other).is_err());
        }
    }

    #[test]
    fn inputs_read_from_the_api_json() {
        let input = NotebookInput::from_json(&json!({
            "name": "limit", "type": "input-slider", "value": "5", "min": 1, "max": "10",
            "step": 1, "label": "Limit", "blockId": "b1", "options": ["x", 3]
        }))
        .unwrap();
        assert_eq!(input.value, Some(InputValue::Text("5".into())));
        assert_eq!(
            (input.min, input.max, input.step),
            (Some(1.0), Some(10.0), Some(1.0))
        );
        assert_eq!(input.options, vec!["x".to_string()]);
        assert_eq!(input.block_id.as_deref(), Some("b1"));
        assert_eq!(input.label.as_deref(), Some("Limit"));
        assert!(NotebookInput::from_json(&json!({"type": "input-text"})).is_none());
        // A value of a shape Deepnote does not send is dropped, not an error.
        let odd = NotebookInput::from_json(&json!({"name": "n", "value": 3})).unwrap();
        assert_eq!(odd.value, None);
    }
}
