//! The one rule by which a code block fails, since the emulator executes nothing: its source
//! fails at top level when a line, not indented (so not inside an `if`, a `def` or a loop),
//!
//! - is a `raise` statement: `raise ValueError("boom")` fails with `ValueError` / `boom`
//!   (`from ...` ignored; a bare `raise` is Python's `RuntimeError`; `raise SystemExit(0)`
//!   exits cleanly, as below);
//! - calls `sys.exit(...)` with a non-zero status or a message (`SystemExit` / `1`);
//!   `sys.exit()`, `sys.exit(0)`, `sys.exit(None)` end the block without failing;
//! - is `assert False`, `assert 0` or `assert None`, with an optional message
//!   (`AssertionError`);
//!
//! or any line, indented or not, is the marker `# deepnote-emulator: fail`, optionally
//! followed by `NAME: message` (default `RuntimeError`). The first such line is where the block
//! fails. Nothing else fails: `1/0` or an undefined name succeed, because nothing evaluates them.

/// Why and where a block's source fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The exception's name (`ValueError`).
    pub ename: String,
    /// Its message (`boom`; may be empty).
    pub evalue: String,
    /// The failing line, 1-based.
    pub line: usize,
    /// That line's text.
    pub source: String,
}

/// The marker that fails the block it is in.
pub const MARKER: &str = "# deepnote-emulator: fail";

/// The first place `source` fails at, by the module's rule; `None` if it does not.
pub fn failure(source: &str) -> Option<Failure> {
    source.lines().enumerate().find_map(|(i, raw)| {
        let at = |ename: &str, evalue: String| Failure {
            ename: ename.to_string(),
            evalue,
            line: i + 1,
            source: raw.trim_end().to_string(),
        };
        let trimmed = raw.trim();
        if let Some(rest) = trimmed.strip_prefix(MARKER) {
            let rest = rest.trim();
            return Some(match rest.split_once(':') {
                Some((name, msg)) if is_name(name.trim()) => at(name.trim(), msg.trim().into()),
                _ if rest.is_empty() => at("RuntimeError", "the block is marked to fail".into()),
                _ => at("RuntimeError", rest.into()),
            });
        }
        if raw.starts_with(char::is_whitespace) {
            return None;
        }
        let stmt = strip_comment(trimmed);
        statement_failure(stmt).map(|(ename, evalue)| at(&ename, evalue))
    })
}

/// `ename` and `evalue` of a failing top-level statement.
fn statement_failure(stmt: &str) -> Option<(String, String)> {
    if stmt == "raise" {
        return Some((
            "RuntimeError".into(),
            "No active exception to reraise".into(),
        ));
    }
    if let Some(expr) = keyword(stmt, "raise") {
        let expr = split_outside(expr, " from ").0.trim();
        let (callee, args) = call(expr).unwrap_or((expr, None));
        let ename = callee.rsplit('.').next().unwrap_or(callee).trim();
        if ename == "SystemExit" {
            return exit_failure(args.unwrap_or(""));
        }
        if !is_name(ename) || !ename.starts_with(|c: char| c.is_ascii_uppercase()) {
            // `raise err`: the class is not visible without executing.
            return Some(("Exception".into(), expr.to_string()));
        }
        return Some((ename.to_string(), message(args.unwrap_or(""))));
    }
    if let Some((callee, Some(args))) = call(stmt)
        && callee == "sys.exit"
    {
        return exit_failure(args);
    }
    if let Some(rest) = keyword(stmt, "assert") {
        let (cond, msg) = split_outside(rest, ",");
        if matches!(cond.trim(), "False" | "0" | "None") {
            return Some(("AssertionError".into(), message(msg.unwrap_or(""))));
        }
    }
    None
}

/// `SystemExit` unless the status is a clean exit (none, `0`, `None`, `False`).
fn exit_failure(args: &str) -> Option<(String, String)> {
    let a = args.trim();
    if matches!(a, "" | "0" | "None" | "False") {
        return None;
    }
    Some(("SystemExit".into(), message(a)))
}

/// The text after `kw` when `stmt` starts with that keyword.
fn keyword<'a>(stmt: &'a str, kw: &str) -> Option<&'a str> {
    let rest = stmt.strip_prefix(kw)?;
    (rest.starts_with([' ', '(', '\t'])).then(|| rest.trim())
}

/// `callee(args)`: the callee and the text between the outer parentheses.
fn call(expr: &str) -> Option<(&str, Option<&str>)> {
    let open = expr.find('(')?;
    let callee = expr[..open].trim();
    let inner = expr[open + 1..].trim_end().strip_suffix(')')?;
    (!callee.is_empty() && callee.split('.').all(is_name)).then_some((callee, Some(inner)))
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The message an exception's arguments print: a lone string literal's text, else the
/// arguments as written.
fn message(args: &str) -> String {
    let a = args.trim();
    let body = a.trim_start_matches(['r', 'R', 'f', 'F', 'u', 'U', 'b', 'B']);
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if body.len() >= 2 * q.len()
            && body.starts_with(q)
            && body.ends_with(q)
            && !body[q.len()..body.len() - q.len()].contains(q)
        {
            return body[q.len()..body.len() - q.len()].to_string();
        }
    }
    a.to_string()
}

/// `s` split at the first `sep` outside quotes and brackets.
fn split_outside<'a>(s: &'a str, sep: &str) -> (&'a str, Option<&'a str>) {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ if depth == 0 && s[i..].starts_with(sep) => {
                    return (&s[..i], Some(&s[i + sep.len()..]));
                }
                _ => {}
            },
        }
    }
    (s, None)
}

/// A statement without its trailing `# comment` (a `#` inside a string stays).
fn strip_comment(stmt: &str) -> &str {
    split_outside(stmt, "#").0.trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(src: &str) -> Option<(String, String, usize)> {
        failure(src).map(|f| (f.ename, f.evalue, f.line))
    }

    fn at(ename: &str, evalue: &str, line: usize) -> Option<(String, String, usize)> {
        Some((ename.into(), evalue.into(), line))
    }

    #[test]
    fn top_level_raises_fail_with_their_exception() {
        assert_eq!(
            f("x = 1\nraise ValueError(\"boom\")\nprint(x)"),
            at("ValueError", "boom", 2)
        );
        assert_eq!(
            f("raise KeyError('region')  # why"),
            at("KeyError", "region", 1)
        );
        assert_eq!(
            f("raise requests.HTTPError(f\"bad {code}\") from e"),
            at("HTTPError", "bad {code}", 1)
        );
        assert_eq!(f("raise TimeoutError"), at("TimeoutError", "", 1));
        assert_eq!(
            f("raise"),
            at("RuntimeError", "No active exception to reraise", 1)
        );
        assert_eq!(f("raise err"), at("Exception", "err", 1));
        assert_eq!(
            f("raise ValueError('a, b: c')"),
            at("ValueError", "a, b: c", 1)
        );
    }

    #[test]
    fn exits_and_asserts_fail_only_when_python_would() {
        assert_eq!(f("import sys\nsys.exit(1)"), at("SystemExit", "1", 2));
        assert_eq!(f("sys.exit('no data')"), at("SystemExit", "no data", 1));
        assert_eq!(f("raise SystemExit(2)"), at("SystemExit", "2", 1));
        for clean in [
            "sys.exit()",
            "sys.exit(0)",
            "sys.exit(None)",
            "raise SystemExit(0)",
        ] {
            assert_eq!(f(clean), None, "{clean}");
        }
        assert_eq!(f("assert False"), at("AssertionError", "", 1));
        assert_eq!(
            f("assert False, \"rows missing\""),
            at("AssertionError", "rows missing", 1)
        );
        assert_eq!(f("assert len(df) > 0"), None);
    }

    #[test]
    fn the_marker_fails_anywhere_and_nothing_else_does() {
        assert_eq!(
            f("x = 1\n    # deepnote-emulator: fail"),
            at("RuntimeError", "the block is marked to fail", 2)
        );
        assert_eq!(
            f("# deepnote-emulator: fail NameError: name 'df' is not defined"),
            at("NameError", "name 'df' is not defined", 1)
        );
        for fine in [
            "1/0",
            "if bad:\n    raise ValueError('x')",
            "def f():\n    sys.exit(1)",
            "print('raise ValueError')",
            "raised = 3",
            "assertions = False",
            "# raise ValueError('commented out')",
            "",
        ] {
            assert_eq!(f(fine), None, "{fine:?}");
        }
    }
}
