//! Who may do what: every operation with every access level, a key of another workspace, no
//! key and a wrong key, against one table. Another workspace's project, notebook or run is a
//! 404, exactly as a missing one is, so a key learns nothing about what it cannot see. One
//! table per dialect: the live service refuses a run of a notebook it cannot see with 400
//! "Notebook not found", and its v1 execute answers every refusal 401.

use crate::common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Any 2xx.
    Ok,
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
}
use Expect::*;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    GetMe,
    ListProjects,
    CreateProject,
    GetProject,
    DeleteProject,
    CreateNotebook,
    GetNotebook,
    DeleteNotebook,
    ListNotebookRuns,
    CreateRun,
    GetRun,
    ExecuteV1,
}

const CALLERS: [&str; 8] = [
    "guest",
    "restricted_user",
    "viewer",
    "editor",
    "admin",
    "other workspace",
    "no key",
    "wrong key",
];

/// THE table. Columns in the order of `CALLERS`.
#[rustfmt::skip]
const TABLE: [(Op, [Expect; 8]); 12] = [
    (Op::GetMe, [Ok, Ok, Ok, Ok, Ok, Ok, Unauthorized, Unauthorized]),
    (Op::ListProjects, [Forbidden, Ok, Ok, Ok, Ok, Ok, Unauthorized, Unauthorized]),
    (Op::CreateProject, [Forbidden, Forbidden, Forbidden, Ok, Ok, Ok, Unauthorized, Unauthorized]),
    (Op::GetProject, [Forbidden, Ok, Ok, Ok, Ok, NotFound, Unauthorized, Unauthorized]),
    (Op::DeleteProject, [Forbidden, Forbidden, Forbidden, Ok, Ok, NotFound, Unauthorized, Unauthorized]),
    (Op::CreateNotebook, [Forbidden, Forbidden, Forbidden, Ok, Ok, NotFound, Unauthorized, Unauthorized]),
    (Op::GetNotebook, [Forbidden, Ok, Ok, Ok, Ok, NotFound, Unauthorized, Unauthorized]),
    (Op::DeleteNotebook, [Forbidden, Forbidden, Forbidden, Ok, Ok, NotFound, Unauthorized, Unauthorized]),
    (Op::ListNotebookRuns, [Forbidden, Ok, Ok, Ok, Ok, NotFound, Unauthorized, Unauthorized]),
    (Op::CreateRun, [Forbidden, Forbidden, Forbidden, Ok, Ok, NotFound, Unauthorized, Unauthorized]),
    (Op::GetRun, [Forbidden, Ok, Ok, Ok, Ok, NotFound, Unauthorized, Unauthorized]),
    (Op::ExecuteV1, [Forbidden, Forbidden, Forbidden, Ok, Ok, NotFound, Unauthorized, Unauthorized]),
];

/// The live dialect's table: the spec's, but for the two rows that differ.
#[rustfmt::skip]
const LIVE_TABLE: [(Op, [Expect; 8]); 2] = [
    (Op::CreateRun, [Forbidden, Forbidden, Forbidden, Ok, Ok, BadRequest, Unauthorized, Unauthorized]),
    (Op::ExecuteV1, [Unauthorized, Unauthorized, Unauthorized, Ok, Ok, Unauthorized, Unauthorized, Unauthorized]),
];

fn table(d: Dialect) -> Vec<(Op, [Expect; 8])> {
    TABLE
        .iter()
        .map(|(op, row)| {
            let live = LIVE_TABLE
                .iter()
                .find(|(o, _)| o == op)
                .filter(|_| d == Dialect::Live);
            (*op, live.map_or(*row, |(_, r)| *r))
        })
        .collect()
}

fn key_of(caller: &str) -> Option<&'static str> {
    match caller {
        "guest" => Some(GUEST),
        "restricted_user" => Some(RESTRICTED),
        "viewer" => Some(VIEWER),
        "editor" => Some(EDITOR),
        "admin" => Some(ADMIN),
        "other workspace" => Some(OTHER),
        "no key" => None,
        "wrong key" => Some("not-a-key-anyone-has"),
        _ => unreachable!(),
    }
}

async fn state(api: &Api) -> Value {
    let mut s = api.emulator_state().await;
    // The clock moves by itself; only the contents count.
    s.as_object_mut()
        .unwrap()
        .retain(|k, _| ["projects", "notebooks", "runs"].contains(&k.as_str()));
    s
}

#[tokio::test]
async fn every_operation_by_every_caller_matches_the_table() {
    matches_the_table(emulator().await).await;
}

#[tokio::test]
async fn every_operation_by_every_caller_matches_the_live_table() {
    matches_the_table(live_emulator().await).await;
}

async fn matches_the_table(emu: deepnote_emulator::Emulator) {
    let admin = Api::new(&emu, ADMIN);
    let mut cells = 0;
    let table = table(emu.dialect());
    for &(op, row) in &table {
        for (caller, expect) in CALLERS.iter().zip(row) {
            // Fresh resources of workspace ws-1 for each cell, so a delete does not spoil the next.
            let project = admin.project("owned").await;
            let notebook = admin.notebook(&project).await;
            let run = admin.run(&notebook).await;
            let api = match key_of(caller) {
                Some(k) => admin.with_key(k),
                None => admin.anonymous(),
            };
            let (method, path, body) = match op {
                Op::GetMe => (Method::GET, "/v2/me".to_string(), None),
                Op::ListProjects => (Method::GET, "/v2/projects".into(), None),
                Op::CreateProject => (
                    Method::POST,
                    "/v2/projects".into(),
                    Some(json!({"name": "new"})),
                ),
                Op::GetProject => (Method::GET, format!("/v2/projects/{project}"), None),
                Op::DeleteProject => (Method::DELETE, format!("/v2/projects/{project}"), None),
                Op::CreateNotebook => (
                    Method::POST,
                    "/v2/notebooks".into(),
                    Some(json!({"projectId": project})),
                ),
                Op::GetNotebook => (Method::GET, format!("/v2/notebooks/{notebook}"), None),
                Op::DeleteNotebook => (Method::DELETE, format!("/v2/notebooks/{notebook}"), None),
                Op::ListNotebookRuns => {
                    (Method::GET, format!("/v2/notebooks/{notebook}/runs"), None)
                }
                Op::CreateRun => (
                    Method::POST,
                    "/v2/runs".into(),
                    Some(json!({"notebookId": notebook})),
                ),
                Op::GetRun => (Method::GET, format!("/v2/runs/{run}"), None),
                Op::ExecuteV1 => (
                    Method::POST,
                    format!("/v1/projects/{project}/notebooks/{notebook}/execute"),
                    None,
                ),
            };
            let before = state(&admin).await;
            let r = api
                .raw(method, &path, body.map(|b| b.to_string().into_bytes()))
                .await;
            let got = match r.status {
                200..=299 => Ok,
                400 => BadRequest,
                401 => Unauthorized,
                403 => Forbidden,
                404 => NotFound,
                other => panic!("{op:?} by {caller}: status {other}: {:?}", r.body),
            };
            assert_eq!(got, expect, "{op:?} by {caller}: {:?}", r.body);
            if got != Ok {
                assert_eq!(
                    state(&admin).await,
                    before,
                    "{op:?} by {caller} changed state"
                );
                // The refusal names nothing of what the caller may not see.
                let text = String::from_utf8_lossy(&r.bytes);
                if got != Forbidden {
                    assert!(!text.contains("ws-1") && !text.contains("owned"), "{text}");
                }
            }
            if op == Op::ListProjects && got == Ok {
                let seen: Vec<&str> = r.body["projects"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|p| p["id"].as_str())
                    .collect();
                assert_eq!(
                    seen.contains(&project.as_str()),
                    *caller != "other workspace",
                    "{caller} listing"
                );
            }
            cells += 1;
        }
    }
    assert_eq!(cells, table.len() * CALLERS.len());
    // A missing project answers like another workspace's: the same status and message.
    let other = admin.with_key(OTHER);
    let theirs = admin.project("owned").await;
    let hidden = other.get(&format!("/v2/projects/{theirs}")).await;
    let missing = other
        .get("/v2/projects/00000000-0000-4000-8000-00000000dead")
        .await;
    assert_eq!(hidden.status, missing.status);
    assert_eq!(
        hidden.message().replace(&theirs, "ID"),
        missing
            .message()
            .replace("00000000-0000-4000-8000-00000000dead", "ID")
    );
}
