//! Run one notebook for many input values at once, printing each outcome as it arrives.
//!
//! ```sh
//! DEEPNOTE_API_KEY=... cargo run -p deepnote --example run_many -- NOTEBOOK_ID EMEA APAC AMER
//! ```

use deepnote::{Client, NotebookId, StreamExt, runs::RunRequest};

/// Run `notebook` once per value of its `region` input; how many succeeded.
pub async fn run(
    client: &Client,
    notebook: NotebookId,
    regions: &[&str],
) -> deepnote::Result<usize> {
    let requests = regions
        .iter()
        .map(|region| RunRequest::new(notebook.clone()).input("region", *region));
    // At most four runs at a time; a 429 slows every worker down instead of failing.
    let mut outcomes = client.runs().run_many(requests).concurrency(4).stream();
    let mut succeeded = 0;
    while let Some(outcome) = outcomes.next().await {
        let region = regions[outcome.index];
        match outcome.result {
            Ok(run) => {
                succeeded += 1;
                println!("{region}: run {} succeeded", run.id);
            }
            Err(e) => println!("{region}: {e}"),
        }
    }
    println!("{succeeded} of {} succeeded", regions.len());
    Ok(succeeded)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (notebook, regions) = args
        .split_first()
        .ok_or("usage: run_many NOTEBOOK_ID REGION...")?;
    let regions: Vec<&str> = regions.iter().map(String::as_str).collect();
    run(&client, NotebookId::from(notebook.as_str()), &regions).await?;
    Ok(())
}
