//! Asking before a delete: on a terminal a person confirms; anywhere else (a script, CI) the
//! command must say `--yes`, so a pasted line cannot delete by accident.

use crate::exit::{CliError, CliResult};
use std::io::{BufRead, IsTerminal, Write};

/// Goes on when `yes`, or when a person at the terminal answers y; otherwise an error that says
/// why nothing was deleted.
pub fn delete(what: &str, yes: bool) -> CliResult {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(format!(
            "refusing to delete {what} without --yes: stdin is not a terminal, so nobody can \
             confirm"
        )));
    }
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "Delete {what}? This cannot be undone. [y/N] ");
    let _ = stderr.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::usage(format!("cannot read the answer: {e}")))?;
    if is_yes(&answer) {
        Ok(())
    } else {
        Err(CliError::api(format!("not deleted: {what} stays")))
    }
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_y_or_yes_confirms() {
        for yes in ["y", "Y\n", " yes ", "YES"] {
            assert!(super::is_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "yep", "sure"] {
            assert!(!super::is_yes(no), "{no:?}");
        }
    }
}
