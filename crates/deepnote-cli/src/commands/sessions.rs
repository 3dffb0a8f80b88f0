//! `deepnote sessions create|exec`.

use crate::app::Context;
use crate::duration::{Deadline, parse_timeout};
use crate::exit::{CliError, CliResult, Exit};
use crate::inputs::{InputArg, parse_input};
use crate::output::OutputFormat;
use clap::Subcommand;
use deepnote::Client;
use serde_json::{Map, Value};
use std::io::Write;
use std::path::PathBuf;

/// `deepnote sessions ...`
#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Start a session on a notebook: it runs the notebook once and stays up for `exec`
    Create {
        /// The notebook's id
        notebook: String,
        /// An input block's value, NAME=VALUE (repeatable), typed as for `deepnote run`
        #[arg(long = "input", short = 'i', value_name = "NAME=VALUE", value_parser = parse_input)]
        inputs: Vec<InputArg>,
        /// A JSON object of input values (`-` for stdin); --input overrides its entries
        #[arg(long, value_name = "PATH")]
        input_file: Option<PathBuf>,
        /// Keep the session from writing to the project's files
        #[arg(long)]
        read_only: bool,
        /// End the session after this long without activity, such as 30m
        #[arg(long, value_name = "DURATION", value_parser = parse_positive)]
        idle_shutdown: Option<std::time::Duration>,
    },
    /// Run code in a session's kernel and print its outputs (exit 5 when the code raised)
    Exec {
        /// The session's id
        session: String,
        /// The notebook the session was started on
        #[arg(long, value_name = "ID")]
        notebook: String,
        /// The code to run (`-`: read it from stdin)
        code: String,
        /// Give up on the code after this long, such as 30s
        #[arg(long, value_name = "DURATION", value_parser = parse_positive)]
        timeout: Option<std::time::Duration>,
    },
}

/// A duration as `--timeout` reads them, but one that ends: `none` is refused.
fn parse_positive(text: &str) -> Result<std::time::Duration, String> {
    match parse_timeout(text)? {
        Deadline(Some(d)) => Ok(d),
        Deadline(None) => Err("give a duration, such as 30s or 10m".into()),
    }
}

/// Runs one `sessions` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: SessionsCommand) -> CliResult {
    match command {
        SessionsCommand::Create {
            notebook,
            inputs,
            input_file,
            read_only,
            idle_shutdown,
        } => {
            let inputs = crate::inputs::of(input_file.as_deref(), &inputs)?;
            let mut request = client.sessions().create(notebook.as_str());
            if read_only {
                request = request.storage_mode(deepnote::runs::StorageMode::ReadOnly);
            }
            for (name, value) in inputs {
                request = request.input(name, value);
            }
            if let Some(idle) = idle_shutdown {
                // The API counts whole seconds: a shorter wait is one second.
                request = request.idle_shutdown(idle.max(std::time::Duration::from_secs(1)));
            }
            let session = request.send().await?;
            ctx.note(format!(
                "started session {} on notebook {notebook}; its first run is {} (`deepnote runs \
                 wait {}`); run code with `deepnote sessions exec {} --notebook {notebook} CODE`",
                session.id, session.run_id, session.run_id, session.id
            ));
            Ok(ctx.out.item(&session)?)
        }
        SessionsCommand::Exec {
            session,
            notebook,
            code,
            timeout,
        } => {
            let code = if code == "-" {
                std::io::read_to_string(std::io::stdin())
                    .map_err(|e| CliError::usage(format!("cannot read the code from stdin: {e}")))?
            } else {
                code
            };
            let mut request = client
                .sessions()
                .execute(session.as_str(), notebook.as_str(), code);
            if let Some(timeout) = timeout {
                request = request.timeout(timeout);
            }
            let answer = request.await?;
            if ctx.out.format() == OutputFormat::Table {
                print_outputs(&answer)?;
            } else {
                ctx.out.item(&answer)?;
            }
            match raised(&answer) {
                Some(error) => Err(CliError::new(
                    Exit::RunFailed,
                    format!("the code raised {error} (session {session})"),
                )),
                None => Ok(()),
            }
        }
    }
}

fn outputs(answer: &Map<String, Value>) -> &[Value] {
    answer
        .get("outputs")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// `ename: evalue` of the first error output, or the answer's `error` status.
fn raised(answer: &Map<String, Value>) -> Option<String> {
    let text = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    if let Some(error) = outputs(answer)
        .iter()
        .find(|o| o.get("output_type").and_then(Value::as_str) == Some("error"))
    {
        return Some(format!(
            "{}: {}",
            text(error, "ename"),
            text(error, "evalue")
        ));
    }
    (answer.get("status").and_then(Value::as_str) == Some("error"))
        .then(|| "an error (the server's status)".to_string())
}

/// What the code printed, as a person reads it: streams as they are, results as their plain
/// text, errors as their traceback.
fn print_outputs(answer: &Map<String, Value>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for output in outputs(answer) {
        let kind = output.get("output_type").and_then(Value::as_str);
        let text = match kind {
            Some("stream") => output
                .get("text")
                .and_then(Value::as_str)
                .map(str::to_string),
            Some("execute_result" | "display_data") => output
                .pointer("/data/text~1plain")
                .and_then(Value::as_str)
                .map(|t| format!("{t}\n")),
            Some("error") => output
                .get("traceback")
                .and_then(Value::as_array)
                .map(|lines| {
                    let lines: Vec<&str> = lines.iter().filter_map(Value::as_str).collect();
                    format!("{}\n", lines.join("\n"))
                }),
            _ => None,
        };
        match text {
            Some(text) => out.write_all(text.as_bytes())?,
            None => writeln!(out, "{output}")?,
        }
    }
    out.flush()
}
