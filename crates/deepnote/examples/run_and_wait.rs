//! Run a notebook with input values and wait for it, reporting each status change.
//!
//! ```sh
//! DEEPNOTE_API_KEY=... cargo run -p deepnote --example run_and_wait -- NOTEBOOK_ID region=EMEA
//! ```

use deepnote::{
    Client, Error, NotebookId,
    runs::{Run, WaitPolicy},
};
use std::time::Duration;

/// Start the run, wait at most ten minutes, and say how it ended.
pub async fn run(
    client: &Client,
    notebook: NotebookId,
    inputs: Vec<(String, String)>,
) -> deepnote::Result<Run> {
    let handle = client.runs().create(notebook).inputs(inputs).send().await?;
    println!("started run {}", handle.id());

    let outcome = handle
        .wait()
        .policy(WaitPolicy::default().deadline(Duration::from_secs(600)))
        .on_progress(|run| println!("  {}", run.status))
        .await;
    match &outcome {
        Ok(run) => println!("succeeded in {:?}", run.duration()),
        Err(Error::RunFailed { run, message }) => {
            println!(
                "run {} ended {}: {}",
                run.id,
                run.status,
                message.as_deref().unwrap_or("-")
            )
        }
        Err(Error::Timeout { last_status, .. }) => println!("still {last_status} after 10 minutes"),
        Err(e) => println!("could not wait: {e}"),
    }
    outcome
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let mut args = std::env::args().skip(1);
    let notebook = args
        .next()
        .ok_or("usage: run_and_wait NOTEBOOK_ID [NAME=VALUE...]")?;
    let inputs = args
        .filter_map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    run(&client, NotebookId::from(notebook), inputs).await?;
    Ok(())
}
