//! How results are printed: data on stdout in the chosen format, nothing else there.
//!
//! The default is `table` when stdout is a terminal (people read it) and `json` when it is not
//! (programs read it): `deepnote projects list | jq` works without a flag, and a script never
//! parses an aligned table by accident. `--output` (or `$DEEPNOTE_OUTPUT`) overrides both.
//! Tables are aligned by a few lines of code below rather than a table crate: every cell is
//! one line of text, so padding to the widest cell, and cutting the widest column to fit the
//! terminal, is all that is needed.

use clap::ValueEnum;
use serde::Serialize;
// A value that keeps the order of a struct's fields (serde_json's sorts them), so the SDK models'
// field order survives into every format, tables included.
use crate::tree::Tree as Value;
use std::io::{self, Write};

/// `--output`: how data is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people (default on a terminal).
    Table,
    /// Pretty-printed JSON; a list is one array (default when piped).
    Json,
    /// YAML.
    Yaml,
    /// JSON Lines: one compact object per line, printed as each item arrives.
    Jsonl,
}

/// One column of a table: its header, and the path of its value in each item.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The header.
    pub header: &'static str,
    /// Field names from the item's root, `/`-separated, such as `/runId` or `/apiKey/name`.
    pub pointer: &'static str,
}

impl Column {
    /// An id column is never cut: a cut id cannot be pasted into the next command.
    pub fn is_id(&self) -> bool {
        let last = self.pointer.rsplit('/').next().unwrap_or_default();
        last == "id" || last.ends_with("Id")
    }
}

/// Shorthand for a [`Column`].
pub const fn col(header: &'static str, pointer: &'static str) -> Column {
    Column { header, pointer }
}

/// The narrowest a cut column gets (its header stays whole).
const MIN_CUT_WIDTH: usize = 8;

/// The widest a cell that may be cut gets when the table's width is not known (piped with
/// `-o table`): a block's whole source would make rows of thousands of characters, and a
/// table is for people (`-o json` carries whole values).
const MAX_UNSIZED_CELL: usize = 120;

/// Prints data to stdout (or any writer, in tests) in one format.
pub struct Output {
    format: OutputFormat,
    color: bool,
    /// The width a list table must fit, when known (a terminal, or `$COLUMNS`).
    width: Option<usize>,
    out: Box<dyn Write + Send>,
    pending: Vec<Value>,
}

impl Output {
    /// Chooses the format and colour: `--output` wins, else table on a terminal and JSON
    /// otherwise; colour only on a terminal and never when `NO_COLOR` is set (no-color.org).
    pub fn for_stdout(requested: Option<OutputFormat>) -> Output {
        use std::io::IsTerminal;
        let tty = io::stdout().is_terminal();
        let format = resolve_format(requested, tty);
        let color = tty && !no_color();
        let width = columns_env().or_else(|| {
            tty.then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
                .flatten()
        });
        Output::new(format, color, Box::new(io::stdout())).with_width(width)
    }

    /// An output to any writer.
    pub fn new(format: OutputFormat, color: bool, out: Box<dyn Write + Send>) -> Output {
        Output {
            format,
            color,
            width: None,
            out,
            pending: Vec::new(),
        }
    }

    /// List tables fit this many columns (`None`: as wide as their cells).
    pub fn with_width(mut self, width: Option<usize>) -> Output {
        self.width = width;
        self
    }

    /// The format in use.
    pub fn format(&self) -> OutputFormat {
        self.format
    }

    /// Prints one object. A table shows it as FIELD / VALUE rows, nested fields dotted.
    pub fn item<T: Serialize>(&mut self, item: &T) -> io::Result<()> {
        let value = to_value(item)?;
        match self.format {
            OutputFormat::Table => {
                let mut rows = Vec::new();
                flatten("", &value, &mut rows);
                let rows: Vec<Vec<String>> = rows.into_iter().map(|(k, v)| vec![k, v]).collect();
                write_table(&mut self.out, &["FIELD", "VALUE"], &rows, self.color)
            }
            _ => self.one(&value),
        }
    }

    /// Adds one item of a list. JSON Lines prints it now; the other formats print the whole
    /// list at [`Output::finish_list`].
    pub fn list_item<T: Serialize>(&mut self, item: &T) -> io::Result<()> {
        let value = to_value(item)?;
        if self.format == OutputFormat::Jsonl {
            serde_json::to_writer(&mut self.out, &value).map_err(io::Error::other)?;
            writeln!(self.out)?;
            // A consumer tailing the stream sees each item as soon as it arrives.
            self.out.flush()
        } else {
            self.pending.push(value);
            Ok(())
        }
    }

    /// Prints the list gathered by [`Output::list_item`], as a table with these columns; an
    /// empty table says `no <noun>` (`no projects`) rather than print a lone header.
    pub fn finish_list(&mut self, columns: &[Column], noun: &str) -> io::Result<()> {
        let items = std::mem::take(&mut self.pending);
        match self.format {
            OutputFormat::Jsonl => Ok(()),
            OutputFormat::Json | OutputFormat::Yaml => self.one(&Value::Seq(items)),
            OutputFormat::Table if items.is_empty() => {
                writeln!(self.out, "no {noun}")?;
                self.out.flush()
            }
            OutputFormat::Table => {
                let headers: Vec<&str> = columns.iter().map(|c| c.header).collect();
                let rows: Vec<Vec<String>> = items
                    .iter()
                    .map(|item| {
                        columns
                            .iter()
                            .map(|c| cell(lookup(item, c.pointer)))
                            .collect()
                    })
                    .collect();
                let keep: Vec<bool> = columns.iter().map(Column::is_id).collect();
                let rows = fit(&headers, rows, &keep, self.width);
                write_table(&mut self.out, &headers, &rows, self.color)
            }
        }
    }

    fn one(&mut self, value: &Value) -> io::Result<()> {
        match self.format {
            OutputFormat::Json | OutputFormat::Table => {
                serde_json::to_writer_pretty(&mut self.out, value).map_err(io::Error::other)?;
                writeln!(self.out)?;
            }
            OutputFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, value).map_err(io::Error::other)?;
                writeln!(self.out)?;
            }
            OutputFormat::Yaml => {
                let text = serde_saphyr::to_string(value).map_err(io::Error::other)?;
                self.out.write_all(text.as_bytes())?;
            }
        }
        self.out.flush()
    }
}

/// `--output` if given, else table on a terminal and JSON otherwise.
pub fn resolve_format(requested: Option<OutputFormat>, stdout_is_terminal: bool) -> OutputFormat {
    requested.unwrap_or(if stdout_is_terminal {
        OutputFormat::Table
    } else {
        OutputFormat::Json
    })
}

/// Whether `NO_COLOR` asks for no colour: set and not empty, as no-color.org defines it.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn to_value<T: Serialize>(item: &T) -> io::Result<Value> {
    Value::from_serialize(item).map_err(io::Error::other)
}

/// The value at a `/`-separated path of field names.
fn lookup<'a>(item: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .try_fold(item, |value, key| value.get(key))
}

/// Nested objects become dotted keys so a table row holds one scalar.
fn flatten(prefix: &str, value: &Value, rows: &mut Vec<(String, String)>) {
    match value {
        Value::Map(map) if !map.is_empty() => {
            for (key, inner) in map {
                let key = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&key, inner, rows);
            }
        }
        other => rows.push((prefix.to_string(), cell(Some(other)))),
    }
}

/// `$COLUMNS`, when set to a width.
fn columns_env() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|w| *w > 0)
}

/// Cuts the widest columns that may be cut (`keep` marks those that may not) until the rows
/// fit `width` with two spaces between columns. A cut cell ends with `…`.
pub fn fit(
    headers: &[&str],
    mut rows: Vec<Vec<String>>,
    keep: &[bool],
    width: Option<usize>,
) -> Vec<Vec<String>> {
    let count = |t: &str| t.chars().count();
    let Some(width) = width else {
        for row in &mut rows {
            for (text, keep) in row.iter_mut().zip(keep) {
                if !keep && count(text) > MAX_UNSIZED_CELL {
                    let cut: String = text.chars().take(MAX_UNSIZED_CELL - 1).collect();
                    *text = format!("{cut}…");
                }
            }
        }
        return rows;
    };
    let mut widths: Vec<usize> = headers.iter().map(|h| count(h)).collect();
    for row in &rows {
        for (w, text) in widths.iter_mut().zip(row) {
            *w = (*w).max(count(text));
        }
    }
    let gaps = 2 * widths.len().saturating_sub(1);
    loop {
        let total: usize = widths.iter().sum::<usize>() + gaps;
        if total <= width {
            break;
        }
        // The widest column that may still shrink.
        let floor = |i: usize| count(headers[i]).max(MIN_CUT_WIDTH);
        let Some(widest) = (0..widths.len())
            .filter(|&i| !keep[i] && widths[i] > floor(i))
            .max_by_key(|&i| widths[i])
        else {
            break;
        };
        // Saturating: the excess may be wider than the column (ids kept whole on a narrow
        // terminal), which would underflow.
        widths[widest] = widths[widest]
            .saturating_sub(total - width)
            .max(floor(widest));
    }
    for row in &mut rows {
        for (text, w) in row.iter_mut().zip(&widths) {
            if count(text) > *w {
                let cut: String = text.chars().take(w - 1).collect();
                *text = format!("{cut}…");
            }
        }
    }
    rows
}

/// One line of text for a cell: strings as they are, absent values as `-`, the rest as JSON.
pub fn cell(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => "-".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => serde_json::to_string(other).unwrap_or_default(),
    };
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn write_table(
    out: &mut dyn Write,
    headers: &[&str],
    rows: &[Vec<String>],
    color: bool,
) -> io::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, text) in widths.iter_mut().zip(row) {
            *width = (*width).max(text.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| -> String {
        let padded: Vec<String> = cells
            .zip(&widths)
            .map(|(text, width)| format!("{text:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let header = line(&mut headers.iter().copied());
    if color {
        writeln!(out, "\x1b[1m{header}\x1b[0m")?;
    } else {
        writeln!(out, "{header}")?;
    }
    for row in rows {
        writeln!(out, "{}", line(&mut row.iter().map(String::as_str)))?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::{Arc, Mutex};

    type Value = serde_json::Value;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(data);
            Ok(data.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Buf {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn render(format: OutputFormat, color: bool, items: &[Value]) -> String {
        let buf = Buf::default();
        let mut out = Output::new(format, color, Box::new(buf.clone()));
        for item in items {
            out.list_item(item).unwrap();
        }
        out.finish_list(
            &[
                col("ID", "/id"),
                col("NAME", "/name"),
                col("OWNER", "/owner/name"),
            ],
            "things",
        )
        .unwrap();
        buf.text()
    }

    #[test]
    fn default_format_follows_the_terminal() {
        assert_eq!(resolve_format(None, true), OutputFormat::Table);
        assert_eq!(resolve_format(None, false), OutputFormat::Json);
        assert_eq!(
            resolve_format(Some(OutputFormat::Yaml), true),
            OutputFormat::Yaml
        );
    }

    #[test]
    fn table_aligns_and_marks_missing_values() {
        let items = [
            json!({"id": "p1", "name": "Quarterly report", "owner": {"name": "ada"}}),
            json!({"id": "p22", "name": "x"}),
        ];
        let text = render(OutputFormat::Table, false, &items);
        assert_eq!(
            text,
            "ID   NAME              OWNER\np1   Quarterly report  ada\np22  x                 -\n"
        );
        assert!(render(OutputFormat::Table, true, &items).starts_with("\x1b[1mID"));
    }

    #[test]
    fn lists_in_each_format() {
        let items = [json!({"id": "a"}), json!({"id": "b"})];
        let json_text = render(OutputFormat::Json, false, &items);
        assert_eq!(
            serde_json::from_str::<Value>(&json_text).unwrap(),
            json!([{"id": "a"}, {"id": "b"}])
        );
        assert_eq!(
            render(OutputFormat::Jsonl, false, &items),
            "{\"id\":\"a\"}\n{\"id\":\"b\"}\n"
        );
        assert_eq!(
            render(OutputFormat::Yaml, false, &items),
            "- id: a\n- id: b\n"
        );
        assert_eq!(render(OutputFormat::Json, false, &[]).trim(), "[]");
    }

    #[test]
    fn an_item_as_a_table_flattens_and_keeps_whole_values() {
        let buf = Buf::default();
        let mut out =
            Output::new(OutputFormat::Table, false, Box::new(buf.clone())).with_width(Some(40));
        let long = "y".repeat(200);
        out.item(&json!({"a": {"b": 1, "c": "two\nlines"}, "long": long}))
            .unwrap();
        let text = buf.text();
        assert!(text.contains("a.b    1\n"), "{text}");
        assert!(text.contains("a.c    two lines\n"), "{text}");
        assert!(text.contains(&format!("long   {long}\n")), "{text}");
        assert!(!text.contains('…'), "{text}");
    }

    #[test]
    fn yaml_keeps_strings_that_look_like_other_scalars() {
        let item = json!({"a": "null", "b": "007", "c": "true", "d": "1.5", "e": "x: y", "f": null, "g": 7});
        let text = render(OutputFormat::Yaml, false, std::slice::from_ref(&item));
        let back: Value = serde_saphyr::from_str(&text).unwrap();
        assert_eq!(back, json!([item]), "{text}");
    }

    #[test]
    fn an_empty_table_says_so() {
        assert_eq!(render(OutputFormat::Table, false, &[]), "no things\n");
    }

    #[test]
    fn a_list_fits_the_width_cutting_the_widest_column_but_never_an_id() {
        let id = "00000000-5a3e-4000-8000-000000000101";
        let items = [json!({"id": id, "name": "n".repeat(60), "owner": {"name": "o".repeat(30)}})];
        let buf = Buf::default();
        let mut out =
            Output::new(OutputFormat::Table, false, Box::new(buf.clone())).with_width(Some(80));
        out.list_item(&items[0]).unwrap();
        out.finish_list(
            &[
                col("ID", "/id"),
                col("NAME", "/name"),
                col("OWNER", "/owner/name"),
            ],
            "things",
        )
        .unwrap();
        let text = buf.text();
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{line:?} is wider than 80");
        }
        let row = text.lines().nth(1).unwrap();
        assert!(row.starts_with(id), "{row}");
        // The widest column (NAME) is the one cut.
        assert!(row.contains("n…"), "{row}");
        assert!(row.contains(&"o".repeat(30)), "{row}");
        // Ids alone wider than the screen: still whole.
        let rows = fit(&["ID"], vec![vec![id.to_string()]], &[true], Some(10));
        assert_eq!(rows[0][0], id);
    }
}
