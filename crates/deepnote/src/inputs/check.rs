//! The check of input values against a notebook's input blocks, before anything is sent:
//! the kind each block takes, a slider's limits and step, a select's options, dates and date
//! ranges; and which inputs each notebook of a batch gets.

use crate::error::{Error, Result};
use crate::inputs::{InputValue, NotebookInput};
use std::collections::BTreeMap;

impl NotebookInput {
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
}
