//! The models serialize with the API's own field names: each field of a serialized model is
//! the field of the emulator's answer (the live dialect) with the same value, or `null` where
//! the answer leaves it out. A renamed field (`project_type` for `projectType`) fails here.

use crate::common;

use chrono::{DateTime, Utc};
use common::{SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID};
use deepnote::{RunId, StreamExt, runs::SnapshotDelivery};
use serde_json::Value;

/// The raw JSON of `GET /v2/{path}`, as the API answers it.
async fn raw(emu: &deepnote_emulator::Emulator, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}/v2/{path}", emu.base_url()))
        .bearer_auth(emu.sample_key())
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Two values are the same, or the same instant in two spellings of RFC 3339 (`.000Z`, `Z`).
fn same(a: &Value, b: &Value) -> bool {
    let instant = |v: &Value| v.as_str().and_then(|s| s.parse::<DateTime<Utc>>().ok());
    a == b || matches!((instant(a), instant(b)), (Some(x), Some(y)) if x == y)
}

/// Every field of `model` is the answer's field of that name, or `null` where the answer has
/// none; and `expected` names fields that must be there, so the check cannot pass empty.
fn assert_named_as_api(
    what: &str,
    model: &impl serde::Serialize,
    answer: &Value,
    expected: &[&str],
) {
    let model = serde_json::to_value(model).unwrap();
    let fields = model
        .as_object()
        .unwrap_or_else(|| panic!("{what}: {model}"));
    for name in expected {
        assert!(
            answer.get(name).is_some() && fields.contains_key(*name),
            "{what}: `{name}` in the answer {answer} and the model {model}"
        );
    }
    for (name, value) in fields {
        match answer.get(name) {
            Some(wire) => assert!(
                same(value, wire),
                "{what}.{name}: {value} vs the API's {wire}"
            ),
            None => assert!(
                value.is_null(),
                "{what}.{name} = {value}, a field the API does not send: {answer}"
            ),
        }
    }
}

#[tokio::test]
async fn a_project_serializes_as_get_project_answers() {
    let (emu, client) = common::sample().await;
    let project = client.projects().get(SAMPLE_PROJECT_ID).await.unwrap();
    let answer = raw(&emu, &format!("projects/{SAMPLE_PROJECT_ID}")).await;
    assert_named_as_api(
        "project",
        &project,
        &answer["project"],
        &["id", "name", "projectType", "notebooks"],
    );
    // A notebook the project lists, as a notebook of its own, is `GET /notebooks/{id}`'s.
    let listed = project.notebooks[0].to_notebook(&project.id);
    let answer = raw(&emu, &format!("notebooks/{}", listed.id)).await;
    assert_named_as_api(
        "notebook",
        &listed,
        &answer["notebook"],
        &["id", "name", "projectId"],
    );
}

#[tokio::test]
async fn a_notebook_and_me_serialize_as_the_api_answers() {
    let (emu, client) = common::sample().await;
    let notebook = client.notebooks().get(SAMPLE_NOTEBOOK_ID).await.unwrap();
    let answer = raw(&emu, &format!("notebooks/{SAMPLE_NOTEBOOK_ID}")).await;
    assert_named_as_api(
        "notebook",
        &notebook,
        &answer["notebook"],
        &["id", "name", "projectId"],
    );

    let me = client.me().get().await.unwrap();
    let answer = raw(&emu, "me").await;
    assert_named_as_api(
        "me",
        &me,
        &answer,
        &["apiKey", "user", "workspace", "accessLevel"],
    );
    // In the API's order, not sorted.
    let text = serde_json::to_string(&me).unwrap();
    assert!(
        text.find("\"apiKey\"") < text.find("\"accessLevel\""),
        "{text}"
    );
}

#[tokio::test]
async fn a_run_serializes_as_get_run_answers_with_either_delivery() {
    let (emu, client) = common::sample().await;
    let runs: Vec<_> = client
        .runs()
        .list(SAMPLE_NOTEBOOK_ID)
        .stream()
        .collect()
        .await;
    let done = runs
        .into_iter()
        .map(Result::unwrap)
        .find(|r| r.is_success())
        .expect("the sample notebook has a successful run");
    let id: RunId = done.id;
    let run = client
        .runs()
        .get(id)
        .snapshot_delivery(SnapshotDelivery::Inline)
        .send()
        .await
        .unwrap();
    let answer = raw(&emu, &format!("runs/{id}?snapshotDelivery=inline")).await;
    let answer = answer.get("run").unwrap_or(&answer);
    assert_named_as_api(
        "run",
        &run,
        answer,
        &[
            "runId",
            "notebookId",
            "status",
            "createdAt",
            "completedAt",
            "snapshotContent",
        ],
    );

    // A download URL is signed afresh on each answer: its name is checked, not its value.
    let run = client.runs().get(id).send().await.unwrap();
    let model = serde_json::to_value(&run).unwrap();
    let answer = raw(&emu, &format!("runs/{id}")).await;
    let answer = answer.get("run").unwrap_or(&answer);
    assert!(model["snapshotDownloadUrl"].is_string(), "{model}");
    assert!(answer["snapshotDownloadUrl"].is_string(), "{answer}");
    assert!(model.get("snapshotContent").is_none(), "{model}");
    assert!(model.get("snapshot").is_none(), "{model}");

    // A started run serializes as `POST /runs` answers: runId, status, createdAt.
    let handle = client
        .runs()
        .create(SAMPLE_NOTEBOOK_ID)
        .send()
        .await
        .unwrap();
    let started = serde_json::to_value(&handle).unwrap();
    let keys: Vec<&str> = started
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 3, "{started}");
    assert_eq!(started["runId"], handle.id().to_string());
    assert_eq!(started["status"], handle.initial_status().as_str());
    assert!(started["createdAt"].is_string(), "{started}");
}
