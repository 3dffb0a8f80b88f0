//! Every operation of the API, through the SDK, against the emulator.

use crate::common;

use deepnote::{
    Error, NotebookId, ProjectId, RunId, StreamExt, TryStreamExt,
    me::AccessLevel,
    runs::{RunStatus, SnapshotDelivery},
};
use deepnote_emulator::{Dialect, Emulator, KeySpec};

#[tokio::test]
async fn me_reports_the_key_workspace_and_access() {
    let (_emu, client) = common::sample().await;
    let me = client.me().get().await.unwrap();
    assert_eq!(me.access_level, Some(AccessLevel::Admin));
    assert_eq!(
        me.workspace_id(),
        Some(deepnote_emulator::SAMPLE_WORKSPACE_ID)
    );
    assert!(me.workspace_name().is_some());
    assert!(!me.api_key.is_empty());
}

#[tokio::test]
async fn projects_are_created_read_listed_and_deleted() {
    let (_emu, client) = common::sample().await;
    let created = client
        .projects()
        .create("Rust SDK test")
        .folder_id("00000000-0000-4000-8000-0000000000f1")
        .await
        .unwrap();
    assert_eq!(created.name, "Rust SDK test");
    assert_eq!(
        created.folder_id.as_deref(),
        Some("00000000-0000-4000-8000-0000000000f1")
    );

    let mut read = client.projects().get(&created.id).await.unwrap();
    // Get lists the project's files (none yet); create's answer does not.
    assert_eq!(read.files.take(), Some(vec![]));
    assert_eq!(created.files, None);
    assert_eq!(read, created);

    let found: Vec<_> = client
        .projects()
        .list()
        .name_contains("rust sdk")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(found, vec![created.clone()]);

    let page = client.projects().list().page_size(1).send().await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(page.next_page_token.is_some());

    client.projects().delete(&created.id).await.unwrap();
    match client.projects().get(&created.id).await {
        Err(Error::NotFound { message, .. }) => assert!(!message.is_empty()),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(matches!(
        client.projects().delete(&created.id).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn notebooks_are_created_read_listed_and_deleted() {
    let (_emu, client) = common::sample().await;
    let project = ProjectId::from(common::SAMPLE_PROJECT_ID);
    let notebook = client
        .notebooks()
        .create(&project)
        .name("SDK scratch")
        .send()
        .await
        .unwrap();
    assert_eq!(notebook.name, "SDK scratch");
    assert_eq!(notebook.project_id.as_ref(), Some(&project));
    assert_eq!(
        client.notebooks().get(&notebook.id).await.unwrap(),
        notebook
    );

    let unnamed = client.notebooks().create(&project).await.unwrap();
    assert!(!unnamed.name.is_empty());

    // A fresh notebook has no runs; the sample notebook has some.
    let none = client.runs().list(&notebook.id).send().await.unwrap();
    assert!(none.items.is_empty() && none.next_page_token.is_none());
    let sample = NotebookId::from(common::SAMPLE_NOTEBOOK_ID);
    let past: Vec<_> = client
        .runs()
        .list(&sample)
        .page_size(1)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!past.is_empty());
    assert!(past.iter().all(|r| r.notebook_id.as_ref() == Some(&sample)));

    client.notebooks().delete(&notebook.id).await.unwrap();
    assert!(matches!(
        client.notebooks().get(&notebook.id).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_run_is_created_read_waited_for_and_its_snapshot_read() {
    let (emu, client) = common::sample().await;
    let handle = client
        .runs()
        .create(common::SAMPLE_NOTEBOOK_ID)
        .input("region", "EMEA")
        .run_dependent_blocks(true)
        .send()
        .await
        .unwrap();
    let record = emu
        .run_record(&handle.id().to_string())
        .expect("the emulator has the run");
    assert_eq!(
        record.inputs.get("region"),
        Some(&serde_json::json!("EMEA"))
    );

    let now = client.runs().get(handle.id()).await.unwrap();
    assert_eq!(now.id, handle.id());
    assert!(!now.is_finished() || now.is_success());

    let done = handle.wait().await.unwrap();
    assert_eq!(done.status, RunStatus::Success);
    assert!(done.finished_at.is_some());

    let inline = client
        .runs()
        .get(handle.id())
        .snapshot_delivery(SnapshotDelivery::Inline)
        .await
        .unwrap();
    assert!(matches!(
        inline.snapshot,
        Some(deepnote::runs::SnapshotRef::Inline(_))
    ));

    let snapshot = handle.snapshot().await.unwrap();
    let doc = snapshot.parse().unwrap();
    assert_eq!(doc.project.id, common::SAMPLE_PROJECT_ID);
    assert!(
        doc.project
            .notebooks
            .iter()
            .any(|n| n.id == common::SAMPLE_NOTEBOOK_ID)
    );
}

#[tokio::test]
async fn the_legacy_execute_goes_to_v1() {
    // The original spec answers 200 and 404; the live service 202 and 401 for anything it
    // refuses (its docs name no other status).
    for (dialect, accepted) in [(Dialect::Spec, 200), (Dialect::Live, 202)] {
        let (emu, client) = common::start(Emulator::builder().dialect(dialect)).await;
        client
            .notebooks()
            .execute_v1(common::SAMPLE_PROJECT_ID, common::SAMPLE_NOTEBOOK_ID)
            .await
            .unwrap();
        let calls = common::requests(&emu, "POST", "/v1/projects/");
        assert_eq!(calls.len(), 1, "{:?}", emu.journal());
        assert_eq!(calls[0].status, accepted);
        // A notebook of another project is refused there.
        let other = client
            .notebooks()
            .execute_v1(
                "00000000-5a3e-4000-8000-000000000102",
                common::SAMPLE_NOTEBOOK_ID,
            )
            .await;
        match dialect {
            Dialect::Spec => assert!(matches!(other, Err(Error::NotFound { .. })), "{other:?}"),
            _ => assert!(
                matches!(other, Err(Error::Unauthorized { .. })),
                "{other:?}"
            ),
        }
    }
}

#[tokio::test]
async fn block_selection_reaches_the_server() {
    let (emu, client) = common::sample().await;
    let handle = client
        .runs()
        .create(common::SAMPLE_NOTEBOOK_ID)
        .blocks(["b-load"])
        .await
        .unwrap();
    let record = emu.run_record(&handle.id().to_string()).unwrap();
    assert_eq!(record.block_ids, Some(vec!["b-load".to_string()]));
    // The live service refuses a block the notebook lacks, before any run starts.
    let missing = client
        .runs()
        .create(common::SAMPLE_NOTEBOOK_ID)
        .blocks(["no-such-block"])
        .await;
    assert!(
        matches!(&missing, Err(Error::Api { status, message }) if status.as_u16() == 400 && message.contains("Block not found")),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_detached_run_reaches_the_server() {
    let (emu, client) = common::sample().await;
    let handle = client
        .runs()
        .create(common::SAMPLE_NOTEBOOK_ID)
        .detached(true)
        .storage_mode(deepnote::runs::StorageMode::ReadOnly)
        .await
        .unwrap();
    let record = emu.run_record(&handle.id().to_string()).unwrap();
    assert!(record.detached);
}

#[tokio::test]
async fn errors_are_typed() {
    let (emu, client) = common::sample().await;
    let wrong = common::client_for(&emu, "not-a-key");
    assert!(matches!(
        wrong.me().get().await,
        Err(Error::Unauthorized { .. })
    ));

    emu.add_key(
        KeySpec::new("viewer-key")
            .workspace(deepnote_emulator::SAMPLE_WORKSPACE_ID)
            .user("u-viewer")
            .access(deepnote_emulator::Role::Viewer),
    );
    let viewer = common::client_for(&emu, "viewer-key");
    let refused = viewer.projects().create("nope").await;
    assert!(
        matches!(refused, Err(Error::Forbidden { .. })),
        "{refused:?}"
    );
    assert_eq!(
        refused.unwrap_err().status(),
        Some(deepnote::error::StatusCode::FORBIDDEN)
    );
    assert!(viewer.projects().list().send().await.is_ok());

    let missing = RunId::parse("00000000-0000-4000-8000-000000000000").unwrap();
    let e = client.runs().get(missing).await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }));
    assert!(!e.is_retryable());

    // Refused before sending: nothing reaches the server.
    emu.clear_journal();
    for size in [0, 101] {
        let e = client
            .projects()
            .list()
            .page_size(size)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
        let mut s = client.projects().list().page_size(size).stream();
        assert!(matches!(
            s.next().await,
            Some(Err(Error::InvalidArgument(_)))
        ));
        assert!(s.next().await.is_none());
    }
    let e = client
        .runs()
        .create(common::SAMPLE_NOTEBOOK_ID)
        .blocks(Vec::<String>::new())
        .await;
    assert!(matches!(e, Err(Error::InvalidArgument(_))));
    assert!(matches!(
        client.projects().get("").await,
        Err(Error::InvalidArgument(_))
    ));
    assert!(emu.journal().is_empty(), "{:?}", emu.journal());

    // The server's own 400s arrive as API errors with their status.
    let e = client.projects().get("not-a-uuid").await.unwrap_err();
    assert_eq!(
        e.status(),
        Some(deepnote::error::StatusCode::BAD_REQUEST),
        "{e:?}"
    );
}
