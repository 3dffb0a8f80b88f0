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
    if ask(&format!("Delete {what}? This cannot be undone."))? {
        Ok(())
    } else {
        Err(CliError::api(format!("not deleted: {what} stays")))
    }
}

/// Asks a person at the terminal a yes/no `question` (no means no); false without asking where
/// stdin is not a terminal, so a script is never held up by a prompt.
pub fn ask(question: &str) -> CliResult<bool> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "{question} [y/N] ");
    let _ = stderr.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::usage(format!("cannot read the answer: {e}")))?;
    Ok(is_yes(&answer))
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
