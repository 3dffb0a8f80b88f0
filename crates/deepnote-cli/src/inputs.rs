//! `--input name=value` and `--input-file PATH`: the values a run's input blocks receive.
//!
//! Deepnote takes exactly a string, a boolean or a list of strings for an input. So
//! `--input n=3` sends the string "3" (a slider takes a number's text), `flag=true` and
//! `flag=false` a boolean, and a JSON array of strings (`tags=["a","b"]`) a list. A quoted
//! JSON string is its text (`'flag="true"'` sends the string "true"). Anything else that is
//! JSON (an object, `null`, an array holding more than strings) is a usage error naming the
//! input; any other text is sent as the string it is.

use crate::exit::{CliError, CliResult};
use deepnote::inputs::InputValue;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// One `--input name=value`, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct InputArg {
    /// The input block's variable name.
    pub name: String,
    /// The value, as Deepnote takes it.
    pub value: InputValue,
}

/// Parses one `--input` argument. Used as clap's value parser, so a bad one is a usage error
/// that names the argument.
pub fn parse_input(arg: &str) -> Result<InputArg, String> {
    let Some((name, raw)) = arg.split_once('=') else {
        return Err(format!(
            "`{arg}` is not NAME=VALUE (for an empty value write `{arg}=`)"
        ));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("`{arg}` has no name before `=`"));
    }
    let value = parse_value(raw).map_err(|why| format!("input `{name}`: {why}"))?;
    Ok(InputArg {
        name: name.to_string(),
        value,
    })
}

/// The value of the text after `=`: see the module's rules.
pub fn parse_value(raw: &str) -> Result<InputValue, String> {
    // Surrounding whitespace is part of a string the user quoted on purpose.
    if raw.trim() != raw || raw.is_empty() {
        return Ok(InputValue::Text(raw.to_string()));
    }
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Bool(b)) => Ok(InputValue::Bool(b)),
        Ok(Value::String(s)) => Ok(InputValue::Text(s)),
        // A number is sent as the text the user typed, not as JSON re-printed it.
        Ok(Value::Number(_)) | Err(_) => Ok(InputValue::Text(raw.to_string())),
        Ok(other) => from_json(other),
    }
}

/// A JSON value as an input value: numbers become their text; what Deepnote cannot take is
/// an error saying why.
fn from_json(value: Value) -> Result<InputValue, String> {
    match value {
        Value::Bool(b) => Ok(InputValue::Bool(b)),
        Value::String(s) => Ok(InputValue::Text(s)),
        Value::Number(n) => Ok(InputValue::Text(n.to_string())),
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => Err(format!(
                    "a list may hold only strings, not {} (quote each item: [\"1\",\"2\"])",
                    kind(&other)
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(InputValue::List),
        other => Err(format!(
            "Deepnote takes a string, true/false or a list of strings, not {}",
            kind(&other)
        )),
    }
}

/// Reads an `--input-file`: a JSON object of input names to values (`-` reads stdin).
pub fn read_input_file(path: &Path) -> CliResult<BTreeMap<String, InputValue>> {
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| CliError::usage(format!("cannot read --input-file from stdin: {e}")))?
    } else {
        std::fs::read_to_string(path).map_err(|e| {
            CliError::usage(format!("cannot read --input-file {}: {e}", path.display()))
        })?
    };
    parse_input_object(&text)
        .map_err(|e| CliError::usage(format!("--input-file {}: {e}", path.display())))
}

/// Parses the text of an input file: each value a string, a boolean or a list of strings (a
/// number is taken as its text).
pub fn parse_input_object(text: &str) -> Result<BTreeMap<String, InputValue>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .map(|(name, value)| {
                let value = from_json(value).map_err(|why| format!("input `{name}`: {why}"))?;
                Ok((name, value))
            })
            .collect(),
        Ok(other) => Err(format!(
            "must be a JSON object of input names to values, not {}",
            kind(&other)
        )),
        Err(e) => Err(format!("is not valid JSON: {e}")),
    }
}

/// The run's input values: `--input-file` (if given), overridden by each `--input`.
pub fn of(file: Option<&Path>, args: &[InputArg]) -> CliResult<BTreeMap<String, InputValue>> {
    let file = file.map(read_input_file).transpose()?;
    merge(file, args)
}

/// The inputs a run is sent: the file's, then each `--input` over them. Naming one input twice
/// on the command line is a mistake worth stopping for; overriding the file is the point.
pub fn merge(
    file: Option<BTreeMap<String, InputValue>>,
    args: &[InputArg],
) -> CliResult<BTreeMap<String, InputValue>> {
    let mut merged = file.unwrap_or_default();
    let mut given = std::collections::HashSet::new();
    for arg in args {
        if !given.insert(arg.name.as_str()) {
            return Err(CliError::usage(format!(
                "--input `{}` is given twice",
                arg.name
            )));
        }
        merged.insert(arg.name.clone(), arg.value.clone());
    }
    Ok(merged)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(s: &str) -> InputValue {
        InputValue::Text(s.into())
    }

    #[test]
    fn values_are_what_deepnote_takes() {
        let cases = [
            ("n=3", text("3")),
            ("x=-2.5", text("-2.5")),
            ("big=1e400", text("1e400")),
            ("flag=true", InputValue::Bool(true)),
            ("flag=false", InputValue::Bool(false)),
            ("zip=007", text("007")),
            ("name=Ada Lovelace", text("Ada Lovelace")),
            ("quoted=\"42\"", text("42")),
            ("forced=\"true\"", text("true")),
            (
                "tags=[\"a\",\"b\"]",
                InputValue::List(vec!["a".into(), "b".into()]),
            ),
            ("none=[]", InputValue::List(vec![])),
            ("empty=", text("")),
            ("padded= 1", text(" 1")),
            ("eq=a=b", text("a=b")),
            ("True=True", text("True")),
            ("word=[draft] notes", text("[draft] notes")),
        ];
        for (arg, want) in cases {
            let parsed = parse_input(arg).unwrap();
            assert_eq!(parsed.value, want, "{arg}");
        }
        assert_eq!(parse_input("eq=a=b").unwrap().name, "eq");
    }

    #[test]
    fn json_deepnote_cannot_take_is_refused_naming_the_input() {
        for arg in [
            "obj={\"a\":[1,2]}",
            "nums=[1,2]",
            "mixed=[\"a\",1]",
            "nested=[[\"a\"]]",
            "nothing=null",
        ] {
            let err = parse_input(arg).unwrap_err();
            let name = arg.split('=').next().unwrap();
            assert!(err.contains(&format!("input `{name}`")), "{arg}: {err}");
        }
    }

    #[test]
    fn rejects_what_is_not_name_value() {
        assert!(parse_input("novalue").unwrap_err().contains("NAME=VALUE"));
        assert!(parse_input("=3").unwrap_err().contains("no name"));
        assert!(parse_input("  =3").unwrap_err().contains("no name"));
    }

    #[test]
    fn file_must_be_an_object_of_acceptable_values() {
        let file = parse_input_object(r#"{"a": 1, "b": true, "c": ["x"], "d": "t"}"#).unwrap();
        assert_eq!(file["a"], text("1"));
        assert_eq!(file["b"], InputValue::Bool(true));
        assert_eq!(file["c"], InputValue::List(vec!["x".into()]));
        assert_eq!(file["d"], text("t"));
        assert!(parse_input_object("[1]").unwrap_err().contains("an array"));
        assert!(
            parse_input_object("{")
                .unwrap_err()
                .contains("not valid JSON")
        );
        let err = parse_input_object(r#"{"bad": [1, 2]}"#).unwrap_err();
        assert!(err.contains("input `bad`"), "{err}");
        let err = parse_input_object(r#"{"o": {"k": "v"}}"#).unwrap_err();
        assert!(
            err.contains("input `o`") && err.contains("an object"),
            "{err}"
        );
    }

    #[test]
    fn arguments_override_the_file_but_not_each_other() {
        let file = parse_input_object("{\"a\": 1, \"b\": 2}").unwrap();
        let args = [parse_input("b=3").unwrap()];
        let merged = merge(Some(file), &args).unwrap();
        assert_eq!(
            merged,
            BTreeMap::from([("a".to_string(), text("1")), ("b".to_string(), text("3"))])
        );
        let twice = [parse_input("b=3").unwrap(), parse_input("b=4").unwrap()];
        assert_eq!(
            merge(None, &twice).unwrap_err().exit,
            crate::exit::Exit::Usage
        );
    }

    proptest! {
        #[test]
        fn any_argument_parses_or_explains(arg in ".*") {
            match parse_input(&arg) {
                Ok(input) => {
                    prop_assert!(!input.name.is_empty());
                    prop_assert!(arg.contains('='));
                }
                Err(message) => prop_assert!(!message.is_empty()),
            }
        }

        #[test]
        fn a_plain_word_stays_a_string(name in "[a-z_]{1,8}", word in "[A-Za-z][A-Za-z ]{0,12}[A-Za-z]") {
            prop_assume!(!["true", "false", "null"].contains(&word.as_str()));
            let parsed = parse_input(&format!("{name}={word}")).unwrap();
            prop_assert_eq!(parsed.value, InputValue::Text(word));
        }

        #[test]
        fn a_number_is_sent_as_its_text(name in "[a-z_]{1,8}", n in any::<i64>()) {
            let parsed = parse_input(&format!("{name}={n}")).unwrap();
            prop_assert_eq!(parsed.value, InputValue::Text(n.to_string()));
        }

        #[test]
        fn a_list_of_strings_round_trips(name in "[a-z]{1,6}", items in prop::collection::vec(".{0,8}", 0..5)) {
            let json = serde_json::to_string(&items).unwrap();
            let parsed = parse_input(&format!("{name}={json}")).unwrap();
            prop_assert_eq!(parsed.value, InputValue::List(items));
        }
    }
}
