//! The values a run's input blocks take, and the check of a run's inputs against the
//! notebook's input blocks before anything is sent.
//!
//! Deepnote accepts exactly a string, a boolean or a list of strings for an input, typed by
//! its block: a slider takes a numeric *string*, a checkbox a boolean, a multi-select a list.
//! A number sent as a JSON number, or a name no block defines, is a 400 on the service.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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

    /// Why this value cannot go to this input, if it cannot.
    fn refuse(&self, value: &InputValue) -> Option<String> {
        let accepts = self.accepts()?;
        if !accepts.contains(&value.kind()) {
            let wanted: Vec<String> = accepts.iter().map(ToString::to_string).collect();
            return Some(format!(
                "is an {} and takes {}, not {}",
                self.kind,
                wanted.join(" or "),
                value.kind()
            ));
        }
        match (self.kind.as_str(), value) {
            ("input-slider", InputValue::Text(text)) => self.refuse_slider(text),
            ("input-select", InputValue::Text(text)) => self.refuse_options(&[text]),
            ("input-select", InputValue::List(items)) => {
                self.refuse_options(&items.iter().collect::<Vec<_>>())
            }
            ("input-date", InputValue::Text(text)) => refuse_date(text),
            ("input-date-range", value) => refuse_date_range(value),
            _ => None,
        }
    }

    /// A slider's value: a number as Deepnote's own client reads one, within its minimum and
    /// maximum, on its step from the minimum.
    fn refuse_slider(&self, text: &str) -> Option<String> {
        let number = slider_number(text);
        let Some(n) = number else {
            return Some(format!(
                "is an input-slider and takes a number's text, not {text:?}"
            ));
        };
        let range = match (self.min, self.max) {
            (Some(min), Some(max)) => format!(" (from {min} to {max})"),
            _ => String::new(),
        };
        if let Some(max) = self.max
            && n > max
        {
            return Some(format!(
                "is an input-slider{range}: {text} is above its maximum {max}"
            ));
        }
        if let Some(min) = self.min
            && n < min
        {
            return Some(format!(
                "is an input-slider{range}: {text} is below its minimum {min}"
            ));
        }
        if let Some(step) = self.step.filter(|s| *s > 0.0) {
            let steps = (n - self.min.unwrap_or(0.0)) / step;
            // Decimal steps (0.1) are not exact in binary: allow for rounding.
            if (steps - steps.round()).abs() > 1e-6 {
                return Some(format!(
                    "is an input-slider{range} in steps of {step}: {text} is not on a step"
                ));
            }
        }
        None
    }

    /// A select's value (or each of a multi-select's): one of its options, when it lists
    /// them (a select filled from a variable lists none, and is not checked).
    fn refuse_options(&self, values: &[&String]) -> Option<String> {
        if self.options.is_empty() {
            return None;
        }
        let bad = values.iter().find(|v| !self.options.contains(v))?;
        let shown: Vec<String> = self
            .options
            .iter()
            .take(20)
            .map(|o| format!("{o:?}"))
            .collect();
        let more = if self.options.len() > shown.len() {
            ", ..."
        } else {
            ""
        };
        Some(format!(
            "is an input-select and takes one of its options ({}{more}), not {bad:?}",
            shown.join(", ")
        ))
    }
}

/// The relative ranges a date-range input takes by name, as Deepnote's blocks package lists
/// them (besides `customDaysN` and an absolute `[start, end]`).
const DATE_RANGE_PRESETS: [&str; 6] = [
    "past7days",
    "past14days",
    "pastMonth",
    "past3months",
    "past6months",
    "pastYear",
];

/// A slider's text as Deepnote's client reads it: an optional minus, digits with at most one
/// decimal point, finite.
fn slider_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let shaped =
        (!whole.is_empty() || !fraction.is_empty()) && all_digits(whole) && all_digits(fraction);
    shaped
        .then(|| text.parse::<f64>().ok())
        .flatten()
        .filter(|n| n.is_finite())
}

/// A `YYYY-MM-DD` calendar date.
fn is_day(text: &str) -> bool {
    text.len() == 10 && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// A date input's value: empty (no date), a `YYYY-MM-DD` day or an RFC 3339 time, the two
/// forms Deepnote's inputs hold.
fn refuse_date(text: &str) -> Option<String> {
    let ok = text.is_empty() || is_day(text) || chrono::DateTime::parse_from_rfc3339(text).is_ok();
    (!ok).then(|| {
        format!("is an input-date and takes a date (YYYY-MM-DD or an RFC 3339 time), not {text:?}")
    })
}

/// A date range's value: `[start, end]` of `YYYY-MM-DD` days (either may be empty), the start
/// not after the end; or a relative range by name.
fn refuse_date_range(value: &InputValue) -> Option<String> {
    match value {
        InputValue::List(days) => {
            let all_days = days.len() == 2 && days.iter().all(|d| d.is_empty() || is_day(d));
            if !all_days {
                return Some(format!(
                    "is an input-date-range and takes [start, end] as two YYYY-MM-DD days,                      not {days:?}"
                ));
            }
            let (start, end) = (&days[0], &days[1]);
            (!start.is_empty() && !end.is_empty() && start > end).then(|| {
                format!("is an input-date-range: its start {start} is after its end {end}")
            })
        }
        InputValue::Text(name) => {
            let custom = name
                .strip_prefix("customDays")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            (!custom && !DATE_RANGE_PRESETS.contains(&name.as_str())).then(|| {
                format!(
                    "is an input-date-range and takes [start, end], customDaysN or one of {},                      not {name:?}",
                    DATE_RANGE_PRESETS.join(", ")
                )
            })
        }
        InputValue::Bool(_) => None,
    }
}

impl NotebookInput {}

impl fmt::Display for NotebookInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{} ({})", self.name, self.kind)
        }
    }
}

/// Which of `inputs` each notebook of a batch gets: those it defines, when its inputs are
/// known (`Some`), all of them when not (the server checks those). Each value is checked
/// against every notebook that defines it; an input no notebook defines, when every
/// notebook's inputs are known, is an [`Error::InvalidInput`].
pub(crate) fn route(
    inputs: &BTreeMap<String, InputValue>,
    notebooks: &[Option<Vec<NotebookInput>>],
) -> Result<Vec<BTreeMap<String, InputValue>>> {
    let mut routed = vec![BTreeMap::new(); notebooks.len()];
    for (name, value) in inputs {
        let mut taken = false;
        for (known, sent) in notebooks.iter().zip(routed.iter_mut()) {
            let defines = match known {
                None => true,
                Some(known) => match known.iter().find(|i| &i.name == name) {
                    None => false,
                    Some(_) => {
                        check(&BTreeMap::from([(name.clone(), value.clone())]), known)?;
                        true
                    }
                },
            };
            if defines {
                sent.insert(name.clone(), value.clone());
                taken = true;
            }
        }
        if !taken {
            let mut valid: Vec<String> = notebooks
                .iter()
                .flatten()
                .flatten()
                .map(ToString::to_string)
                .collect();
            valid.sort();
            valid.dedup();
            return Err(Error::InvalidInput {
                name: name.clone(),
                problem: "is not defined by any of the notebooks".to_string(),
                valid,
            });
        }
    }
    Ok(routed)
}

/// Refuses inputs the notebook does not define, and values of a kind its block does not take,
/// naming the input and listing the notebook's inputs.
pub(crate) fn check(inputs: &BTreeMap<String, InputValue>, known: &[NotebookInput]) -> Result<()> {
    for (name, value) in inputs {
        let problem = match known.iter().find(|i| &i.name == name) {
            None => Some("is not defined for this notebook".to_string()),
            Some(input) => input.refuse(value),
        };
        if let Some(problem) = problem {
            return Err(Error::InvalidInput {
                name: name.clone(),
                problem,
                valid: known.iter().map(ToString::to_string).collect(),
            });
        }
    }
    Ok(())
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

    fn known() -> Vec<NotebookInput> {
        vec![
            NotebookInput::new("region", "input-text"),
            NotebookInput::new("limit", "input-slider"),
            NotebookInput::new("flag", "input-checkbox"),
            NotebookInput::new("tags", "input-select"),
            NotebookInput::new("custom", "input-from-the-future"),
        ]
    }

    fn one(name: &str, value: impl Into<InputValue>) -> BTreeMap<String, InputValue> {
        BTreeMap::from([(name.to_string(), value.into())])
    }

    #[test]
    fn good_inputs_pass() {
        for inputs in [
            one("region", "EMEA"),
            one("limit", 10),
            one("limit", "2.5"),
            one("flag", false),
            one("tags", ["a", "b"]),
            one("tags", "a"),
            one("custom", true),
        ] {
            check(&inputs, &known()).unwrap();
        }
    }

    #[test]
    fn unknown_names_and_wrong_kinds_are_refused_with_the_valid_inputs() {
        let cases = [
            (one("nope", "x"), "not defined"),
            (one("flag", "true"), "takes a boolean, not a string"),
            (one("region", true), "takes a string, not a boolean"),
            (one("limit", "ten"), "number's text"),
            (one("region", ["a"]), "not a list of strings"),
        ];
        for (inputs, why) in cases {
            let name = inputs.keys().next().unwrap().clone();
            let err = check(&inputs, &known()).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(why), "{text}");
            assert!(text.contains("region (input-text)"), "{text}");
            match err {
                Error::InvalidInput {
                    name: got, valid, ..
                } => {
                    assert_eq!(got, name);
                    assert_eq!(valid.len(), 5);
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn values_must_keep_the_limits_their_blocks_state() {
        let mut slider = NotebookInput::new("limit", "input-slider");
        (slider.min, slider.max, slider.step) = (Some(1.0), Some(100.0), Some(0.5));
        let mut select = NotebookInput::new("market", "input-select");
        select.options = vec!["EMEA".into(), "APAC".into()];
        let known = vec![
            slider,
            select,
            NotebookInput::new("as_of", "input-date"),
            NotebookInput::new("period", "input-date-range"),
            NotebookInput::new("free", "input-select"),
        ];
        for ok in [
            one("limit", "100"),
            one("limit", "1.5"),
            one("market", "APAC"),
            one("market", ["EMEA", "APAC"]),
            one("free", "anything"),
            one("as_of", "2026-03-31"),
            one("as_of", "2026-03-31T00:00:00.000Z"),
            one("as_of", ""),
            one("period", ["2026-01-01", "2026-02-01"]),
            one("period", ["", "2026-02-01"]),
            one("period", "past7days"),
            one("period", "customDays30"),
        ] {
            check(&ok, &known).unwrap_or_else(|e| panic!("{ok:?}: {e}"));
        }
        for (bad, says) in [
            (one("limit", "500"), "500 is above its maximum 100"),
            (one("limit", "0"), "0 is below its minimum 1"),
            (one("limit", "1.25"), "not on a step"),
            (one("limit", "1e2"), "number's text"),
            (one("market", "LATAM"), "not \"LATAM\""),
            (one("market", ["EMEA", "X"]), "not \"X\""),
            (one("as_of", "notadate"), "not \"notadate\""),
            (one("as_of", "2026-02-30"), "2026-02-30"),
            (one("period", ["2026-02-01", "2026-01-01"]), "after its end"),
            (one("period", ["2026-01-01"]), "two YYYY-MM-DD days"),
            (one("period", "lastweek"), "not \"lastweek\""),
        ] {
            let e = check(&bad, &known).unwrap_err().to_string();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
    }

    #[test]
    fn several_notebooks_get_only_the_inputs_they_define() {
        let a = Some(vec![NotebookInput::new("region", "input-text")]);
        let b = Some(vec![NotebookInput::new("flag", "input-checkbox")]);
        let inputs = BTreeMap::from([
            ("region".to_string(), InputValue::from("EMEA")),
            ("flag".to_string(), InputValue::from(true)),
        ]);
        let routed = route(&inputs, &[a.clone(), b.clone(), None]).unwrap();
        assert_eq!(routed[0], one("region", "EMEA"));
        assert_eq!(routed[1], one("flag", true));
        // A notebook whose inputs are unknown gets them all; the server checks.
        assert_eq!(routed[2], inputs);
        let e = route(&one("nope", "x"), &[a.clone(), b.clone()]).unwrap_err();
        assert!(e.to_string().contains("not defined by any"), "{e}");
        // A value is checked against each notebook that defines it.
        assert!(route(&one("flag", "yes"), &[a, b]).is_err());
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
