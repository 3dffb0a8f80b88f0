//! Blocks and the notebook edits: the exact requests sent, the answers decoded, the errors
//! mapped, and bad arguments refused before anything is sent.

use crate::surface_support;

use deepnote::{
    BlockId, Error,
    blocks::{BlockType, Placement},
    error::StatusCode,
};
use serde_json::json;
use surface_support::{UUID, stub};

#[tokio::test]
async fn create_sends_the_block_and_reads_the_answer() {
    let s = stub(|_| {
        (
            201,
            json!({"block": {"id": "b9", "notebookId": "nb1", "type": "sql", "content": "select 1",
                   "integrationId": UUID, "version": 1},
                   "notebookBlockIds": ["b1", "b9", "b2"]})
            .to_string(),
        )
    })
    .await;
    let c = s.client();
    let created = c
        .blocks()
        .create("nb1", BlockType::Sql)
        .content("select 1")
        .position(1)
        .integration(UUID)
        .include_notebook_block_ids(true)
        .await
        .unwrap();
    let r = s.only();
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/v2/blocks"));
    assert_eq!(r.header("authorization"), "Bearer surface-key-0123456789");
    assert_eq!(
        r.json(),
        json!({"notebookId": "nb1", "type": "sql", "content": "select 1", "position": 1,
               "integrationId": UUID, "includeNotebookBlockIds": true})
    );
    assert_eq!(created.block.id, BlockId::new("b9"));
    assert_eq!(created.block.block_type.as_deref(), Some("sql"));
    assert_eq!(
        created.block.integration_id.as_ref().map(|i| i.as_str()),
        Some(UUID)
    );
    assert_eq!(created.block.version, Some(1));
    assert_eq!(
        created.notebook_block_ids,
        ["b1", "b9", "b2"].map(BlockId::new).to_vec()
    );
}

#[tokio::test]
async fn get_update_delete_address_the_block() {
    let s = stub(|r| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/v2/blocks/b%201") => (
            200,
            json!({"block": {"id": "b 1", "type": "code", "content": "x = 1",
                   "metadata": {"a": 1}, "integrationId": null}})
            .to_string(),
        ),
        ("PATCH", "/v2/blocks/b%201") => (
            200,
            json!({"block": {"id": "b 1", "version": 4}}).to_string(),
        ),
        ("DELETE", "/v2/blocks/b%201") => (204, String::new()),
        _ => (418, "unexpected".into()),
    })
    .await;
    let c = s.client();
    let b = c.blocks().get("b 1").await.unwrap();
    assert_eq!(b.content.as_deref(), Some("x = 1"));
    assert_eq!(b.metadata.unwrap()["a"], json!(1));
    assert_eq!(b.integration_id, None);
    let b = c.blocks().update("b 1").content("x = 2").await.unwrap();
    assert_eq!(
        (b.id.as_str(), b.version, b.content),
        ("b 1", Some(4), None)
    );
    c.blocks().delete("b 1").await.unwrap();
    let seen = s.requests();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[1].json(), json!({"content": "x = 2"}));
    assert_eq!(seen[2].method, "DELETE");
}

#[tokio::test]
async fn bad_arguments_are_refused_before_sending() {
    let s = stub(|_| (500, "must not be called".into())).await;
    let c = s.client();
    let e = c.blocks().update("b1").await.unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let e = c.blocks().get("  ").await.unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let e = c
        .blocks()
        .create("nb1", BlockType::Code)
        .integration("not-a-uuid")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let e = c
        .blocks()
        .create("nb1", BlockType::Sql)
        .metadata("sql_integration_id", json!(UUID))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let none: [&str; 0] = [];
    let e = c
        .blocks()
        .reorder("nb1", none, Placement::End)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let e = c.notebooks().update("nb1").name("").await.unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    assert!(s.requests().is_empty());
}

#[tokio::test]
async fn reorder_and_rename_send_what_the_client_branch_shows() {
    let s = stub(|r| match r.path.as_str() {
        "/v2/notebooks/nb1/reorder-blocks" => {
            (200, json!({"blockIds": ["b3", "b1", "b2"]}).to_string())
        }
        "/v2/notebooks/nb1" => (
            200,
            json!({"notebook": {"id": "nb1", "name": "Renamed", "projectId": "p1"}}).to_string(),
        ),
        _ => (404, json!({"message": "no"}).to_string()),
    })
    .await;
    let c = s.client();
    let order = c
        .blocks()
        .reorder("nb1", ["b3"], Placement::Start)
        .await
        .unwrap();
    assert_eq!(order, ["b3", "b1", "b2"].map(BlockId::new).to_vec());
    c.blocks()
        .reorder("nb1", ["b3", "b1"], Placement::After("b2".into()))
        .await
        .unwrap();
    let nb = c.notebooks().update("nb1").name("Renamed").await.unwrap();
    assert_eq!((nb.id.as_str(), nb.name.as_str()), ("nb1", "Renamed"));
    let seen = s.requests();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(
        seen[0].json(),
        json!({"blockIds": ["b3"], "placement": {"type": "start"}})
    );
    assert_eq!(
        seen[1].json(),
        json!({"blockIds": ["b3", "b1"], "placement": {"type": "after", "blockId": "b2"}})
    );
    assert_eq!(
        (seen[2].method.as_str(), seen[2].json()),
        ("PATCH", json!({"name": "Renamed"}))
    );
}

#[tokio::test]
async fn error_statuses_are_typed() {
    let s = stub(|r| match r.method.as_str() {
        "GET" => (404, json!({"message": "block not found"}).to_string()),
        "PATCH" => (409, json!({"message": "Project is suspended"}).to_string()),
        "DELETE" => (403, "<html>denied</html>".into()),
        _ => (
            400,
            json!({"message": "metadata.sql_integration_id is not allowed"}).to_string(),
        ),
    })
    .await;
    let c = s.client();
    let e = c.blocks().get("b1").await.unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { message, .. } if message == "block not found"),
        "{e}"
    );
    let e = c.blocks().update("b1").content("x").await.unwrap_err();
    assert_eq!(e.status(), Some(StatusCode::CONFLICT));
    assert!(e.to_string().contains("Project is suspended"), "{e}");
    let e = c.blocks().delete("b1").await.unwrap_err();
    assert!(matches!(e, Error::Forbidden { .. }), "{e}");
    let e = c
        .blocks()
        .create("nb1", BlockType::Markdown)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(StatusCode::BAD_REQUEST));
    // 2xx answers without the block are decode errors, never a panic.
    let s = stub(|_| (200, json!({"block": {"id": ""}}).to_string())).await;
    let e = s.client().blocks().get("b1").await.unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e}");
}
