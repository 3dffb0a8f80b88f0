//! Every project in the workspace, and every past run of one notebook, page by page.
//!
//! ```sh
//! DEEPNOTE_API_KEY=... cargo run -p deepnote --example list_everything -- [NOTEBOOK_ID]
//! ```

use deepnote::{Client, NotebookId, StreamExt};

/// Projects seen and runs seen.
pub async fn run(
    client: &Client,
    notebook: Option<NotebookId>,
) -> deepnote::Result<(usize, usize)> {
    // Items arrive one by one; the next page is already on its way while this one is printed.
    let mut projects = client.projects().list().page_size(100).stream();
    let mut project_count = 0;
    while let Some(project) = projects.next().await {
        let project = project?;
        project_count += 1;
        println!("project {}  {}", project.id, project.name);
    }
    println!("{project_count} projects");

    let mut run_count = 0;
    if let Some(notebook) = notebook {
        // Page at a time, for callers that want to see the pages.
        let mut pages = client.runs().list(&notebook).page_size(50).pages();
        while let Some(page) = pages.next().await {
            let page = page?;
            for run in &page.items {
                println!("run {}  {}  {:?}", run.id, run.status, run.created_at);
            }
            run_count += page.items.len();
        }
        println!("{run_count} runs of notebook {notebook}");
    }
    Ok((project_count, run_count))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    run(&client, std::env::args().nth(1).map(NotebookId::from)).await?;
    Ok(())
}
