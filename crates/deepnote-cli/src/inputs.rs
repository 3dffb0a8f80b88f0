//! `--input name=value` and `--input-file PATH`: the values a run's input blocks receive.
//!
//! A value that is JSON on its own (a number, `true`/`false`, `null`, an object, an array or a
//! quoted string) is sent typed; anything else is sent as the string it is. So `--input n=3`
//! sends the number 3, `--input zip=007` the string "007" (a leading zero is not JSON), and
//! `--input 'label="42"'` forces the string "42".

use crate::exit::{CliError, CliResult};
use serde_json::{Map, Value};
use std::path::Path;

/// One `--input name=value`, parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct InputArg {
    /// The input block's variable name.
    pub name: String,
    /// The typed value.
    pub value: Value,
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
    Ok(InputArg {
        name: name.to_string(),
        value: type_value(raw),
    })
}

/// The typed value of the text after `=`.
pub fn type_value(raw: &str) -> Value {
    // Surrounding whitespace is part of a string the user quoted on purpose; JSON would drop it.
    if raw.trim() != raw || raw.is_empty() {
        return Value::String(raw.to_string());
    }
    match serde_json::from_str::<Value>(raw) {
        Ok(value) => value,
        Err(_) => Value::String(raw.to_string()),
    }
}

/// Reads an `--input-file`: a JSON object of input names to values (`-` reads stdin).
pub fn read_input_file(path: &Path) -> CliResult<Map<String, Value>> {
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

/// Parses the text of an input file.
pub fn parse_input_object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "must be a JSON object of input names to values, not {}",
            kind(&other)
        )),
        Err(e) => Err(format!("is not valid JSON: {e}")),
    }
}

/// The inputs a run is sent: the file's, then each `--input` over them. Naming one input twice
/// on the command line is a mistake worth stopping for; overriding the file is the point.
pub fn merge(file: Option<Map<String, Value>>, args: &[InputArg]) -> CliResult<Map<String, Value>> {
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
    use serde_json::json;

    #[test]
    fn types_values() {
        let cases = [
            ("n=3", json!(3)),
            ("x=-2.5", json!(-2.5)),
            ("flag=true", json!(true)),
            ("flag=false", json!(false)),
            ("nothing=null", json!(null)),
            ("zip=007", json!("007")),
            ("name=Ada Lovelace", json!("Ada Lovelace")),
            ("quoted=\"42\"", json!("42")),
            ("obj={\"a\":[1,2]}", json!({"a": [1, 2]})),
            ("list=[1,\"b\"]", json!([1, "b"])),
            ("empty=", json!("")),
            ("padded= 1", json!(" 1")),
            ("eq=a=b", json!("a=b")),
            ("big=1e400", json!("1e400")),
            ("True=True", json!("True")),
        ];
        for (arg, want) in cases {
            let parsed = parse_input(arg).unwrap();
            assert_eq!(parsed.value, want, "{arg}");
        }
        assert_eq!(parse_input("eq=a=b").unwrap().name, "eq");
    }

    #[test]
    fn rejects_what_is_not_name_value() {
        assert!(parse_input("novalue").unwrap_err().contains("NAME=VALUE"));
        assert!(parse_input("=3").unwrap_err().contains("no name"));
        assert!(parse_input("  =3").unwrap_err().contains("no name"));
    }

    #[test]
    fn file_must_be_an_object() {
        assert_eq!(parse_input_object("{\"a\": 1}").unwrap()["a"], json!(1));
        assert!(parse_input_object("[1]").unwrap_err().contains("an array"));
        assert!(
            parse_input_object("{")
                .unwrap_err()
                .contains("not valid JSON")
        );
    }

    #[test]
    fn arguments_override_the_file_but_not_each_other() {
        let file = parse_input_object("{\"a\": 1, \"b\": 2}").unwrap();
        let args = [parse_input("b=3").unwrap()];
        let merged = merge(Some(file), &args).unwrap();
        assert_eq!(Value::Object(merged), json!({"a": 1, "b": 3}));
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
            prop_assert_eq!(parsed.value, Value::String(word));
        }

        #[test]
        fn an_integer_is_a_number(name in "[a-z_]{1,8}", n in any::<i64>()) {
            let parsed = parse_input(&format!("{name}={n}")).unwrap();
            prop_assert_eq!(parsed.value, json!(n));
        }

        #[test]
        fn json_round_trips(name in "[a-z]{1,6}", value in arb_json()) {
            let text = serde_json::to_string(&value).unwrap();
            let parsed = parse_input(&format!("{name}={text}")).unwrap();
            prop_assert_eq!(parsed.value, value);
        }
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(|n| json!(n)),
            ".{0,10}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z]{1,4}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
