//! GitHub Actions: an `::error::` annotation for a failed or timed-out run, and the run's
//! outcome appended to the job summary (`$GITHUB_STEP_SUMMARY`).
//!
//! Annotations go to stderr: the runner reads workflow commands from both streams, and stdout
//! stays pure data for `deepnote run -o json > result.json`.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Whether we run inside GitHub Actions (`GITHUB_ACTIONS=true`).
pub fn in_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// An `::error title=...::message` line, escaped as the runner expects.
pub fn error_annotation(title: &str, message: &str) -> String {
    format!(
        "::error title={}::{}",
        escape_property(title),
        escape_data(message)
    )
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One run's outcome, as the summary table shows it.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The notebook run.
    pub notebook: String,
    /// The run's id, if it started.
    pub run_id: Option<String>,
    /// The last status seen, or `timeout`.
    pub status: String,
    /// How long the CLI watched it.
    pub duration: Duration,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

/// The Markdown the summary gets: a header only when the file is empty, so several
/// `deepnote run` steps of one job add rows to one table.
pub fn summary_markdown(summary: &RunSummary, with_header: bool) -> String {
    let mut text = String::new();
    if with_header {
        text.push_str("### Deepnote runs\n\n");
        text.push_str("| Notebook | Run | Status | Duration | Error |\n");
        text.push_str("| --- | --- | --- | --- | --- |\n");
    }
    let duration = crate::duration::human(summary.duration);
    let status = match summary.status.as_str() {
        "success" => "✅ success".to_string(),
        other => format!("❌ {other}"),
    };
    text.push_str(&format!(
        "| {} | {} | {} | {} | {} |\n",
        cell(&summary.notebook),
        cell(summary.run_id.as_deref().unwrap_or("-")),
        cell(&status),
        duration,
        cell(summary.error.as_deref().unwrap_or("")),
    ));
    text
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// Appends the outcome to the file `$GITHUB_STEP_SUMMARY` names, if any.
pub fn append_summary(summary: &RunSummary) -> std::io::Result<()> {
    match std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        Some(path) => append_summary_to(Path::new(&path), summary),
        None => Ok(()),
    }
}

/// Appends the outcome to this file.
pub fn append_summary_to(path: &Path, summary: &RunSummary) -> std::io::Result<()> {
    let empty = std::fs::metadata(path)
        .map(|m| m.len() == 0)
        .unwrap_or(true);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(summary_markdown(summary, empty).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_is_escaped() {
        assert_eq!(
            error_annotation("Run failed: a,b", "100% broken\nline two"),
            "::error title=Run failed%3A a%2Cb::100%25 broken%0Aline two"
        );
    }

    #[test]
    fn summary_rows_share_one_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        let mut run = RunSummary {
            notebook: "nb|1".into(),
            run_id: Some("r1".into()),
            status: "error".into(),
            duration: Duration::from_millis(61_500),
            error: Some("ZeroDivisionError\nat line 3".into()),
        };
        append_summary_to(&path, &run).unwrap();
        run.status = "success".into();
        run.error = None;
        append_summary_to(&path, &run).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("| Notebook |").count(), 1);
        assert!(
            text.contains("| nb\\|1 | r1 | ❌ error | 1m 1s | ZeroDivisionError at line 3 |"),
            "{text}"
        );
        assert!(text.contains("| ✅ success | 1m 1s |  |"), "{text}");
    }
}
