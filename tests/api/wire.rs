//! Wire format: request types serialize exactly as the spec names their fields, and a
//! representative answer of every operation deserializes, unknown fields and values included.

use deepnote_api::types;
use deepnote_api::{AccessLevel, ProjectType, RunStatus};
use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The document the client is generated from.
fn spec() -> OpenAPI {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    serde_json::from_value(deepnote_spec::merged(root).unwrap()).unwrap()
}

/// The property names of a request body's schema (inline or by `$ref`), as the spec has them.
fn body_fields(spec: &OpenAPI, path: &str) -> BTreeSet<String> {
    let op = spec.paths.paths[path]
        .as_item()
        .unwrap()
        .post
        .as_ref()
        .unwrap();
    let body = op.request_body.as_ref().unwrap().as_item().unwrap();
    let schema = body.content["application/json"].schema.as_ref().unwrap();
    let schema = match schema {
        ReferenceOr::Reference { reference } => {
            let name = reference.rsplit('/').next().unwrap();
            spec.components.as_ref().unwrap().schemas[name]
                .as_item()
                .unwrap()
                .clone()
        }
        ReferenceOr::Item(s) => s.clone(),
    };
    let SchemaKind::Type(Type::Object(o)) = schema.schema_kind else {
        panic!("not an object")
    };
    o.properties.keys().cloned().collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn create_run_request_uses_the_spec_names() {
    let full = types::CreateRunRequest {
        notebook_id: "nb-1".into(),
        detached: Some(true),
        detached_run_storage_mode: Some(types::CreateRunRequestDetachedRunStorageMode::Readonly),
        block_ids: Some(vec!["b-1".into()]),
        run_dependent_blocks: Some(false),
        inputs: [
            (
                "limit".to_string(),
                types::RunInputValue::String("3".into()),
            ),
            ("flag".to_string(), types::RunInputValue::Boolean(true)),
            (
                "tags".to_string(),
                types::RunInputValue::Array(vec!["a".into()]),
            ),
        ]
        .into_iter()
        .collect(),
    };
    let wire = serde_json::to_value(&full).unwrap();
    assert_eq!(keys(&wire), body_fields(&spec(), "/runs"));
    // Input values are only what Deepnote accepts: a string, a boolean, a list of strings.
    assert_eq!(
        wire,
        json!({"notebookId": "nb-1", "detached": true, "detachedRunStorageMode": "readonly",
               "blockIds": ["b-1"], "runDependentBlocks": false,
               "inputs": {"limit": "3", "flag": true, "tags": ["a"]}})
    );
    assert!(
        serde_json::from_value::<types::RunInputValue>(json!(3)).is_err(),
        "a number is no input value"
    );
    let minimal = types::CreateRunRequest {
        notebook_id: "nb-1".into(),
        detached: None,
        detached_run_storage_mode: None,
        block_ids: None,
        run_dependent_blocks: None,
        inputs: Default::default(),
    };
    // Optional fields are omitted, not sent as null or empty: Deepnote rejects `blockIds: []`.
    assert_eq!(
        serde_json::to_value(&minimal).unwrap(),
        json!({"notebookId": "nb-1"})
    );
}

#[test]
fn create_project_and_notebook_bodies_use_the_spec_names() {
    // The live body has no `projectType` (the original's): only what both allow is sent.
    let folder = "9c1d1b8e-8f5e-4d7a-9a59-2f3c9a1b7e10";
    let project = types::CreateProjectBody {
        name: "P".into(),
        folder_id: Some(folder.parse().unwrap()),
    };
    let wire = serde_json::to_value(&project).unwrap();
    assert_eq!(keys(&wire), body_fields(&spec(), "/projects"));
    assert_eq!(wire, json!({"name": "P", "folderId": folder}));
    let minimal = types::CreateProjectBody {
        name: "P".into(),
        folder_id: None,
    };
    assert_eq!(
        serde_json::to_value(&minimal).unwrap(),
        json!({"name": "P"})
    );

    let notebook = types::CreateNotebookBody {
        project_id: folder.parse().unwrap(),
        name: Some("N".into()),
    };
    let wire = serde_json::to_value(&notebook).unwrap();
    assert_eq!(keys(&wire), body_fields(&spec(), "/notebooks"));
    assert_eq!(wire, json!({"projectId": folder, "name": "N"}));
}

const RUN_ID: &str = "4c1d1b8e-8f5e-4d7a-9a59-2f3c9a1b7e10";

#[test]
fn every_operation_answer_deserializes_with_unknown_fields_and_values() {
    // createRun (202)
    let started: types::CreateRunResponse = serde_json::from_value(json!({
        "runId": RUN_ID, "status": "queued_for_gpu", "createdAt": "2026-11-25T10:00:00Z", "extra": 1
    }))
    .unwrap();
    assert_eq!(
        started.status,
        Some(RunStatus::Unknown("queued_for_gpu".into()))
    );
    assert!(
        !started.status.unwrap().is_terminal(),
        "unknown statuses are still running"
    );

    // getRun: every snapshot form (nested and flat), both error forms, both finish fields.
    let run: types::GetRunResponse = serde_json::from_value(json!({"run": {
        "runId": RUN_ID, "notebookId": "nb", "status": "error", "createdAt": "2026-11-25T10:00:00Z",
        "finishedAt": "2026-11-25T10:00:05.123Z", "error": {"message": "boom", "code": 7},
        "snapshot": {"snapshotContent": "version: 1\n"}, "newField": [1, 2]
    }}))
    .unwrap();
    let run = run.run.unwrap();
    assert_eq!(run.status, Some(RunStatus::Error));
    assert!(run.finished_at.is_some() && run.completed_at.is_none());
    assert!(
        matches!(run.error, Some(types::RunError::Object { message: Some(ref m) }) if m == "boom")
    );
    assert_eq!(
        run.snapshot.unwrap().snapshot_content.as_deref(),
        Some("version: 1\n")
    );
    let run: types::GetRunResponse = serde_json::from_value(json!({"run": {
        "runId": RUN_ID, "status": "success", "error": "plain text",
        "snapshot": {"downloadUrl": "https://files.example/s.deepnote"}
    }}))
    .unwrap();
    let run = run.run.unwrap();
    assert!(matches!(run.error, Some(types::RunError::String(ref m)) if m == "plain text"));
    assert!(run.snapshot.unwrap().download_url.is_some());
    // The live shape: `id`, `completedAt`, the snapshot flat on the run, a null error.
    let run: types::GetRunResponse = serde_json::from_value(json!({"run": {
        "id": RUN_ID, "status": "error", "error": null, "completedAt": "2026-11-25T10:00:05Z",
        "snapshotContent": null, "snapshotDownloadUrl": "https://files.example/s.deepnote"
    }}))
    .unwrap();
    let run = run.run.unwrap();
    assert_eq!(run.id.map(|id| id.to_string()).as_deref(), Some(RUN_ID));
    assert!(run.error.is_none() && run.completed_at.is_some());
    assert!(run.snapshot_content.is_none() && run.snapshot_download_url.is_some());

    // createNotebook / getNotebook
    let nb: types::GetNotebookResponse = serde_json::from_value(json!({
        "notebook": {"id": "nb", "name": "N", "projectId": "p", "blocks": [],
                     "inputs": [{"name": "region", "type": "input-text", "value": "EU"}]}
    }))
    .unwrap();
    let nb = nb.notebook.unwrap();
    assert_eq!(nb.project_id.as_deref(), Some("p"));
    assert_eq!(nb.inputs[0].name.as_deref(), Some("region"));

    // listNotebookRuns
    let runs: types::ListNotebookRunsResponse = serde_json::from_value(json!({
        "runs": [{"runId": RUN_ID, "status": "running"}], "pagination": {"nextPageToken": "t"}
    }))
    .unwrap();
    assert_eq!(runs.runs.len(), 1);
    assert_eq!(
        runs.pagination.unwrap().next_page_token.as_deref(),
        Some("t")
    );
    let empty: types::ListNotebookRunsResponse = serde_json::from_value(json!({})).unwrap();
    assert!(empty.runs.is_empty() && empty.pagination.is_none());
    let last: types::ListNotebookRunsResponse = serde_json::from_value(json!({
        "runs": [], "pagination": {"nextPageToken": null, "hasMore": false}
    }))
    .unwrap();
    assert!(last.pagination.unwrap().next_page_token.is_none());

    // listProjects / createProject / getProject
    let projects: types::ListProjectsResponse = serde_json::from_value(json!({
        "projects": [{"id": "p", "name": "P", "projectType": "notebook_v3", "folderId": "f"}],
        "pagination": {}
    }))
    .unwrap();
    assert_eq!(
        projects.projects[0].project_type,
        Some(ProjectType::Unknown("notebook_v3".into()))
    );
    let project: types::GetProjectResponse = serde_json::from_value(json!({"project":
        {"id": "p", "name": "P", "files": [], "folder": null, "notebooks": [{"id": "n"}]}}))
    .unwrap();
    assert_eq!(project.project.notebooks[0].id, "n");

    // getMe
    let me: types::Me = serde_json::from_value(json!({
        "apiKey": {"id": "k"}, "user": {"id": "u", "email": "a@b"}, "workspace": {"id": "w"},
        "accessLevel": "owner"
    }))
    .unwrap();
    assert_eq!(me.access_level, Some(AccessLevel::Unknown("owner".into())));
    assert_eq!(me.user.unwrap()["email"], "a@b");

    // Error body of every operation
    let err: types::ErrorResponse =
        serde_json::from_value(json!({"message": "nope", "code": "X"})).unwrap();
    assert_eq!(err.message, "nope");
}

#[test]
fn open_enums_round_trip_known_and_unknown_values() {
    for status in RunStatus::KNOWN {
        let wire = serde_json::to_value(status).unwrap();
        assert_eq!(serde_json::from_value::<RunStatus>(wire).unwrap(), *status);
    }
    let unknown = RunStatus::Unknown("paused".into());
    assert_eq!(serde_json::to_value(&unknown).unwrap(), json!("paused"));
    assert_eq!(
        AccessLevel::from("restricted_user"),
        AccessLevel::RestrictedUser
    );
    assert_eq!(ProjectType::Agent.to_string(), "agent");
}
