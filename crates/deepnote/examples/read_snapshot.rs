//! Run a notebook, then read its execution snapshot: every block, and what the code printed.
//!
//! ```sh
//! DEEPNOTE_API_KEY=... cargo run -p deepnote --example read_snapshot -- NOTEBOOK_ID
//! ```

use deepnote::{Client, NotebookId, runs::SnapshotDocument};

/// Run the notebook to its end (success or not) and return its parsed snapshot.
pub async fn run(client: &Client, notebook: NotebookId) -> deepnote::Result<SnapshotDocument> {
    let handle = client.runs().create(notebook).send().await?;
    match handle.wait().await {
        Ok(_) => println!("run {} succeeded", handle.id()),
        // A failed run has a snapshot too: it shows where it failed.
        Err(deepnote::Error::RunFailed { run, .. }) => {
            println!("run {} ended {}", run.id, run.status)
        }
        Err(e) => return Err(e),
    }

    let snapshot = handle.snapshot().await?;
    let doc = snapshot.parse()?;
    println!("project {} ({})", doc.project.name, doc.project.id);
    for notebook in &doc.project.notebooks {
        println!(
            "notebook {} ({} blocks)",
            notebook.name,
            notebook.blocks.len()
        );
        for block in &notebook.blocks {
            let ran = block
                .execution_count
                .map_or(String::new(), |n| format!(" [{n}]"));
            println!(
                "  {}{ran}: {}",
                block.block_type,
                block
                    .content
                    .as_deref()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
            );
            let printed = block.stream_text();
            if !printed.is_empty() {
                println!("    -> {}", printed.trim_end());
            }
        }
    }
    Ok(doc)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    let notebook = std::env::args()
        .nth(1)
        .ok_or("usage: read_snapshot NOTEBOOK_ID")?;
    run(&client, NotebookId::from(notebook)).await?;
    Ok(())
}
