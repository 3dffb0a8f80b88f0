//! Live-dialect interactive sessions: `POST /sessions` starts one with an initial run of the
//! whole notebook (followed with `GET /runs/{id}`, like any run), and
//! `POST /sessions/{id}/execute` answers canned, deterministic outputs for the code it is given,
//! since nothing executes: each `print("literal")` line prints its literal, code that fails by
//! the rule of [`crate::failing`] (a top-level `raise`, `sys.exit(1)`, `assert False`, the
//! `# deepnote-emulator: fail` marker) ends with an `error` output there (still 200, as the
//! reference says of user-code exceptions), and code that prints nothing answers an
//! `execute_result` naming the code's hash. Weak evidence: the execute answer's shape is not visible in Deepnote's reference.

use super::{committed, visible_notebook};
use crate::clock::rfc3339;
use crate::error::Refusal;
use crate::extract::{Authorized, PathParams, RawBody, access};
use crate::state::{Change, RunRecord, Session};
use axum::Json;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum StorageMode {
    ReadWrite,
    Readonly,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateSession {
    notebook_id: String,
    inputs: Option<Map<String, Value>>,
    storage_mode: Option<StorageMode>,
    idle_shutdown_seconds: Option<u64>,
}

fn session_value(se: &Session) -> Value {
    json!({
        "id": se.id,
        "notebookId": se.notebook_id,
        "projectId": se.project_id,
        "sessionNotebookId": se.session_notebook_id,
        "storageMode": se.storage_mode,
        "idleShutdownSeconds": se.idle_shutdown_seconds,
        "createdAt": rfc3339(se.created_at),
    })
}

pub async fn create_session(
    Authorized(s, key, _): Authorized<access::Run>,
    body: RawBody,
) -> Result<Response, Refusal> {
    let req: CreateSession = body.api_json()?;
    let mut store = s.store.write().expect("store lock");
    let n = visible_notebook(&store, &key, &req.notebook_id)?.clone();
    if store.project(&n.project_id).is_some_and(|p| p.suspended) {
        return Err(Refusal::Conflict("Project is suspended".into()));
    }
    let inputs = req.inputs.unwrap_or_default();
    crate::inputs::check(&n, &inputs)?;
    let storage_mode = match req.storage_mode.unwrap_or(StorageMode::ReadWrite) {
        StorageMode::ReadWrite => "read_write",
        StorageMode::Readonly => "readonly",
    };
    let now = s.clock.now_ms();
    let run = RunRecord {
        id: s.new_id(),
        notebook_id: n.id.clone(),
        project_id: n.project_id.clone(),
        seq: store.take_seq(),
        created_at: now,
        behaviour: s.behaviour_for(&store, &n.id),
        inputs,
        block_ids: None,
        run_dependent_blocks: false,
        detached: true,
        detached_run_storage_mode: Some(storage_mode.into()),
        trigger: "session".into(),
        ran: None,
    };
    let project = store
        .project(&n.project_id)
        .ok_or_else(|| Refusal::NotFound(format!("project {} not found", n.project_id)))?;
    let run = crate::ran::started(run, project, &n);
    let se = Session {
        id: s.new_id(),
        notebook_id: n.id.clone(),
        project_id: n.project_id.clone(),
        session_notebook_id: s.new_id(),
        run_id: run.id.clone(),
        storage_mode: storage_mode.into(),
        idle_shutdown_seconds: req.idle_shutdown_seconds,
        created_at: now,
        executions: 0,
    };
    let (status, _) = run.status_at(now);
    let body = json!({
        "session": session_value(&se),
        "run": {
            "runId": run.id,
            "notebookId": run.notebook_id,
            "status": status.as_str(),
            "createdAt": rfc3339(run.created_at),
        },
    });
    let id = se.id.clone();
    committed(
        &s,
        &mut store,
        vec![Change::PutRun(run), Change::PutSession(se)],
        (StatusCode::ACCEPTED, Json(body)),
        Some(id),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Execute {
    notebook_id: String,
    code: String,
    timeout_ms: Option<u64>,
}

/// What the code "prints", deterministically: see the module's doc.
pub(crate) fn canned_outputs(code: &str, count: u64) -> Vec<Value> {
    let failure = crate::failing::failure(code);
    let upto = failure.as_ref().map_or(usize::MAX, |f| f.line - 1);
    let mut printed = String::new();
    for line in code.lines().take(upto).map(str::trim) {
        if let Some(arg) = line
            .strip_prefix("print(")
            .and_then(|r| r.strip_suffix(')'))
            .map(str::trim)
            && arg.len() >= 2
            && (arg.starts_with('"') && arg.ends_with('"')
                || arg.starts_with('\'') && arg.ends_with('\''))
        {
            printed.push_str(&arg[1..arg.len() - 1]);
            printed.push('\n');
        }
    }
    if let Some(f) = failure {
        let mut out = Vec::new();
        if !printed.is_empty() {
            out.push(json!({"output_type": "stream", "name": "stdout", "text": printed}));
        }
        out.push(json!({
            "output_type": "error",
            "ename": f.ename,
            "evalue": f.evalue,
            "traceback": [crate::ran::reason(&f)],
        }));
        return out;
    }
    if !printed.is_empty() {
        return vec![json!({"output_type": "stream", "name": "stdout", "text": printed})];
    }
    let digest = Sha256::digest(code.as_bytes());
    let short: String = crate::codec::hex(&digest[..4]);
    vec![json!({
        "output_type": "execute_result",
        "execution_count": count,
        "data": {"text/plain": format!("<emulator: {} line(s) executed, {short}>", code.lines().count())},
        "metadata": {},
    })]
}

pub async fn execute_in_session(
    Authorized(s, key, _): Authorized<access::Run>,
    PathParams(id): PathParams<String>,
    body: RawBody,
) -> Result<Response, Refusal> {
    // The reference documents only the 200; every refusal is the usual 400 or 404.
    let req: Execute = body.api_json()?;
    if req.timeout_ms == Some(0) {
        return Err(Refusal::bad("timeoutMs must be positive"));
    }
    let mut store = s.store.write().expect("store lock");
    let mut se = store
        .session(&id)
        .filter(|se| {
            store
                .project(&se.project_id)
                .is_some_and(|p| p.workspace_id == key.workspace_id)
        })
        .cloned()
        .ok_or_else(|| Refusal::NotFound(format!("session {id} not found")))?;
    if req.notebook_id != se.notebook_id {
        return Err(Refusal::bad(format!(
            "session {id} is anchored to notebook {}, not {}",
            se.notebook_id,
            req.notebook_id.chars().take(64).collect::<String>()
        )));
    }
    se.executions += 1;
    let outputs = canned_outputs(&req.code, se.executions);
    let failed = outputs.iter().any(|o| o["output_type"] == "error");
    let body = json!({
        "status": if failed { "error" } else { "success" },
        "executionCount": se.executions,
        "outputs": outputs,
    });
    committed(
        &s,
        &mut store,
        vec![Change::PutSession(se)],
        Json(body),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::canned_outputs;

    #[test]
    fn outputs_follow_the_code() {
        let out = canned_outputs("x = 1\nprint('hello')\nprint(\"world\")", 1);
        assert_eq!(out[0]["text"], "hello\nworld\n");
        let out = canned_outputs("print('a')\nraise ValueError('bad value')", 2);
        assert_eq!(out[0]["text"], "a\n");
        assert_eq!(
            (out[1]["ename"].as_str(), out[1]["evalue"].as_str()),
            (Some("ValueError"), Some("bad value"))
        );
        for (code, ename) in [
            ("import sys\nsys.exit(1)", "SystemExit"),
            ("assert False, 'no rows'", "AssertionError"),
            ("# deepnote-emulator: fail", "RuntimeError"),
        ] {
            let out = canned_outputs(code, 1);
            assert_eq!(out.last().unwrap()["ename"], ename, "{code}");
        }
        assert_eq!(
            canned_outputs("sys.exit(0)", 1)[0]["output_type"],
            "execute_result"
        );
        let a = canned_outputs("1 + 1", 3);
        assert_eq!(a, canned_outputs("1 + 1", 3), "deterministic");
        assert_ne!(a, canned_outputs("2 + 2", 3));
        assert_eq!(a[0]["output_type"], "execute_result");
    }
}
