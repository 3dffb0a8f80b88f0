//! Recording in a `.deepnote` file the ids Deepnote gave the project created from it: the
//! `project.id`, each notebook's `id`, and the references to a notebook id (`initNotebookId`,
//! a notebook-function block's `function_notebook_id`). Only those values change, in place,
//! so the file's layout, comments and every other line stay as the user wrote them; block ids
//! stay the file's (an import matches notebooks by id, and replaces their blocks).

use std::collections::HashMap;

/// The keys whose value is a project or notebook id.
const ID_KEYS: &[&str] = &["id", "initNotebookId", "function_notebook_id"];

/// `text` with each id of `renames` (old → new) replaced where it is the value of one of the
/// id keys, and how many values were replaced. A block whose id happens to equal a notebook's
/// would be renamed too; the ids Deepnote gives and the ones in its files never meet.
pub fn rewrite(text: &str, renames: &HashMap<String, String>) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut replaced = 0;
    for line in text.split_inclusive('\n') {
        match rewrite_line(line, renames) {
            Some(new) => {
                out.push_str(&new);
                replaced += 1;
            }
            None => out.push_str(line),
        }
    }
    (out, replaced)
}

/// The line with its id value replaced, if it is `[indent][- ]key: value` with a key of
/// [`ID_KEYS`] and a value (plain or quoted) that `renames` holds.
fn rewrite_line(line: &str, renames: &HashMap<String, String>) -> Option<String> {
    let body = line.trim_end_matches(['\n', '\r']);
    let ending = &line[body.len()..];
    let indent = body.len() - body.trim_start().len();
    let mut rest = &body[indent..];
    let mut prefix_len = indent;
    if let Some(after) = rest.strip_prefix("- ") {
        prefix_len += 2;
        rest = after;
    }
    let (key, value) = rest.split_once(':')?;
    if !ID_KEYS.contains(&key) {
        return None;
    }
    let raw = value.trim();
    let (quote, id) = match raw.chars().next() {
        Some(q @ ('\'' | '"')) if raw.len() >= 2 && raw.ends_with(q) => {
            (Some(q), &raw[1..raw.len() - 1])
        }
        _ => (None, raw),
    };
    let new = renames.get(id)?;
    let new = match quote {
        Some(q) => format!("{q}{new}{q}"),
        None => new.clone(),
    };
    Some(format!("{}{key}: {new}{ending}", &body[..prefix_len]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_named_ids_change_and_the_rest_stays_byte_for_byte() {
        let text = "# my notes\nproject:\n  id: demo-llm-agentic\n  name: id: not this\n  initNotebookId: 'notebook-1'\n  notebooks:\n    - id: notebook-1\n      name: Sales\n      blocks:\n        - id: notebook-1-block\n          metadata: {function_notebook_id: x}\n          content: \"id: notebook-1\"\r\n        - function_notebook_id: \"notebook-1\"\n";
        let renames = HashMap::from([
            ("demo-llm-agentic".to_string(), "P-UUID".to_string()),
            ("notebook-1".to_string(), "N-UUID".to_string()),
        ]);
        let (out, n) = rewrite(text, &renames);
        assert_eq!(n, 4);
        assert_eq!(
            out,
            "# my notes\nproject:\n  id: P-UUID\n  name: id: not this\n  initNotebookId: 'N-UUID'\n  notebooks:\n    - id: N-UUID\n      name: Sales\n      blocks:\n        - id: notebook-1-block\n          metadata: {function_notebook_id: x}\n          content: \"id: notebook-1\"\r\n        - function_notebook_id: \"N-UUID\"\n"
        );
    }
}
