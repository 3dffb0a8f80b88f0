//! Interactive sessions (beta): create one (it runs the notebook once, on a copy of its own,
//! and stays up for more), and run code in its kernel. Deepnote's reference shows create
//! whole but not execute's answer, so execute gives its outputs as the JSON the server sent.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::SessionId;
use crate::ids::{NotebookId, RunId};
use crate::inputs::InputValue;
use crate::runs::StorageMode;
use deepnote_api::types;
use serde_json::{Map, Value};
use std::time::Duration;

/// A session just created.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Session {
    /// Its ID, for [`SessionsApi::execute`].
    pub id: SessionId,
    /// The session's own copy of the notebook, where its runs happen.
    pub session_notebook_id: Option<NotebookId>,
    /// The initial run of the whole notebook: follow it with [`crate::runs::RunsApi::wait`].
    pub run_id: RunId,
    /// The session object as the server sent it (its fields are not all visible).
    pub raw: Map<String, Value>,
}

/// The session operations; from [`Client::sessions`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> deepnote::Result<()> {
/// # let emu = deepnote_emulator::Emulator::builder().seed_sample().start().await.unwrap();
/// # let client = deepnote::Client::builder()
/// #     .api_key(emu.sample_key())
/// #     .base_url(emu.base_url())
/// #     .build()?;
/// # let project = deepnote_emulator::SAMPLE_PROJECT_ID;
/// # let notebook = deepnote_emulator::SAMPLE_NOTEBOOK_ID;
/// let session = client.sessions().create(notebook).input("region", "EMEA").await?;
/// // Its first run is an ordinary run.
/// let first = client.runs().wait(session.run_id).await?;
/// assert!(first.is_success());
/// # Ok(())
/// # }
/// ```
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
            inputs: Default::default(),
            storage_mode: None,
            idle_shutdown: None,
        }
    }

    /// Run `code` in the session's kernel and return its raw outputs (no snapshot is made).
    /// An exception in the code is an error output in the answer, not an error of this call.
    /// `notebook` is the session's notebook ([`Session::session_notebook_id`] or the one it was
    /// created on: Deepnote's reference does not say which).
    pub fn execute(
        &self,
        session: impl Into<SessionId>,
        notebook: impl Into<NotebookId>,
        code: impl Into<String>,
    ) -> ExecuteInSession {
        ExecuteInSession {
            client: self.client.clone(),
            session: session.into(),
            notebook: notebook.into(),
            code: code.into(),
            timeout: None,
        }
    }
}

/// Code to run in a session; from [`SessionsApi::execute`]. Await it or `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ExecuteInSession {
    client: Client,
    session: SessionId,
    notebook: NotebookId,
    code: String,
    timeout: Option<Duration>,
}

impl ExecuteInSession {
    /// How long the server lets the code run (at least a millisecond); its default if unset.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Run it.
    pub async fn send(self) -> Result<Map<String, Value>> {
        let timeout_ms = match self.timeout {
            None => None,
            Some(t) => Some(
                u64::try_from(t.as_millis())
                    .ok()
                    .and_then(std::num::NonZeroU64::new)
                    .ok_or_else(|| {
                        Error::InvalidArgument(format!(
                            "a session execute timeout of {t:?} is not a positive number of ms"
                        ))
                    })?,
            ),
        };
        let body = types::ExecuteInSessionBody {
            notebook_id: self.notebook.checked()?.to_string(),
            code: self.code,
            timeout_ms,
        };
        let call = self
            .client
            .api()
            .execute_in_session()
            .session_id(self.session.uuid()?)
            .body(body)
            .send();
        self.client.send(call).await
    }
}

/// A session to start; from [`SessionsApi::create`]. Await it or `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateSession {
    client: Client,
    notebook: NotebookId,
    inputs: std::collections::BTreeMap<String, InputValue>,
    storage_mode: Option<StorageMode>,
    idle_shutdown: Option<Duration>,
}

impl CreateSession {
    /// A value for one of the notebook's inputs, as for a run: a string, a boolean or a list
    /// of strings.
    pub fn input(mut self, name: impl Into<String>, value: impl Into<InputValue>) -> Self {
        self.inputs.insert(name.into(), value.into());
        self
    }

    /// How the session may use the project's files; read and write unless told.
    pub fn storage_mode(mut self, mode: StorageMode) -> Self {
        self.storage_mode = Some(mode);
        self
    }

    /// End the session after this long without activity, in whole seconds (from Deepnote's
    /// sessions guide).
    pub fn idle_shutdown(mut self, after: Duration) -> Self {
        self.idle_shutdown = Some(after);
        self
    }

    /// Start it.
    pub async fn send(self) -> Result<Session> {
        let mut body = Map::new();
        body.insert("notebookId".into(), self.notebook.checked()?.into());
        if !self.inputs.is_empty() {
            let inputs: Map<String, serde_json::Value> = self
                .inputs
                .iter()
                .map(|(name, value)| (name.clone(), value.to_json()))
                .collect();
            body.insert("inputs".into(), inputs.into());
        }
        let mode = self.storage_mode.unwrap_or(StorageMode::ReadWrite);
        body.insert("storageMode".into(), mode.to_string().into());
        if let Some(after) = self.idle_shutdown {
            body.insert("idleShutdownSeconds".into(), after.as_secs().into());
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

crate::into_future::send_on_await!(CreateSession => Session, ExecuteInSession => Map<String, Value>);
