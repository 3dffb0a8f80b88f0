//! Hostile answers: arbitrary and mutated bytes as the body of every operation's answer give
//! a value or an error, never a panic.

use deepnote_api::{ApiKey, Client, ClientBuilder, RetryPolicy};
use deepnote_test_support::{Reply, Stub};
use proptest::prelude::*;
use serde_json::json;

/// A valid answer of each operation, for the mutation strategy to corrupt.
fn valid_answers() -> Vec<Vec<u8>> {
    let run = json!({"runId": uuid::Uuid::nil(), "notebookId": "n", "status": "success",
                     "createdAt": "2026-11-25T10:00:00Z", "error": {"message": "m"},
                     "snapshot": {"snapshotContent": "version: 1"}});
    [
        json!({"runId": uuid::Uuid::nil(), "status": "pending", "createdAt": "2026-11-25T10:00:00Z"}),
        json!({"run": run}),
        json!({"notebook": {"id": "n", "name": "N", "projectId": "p"}}),
        json!({"runs": [run], "pagination": {"nextPageToken": "t"}}),
        json!({"projects": [{"id": "p", "name": "P", "projectType": "standard"}], "pagination": {}}),
        json!({"id": "p", "name": "P", "projectType": "agent", "folderId": "f"}),
        json!({"apiKey": {}, "user": {}, "workspace": {}, "accessLevel": "admin"}),
        json!({"message": "an error"}),
    ]
    .iter()
    .map(|v| v.to_string().into_bytes())
    .collect()
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        (
            0..valid_answers().len(),
            proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)
        )
            .prop_map(|(which, edits)| {
                let mut body = valid_answers()[which].clone();
                for (at, byte) in edits {
                    let at = at % body.len();
                    body[at] = byte;
                }
                body
            }),
        (0..valid_answers().len(), any::<usize>()).prop_map(|(which, cut)| {
            let body = valid_answers()[which].clone();
            body[..cut % body.len()].to_vec()
        }),
    ]
}

/// Call every operation once; each must return, whatever the body. The calls run at once: the
/// stub gives each the same answer, and a 429 then pauses them together for one wait instead
/// of one after another (the client's pacing, not under test here, made a case of 429s take
/// seconds).
async fn call_every_operation(client: &Client) {
    let id = uuid::Uuid::nil();
    let project = "00000000-0000-4000-8000-0000000000a2";
    tokio::join!(
        async {
            let _ = client
                .create_run()
                .body_map(|b| b.notebook_id("n"))
                .send()
                .await;
        },
        async {
            let _ = client.get_run().run_id(id).send().await;
        },
        async {
            let _ = client
                .create_notebook()
                .body_map(|b| b.project_id(project))
                .send()
                .await;
        },
        async {
            let _ = client.get_notebook().notebook_id("n").send().await;
        },
        async {
            let _ = client.delete_notebook().notebook_id("n").send().await;
        },
        async {
            let _ = client.list_notebook_runs().notebook_id("n").send().await;
        },
        async {
            let _ = client.list_projects().send().await;
        },
        async {
            let _ = client
                .create_project()
                .body_map(|b| b.name("p"))
                .send()
                .await;
        },
        async {
            let _ = client.get_project().project_id(project).send().await;
        },
        async {
            let _ = client.delete_project().project_id(project).send().await;
        },
        async {
            let _ = client.get_me().send().await;
        },
        async {
            let _ = client
                .execute_notebook_v1()
                .project_id(project)
                .notebook_id("n")
                .send()
                .await;
        },
    );
}

const OPERATIONS: usize = 12;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_answer_body_gives_a_value_or_an_error(body in body(), status in prop_oneof![Just(200u16), Just(202), Just(204), Just(400), Just(404), Just(429), Just(500), Just(503)]) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let stub = Stub::start(Vec::new()).await;
            // Retries would take further replies; one attempt per call keeps the script exact.
            let client = ClientBuilder::new(ApiKey::new("k").unwrap())
                .base_url(&stub.url())
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap();
            for _ in 0..OPERATIONS {
                stub.push(Reply::Bytes(status, body.clone()));
            }
            call_every_operation(&client).await;
            prop_assert_eq!(stub.seen().len(), OPERATIONS);
            Ok(())
        })?;
    }
}
