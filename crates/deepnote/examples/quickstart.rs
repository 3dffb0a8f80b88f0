//! Who am I, and what is in my workspace?
//!
//! ```sh
//! DEEPNOTE_API_KEY=... cargo run -p deepnote --example quickstart
//! ```

use deepnote::{Client, StreamExt};

/// The example itself, callable from tests with any client.
pub async fn run(client: &Client) -> deepnote::Result<usize> {
    let me = client.me().get().await?;
    println!(
        "workspace {} ({}), access level {}",
        me.workspace_name().unwrap_or("?"),
        me.workspace_id().unwrap_or("?"),
        me.access_level.as_ref().map_or("?", |a| a.as_str()),
    );

    // The first ten projects; the stream fetches pages as it goes.
    let mut projects = client.projects().list().stream().take(10);
    let mut shown = 0;
    while let Some(project) = projects.next().await {
        let project = project?;
        println!("{}  {}", project.id, project.name);
        shown += 1;
    }
    Ok(shown)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    run(&client).await?;
    Ok(())
}
