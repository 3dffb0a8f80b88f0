//! Each example, run against the in-process emulator.

use crate::common;

use deepnote::NotebookId;

#[allow(dead_code)]
#[path = "../../examples/quickstart.rs"]
mod quickstart;

#[allow(dead_code)]
#[path = "../../examples/list_everything.rs"]
mod list_everything;

#[allow(dead_code)]
#[path = "../../examples/run_and_wait.rs"]
mod run_and_wait;

#[allow(dead_code)]
#[path = "../../examples/run_many.rs"]
mod run_many;

#[allow(dead_code)]
#[path = "../../examples/read_snapshot.rs"]
mod read_snapshot;

fn sample_notebook() -> NotebookId {
    NotebookId::from(common::SAMPLE_NOTEBOOK_ID)
}

#[tokio::test]
async fn quickstart_runs() {
    let (_emu, client) = common::sample().await;
    assert!(quickstart::run(&client).await.unwrap() > 0);
}

#[tokio::test]
async fn list_everything_runs() {
    let (_emu, client) = common::sample().await;
    for i in 0..120 {
        client.projects().create(format!("p{i}")).await.unwrap();
    }
    let (projects, runs) = list_everything::run(&client, Some(sample_notebook()))
        .await
        .unwrap();
    assert!(projects > 120);
    assert!(runs > 0);
}

#[tokio::test]
async fn run_and_wait_runs() {
    let (emu, client) = common::sample().await;
    let run = run_and_wait::run(
        &client,
        sample_notebook(),
        vec![("region".into(), "EMEA".into())],
    )
    .await
    .unwrap();
    assert!(run.is_success());
    let record = emu.run_record(&run.id.to_string()).unwrap();
    assert_eq!(
        record.inputs.get("region"),
        Some(&serde_json::json!("EMEA"))
    );
}

#[tokio::test]
async fn run_many_runs() {
    let (_emu, client) = common::sample().await;
    let n = run_many::run(
        &client,
        sample_notebook(),
        &["EMEA", "APAC", "AMER", "LATAM", "ANZ"],
    )
    .await
    .unwrap();
    assert_eq!(n, 5);
}

#[tokio::test]
async fn read_snapshot_runs() {
    let (_emu, client) = common::sample().await;
    let doc = read_snapshot::run(&client, sample_notebook())
        .await
        .unwrap();
    assert!(
        doc.project
            .notebooks
            .iter()
            .any(|n| n.id == common::SAMPLE_NOTEBOOK_ID)
    );
}
