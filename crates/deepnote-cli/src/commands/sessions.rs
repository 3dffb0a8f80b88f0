//! `deepnote sessions create|exec`.

use crate::app::Context;
use crate::cli::SessionsCommand;
use crate::exit::{CliError, CliResult, Exit};
use crate::output::OutputFormat;
use deepnote::Client;
use serde_json::{Map, Value};
use std::io::Write;

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
            let mut request = client
                .sessions()
                .create(notebook.as_str())
                .read_only(read_only);
            for (name, value) in inputs {
                let value = serde_json::to_value(value)
                    .map_err(|e| CliError::usage(format!("input {name}: {e}")))?;
                request = request.input(name, value);
            }
            if let Some(idle) = idle_shutdown {
                let secs = u32::try_from(idle.as_secs().max(1)).map_err(|_| {
                    CliError::usage("--idle-shutdown is too long (at most about 136 years)")
                })?;
                request = request.idle_shutdown(secs);
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
            let timeout_ms = timeout.map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX));
            let answer = client
                .sessions()
                .execute(session.as_str(), notebook.as_str(), code, timeout_ms)
                .await?;
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
