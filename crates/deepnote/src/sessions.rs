//! Interactive sessions (beta): create one (it runs the notebook once, on a copy of its own,
//! and stays up for more), and run code in its kernel. Evidence: create is on Deepnote's
//! reference page (`docs`); execute is cut off there before its answer (`docs-partial`), so
//! its outputs are returned as JSON.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::ids::{NotebookId, RunId};
use deepnote_api::types;
use serde_json::{Map, Value};

/// A session just created.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Session {
    /// Its ID, for [`SessionsApi::execute`].
    pub id: SessionId,
    /// The session's own copy of the notebook, where its runs happen.
    pub session_notebook_id: Option<NotebookId>,
    /// The initial run of the whole notebook: follow it with [`crate::RunsApi::wait`].
    pub run_id: RunId,
    /// The session object as the server sent it (its fields are not all visible).
    pub raw: Map<String, Value>,
}

/// The session operations; from [`Client::sessions`].
#[derive(Clone, Copy, Debug)]
pub struct SessionsApi<'a> {
    pub(crate) client: &'a Client,
}

impl serde::Serialize for Session {
    /// The session object the server sent, with the initial run's ID as `runId`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use crate::raw_fields::opt;
        let known = [
            ("id", self.id.as_str().into()),
            ("sessionNotebookId", opt(&self.session_notebook_id)),
            ("runId", self.run_id.to_string().into()),
        ];
        crate::raw_fields::serialize(s, &known, &self.raw)
    }
}

impl<'a> SessionsApi<'a> {
    /// Start a session on a notebook; it runs the notebook once and stays alive (until idle)
    /// for more.
    pub fn create(&self, notebook: impl Into<NotebookId>) -> CreateSession {
        CreateSession {
            client: self.client.clone(),
            notebook: notebook.into(),
            inputs: Map::new(),
            read_only: false,
            idle_shutdown_seconds: None,
        }
    }

    /// Run `code` in the session's kernel and return its raw outputs (no snapshot is made).
    /// An exception in the code is an error output in the answer, not an error of this call.
    /// `notebook` is the session's notebook ([`Session::session_notebook_id`] or the one it was
    /// created on: the reference does not say which).
    pub async fn execute(
        &self,
        session: impl Into<SessionId>,
        notebook: impl Into<NotebookId>,
        code: impl Into<String>,
        timeout_ms: Option<u64>,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let (session, notebook) = (session.into(), notebook.into());
        let timeout_ms = match timeout_ms {
            None => None,
            Some(ms) => Some(std::num::NonZeroU64::new(ms).ok_or_else(|| {
                Error::InvalidArgument("a session execute timeout must be positive".into())
            })?),
        };
        let body = types::ExecuteInSessionBody {
            notebook_id: notebook.checked()?.to_string(),
            code: code.into(),
            timeout_ms,
        };
        let answer = self
            .client
            .answer(
                self.client
                    .api()
                    .execute_in_session()
                    .session_id(session.uuid()?)
                    .body(body)
                    .send(),
            )
            .await?;
        Ok(answer.into_inner())
    }
}

/// A session to start; from [`SessionsApi::create`]. Await it or `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateSession {
    client: Client,
    notebook: NotebookId,
    inputs: Map<String, Value>,
    read_only: bool,
    idle_shutdown_seconds: Option<i64>,
}

impl CreateSession {
    /// A value for one of the notebook's inputs: a string, a boolean or a list of strings,
    /// as for a run.
    pub fn input(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.inputs.insert(name.into(), value.into());
        self
    }

    /// Keep the session from writing to the project's files (`storageMode: readonly`).
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// End the session after this long without activity (from the sessions guide).
    pub fn idle_shutdown(mut self, seconds: u32) -> Self {
        self.idle_shutdown_seconds = Some(i64::from(seconds));
        self
    }

    /// Start it.
    pub async fn send(self) -> Result<Session> {
        for (name, value) in &self.inputs {
            if serde_json::from_value::<types::RunInputValue>(value.clone()).is_err() {
                return Err(Error::InvalidArgument(format!(
                    "input {name:?} must be a string, a boolean or a list of strings"
                )));
            }
        }
        let mut body = Map::new();
        body.insert("notebookId".into(), self.notebook.checked()?.into());
        if !self.inputs.is_empty() {
            body.insert("inputs".into(), Value::Object(self.inputs));
        }
        let mode = if self.read_only {
            "readonly"
        } else {
            "read_write"
        };
        body.insert("storageMode".into(), mode.into());
        if let Some(seconds) = self.idle_shutdown_seconds {
            body.insert("idleShutdownSeconds".into(), seconds.into());
        }
        let call = self.client.api().create_session_with(&body);
        self.client
            .create("session", call, |answer| {
                read_session(answer.ok_or("the answer is empty")?)
            })
            .await
    }
}

/// The session a create answered: `{session: {id, ...}, run: {id, ...}}`.
fn read_session(answer: &Map<String, Value>) -> std::result::Result<Session, String> {
    let object = |key: &str| match answer.get(key) {
        Some(Value::Object(o)) => Ok(o.clone()),
        _ => Err(format!("the answer holds no {key}")),
    };
    let (raw, run) = (object("session")?, object("run")?);
    let text =
        |o: &Map<String, Value>, k: &str| o.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let id = text(&raw, "id")
        .or_else(|| text(&raw, "sessionId"))
        .filter(|id| !id.trim().is_empty())
        .ok_or("the session has no id")?;
    let run_id = text(&run, "id")
        .or_else(|| text(&run, "runId"))
        .ok_or("the session's initial run has no id")?;
    let run_id = RunId::parse(&run_id).map_err(|_| format!("run id {run_id:?} is not a UUID"))?;
    Ok(Session {
        id: SessionId::new(id),
        session_notebook_id: text(&raw, "sessionNotebookId").map(NotebookId::new),
        run_id,
        raw,
    })
}

crate::into_future::send_on_await!(CreateSession => Session);
