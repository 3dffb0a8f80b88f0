//! What to run: the request, its rules, and the builder `runs().create(..)` returns.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{BlockId, NotebookId};
use crate::inputs::InputValue;
use crate::runs::RunHandle;
use deepnote_api::types;
use std::collections::BTreeMap;

/// How a detached run or a session may use the project's files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageMode {
    /// It may read and write them.
    ReadWrite,
    /// It may only read them.
    ReadOnly,
}

impl StorageMode {
    /// The mode as the generated client sends it.
    fn to_api(self) -> types::CreateRunRequestDetachedRunStorageMode {
        match self {
            StorageMode::ReadWrite => types::CreateRunRequestDetachedRunStorageMode::ReadWrite,
            StorageMode::ReadOnly => types::CreateRunRequestDetachedRunStorageMode::Readonly,
        }
    }
}

/// The mode as the API spells it: `read_write`, `readonly`.
impl std::fmt::Display for StorageMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.to_api().fmt(f)
    }
}

/// What to run: a notebook, and optionally inputs, blocks and a run mode. The same value
/// serves [`RunsApi::create`](crate::runs::RunsApi::create) and [`RunsApi::run_many`](crate::runs::RunsApi::run_many).
///
/// # Run modes
///
/// Deepnote runs a whole notebook *detached* (on a machine of its own, without touching the
/// live editor session) unless told otherwise, and runs chosen blocks only *live*. So a
/// request with blocks is sent `detached: false`, and one without is sent `detached: true`
/// unless [`RunRequest::live`] (or `.detached(false)`) asks for a live run. A storage mode
/// applies to detached runs only: it implies detached, and blocks with a storage mode, or
/// blocks with `.detached(true)`, are refused before sending.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RunRequest {
    /// The notebook to run.
    pub notebook: NotebookId,
    /// Values for the notebook's input blocks, by input name.
    pub inputs: BTreeMap<String, InputValue>,
    /// Only these blocks (all of them when `None`).
    pub blocks: Option<Vec<BlockId>>,
    /// Also run the blocks that depend on the chosen ones.
    pub run_dependent_blocks: Option<bool>,
    /// The mode the caller asked for: `None` lets the rules above choose.
    pub detached: Option<bool>,
    /// How a detached run may use the project's files.
    pub storage_mode: Option<StorageMode>,
}

impl RunRequest {
    /// Run the whole notebook, with no inputs.
    pub fn new(notebook: impl Into<NotebookId>) -> Self {
        RunRequest {
            notebook: notebook.into(),
            inputs: BTreeMap::new(),
            blocks: None,
            run_dependent_blocks: None,
            detached: None,
            storage_mode: None,
        }
    }

    /// Whether the run is sent detached, by the rules of [`RunRequest`]; refuses the
    /// combinations Deepnote refuses.
    fn mode(&self) -> Result<bool> {
        match (&self.blocks, self.detached, self.storage_mode) {
            (Some(_), _, Some(_)) => Err(Error::InvalidArgument(
                "a storage mode applies to detached runs, and a run of chosen blocks is live: \
                 drop the block list or the storage mode"
                    .into(),
            )),
            (Some(_), Some(true), None) => Err(Error::InvalidArgument(
                "a detached run always runs every block: drop the block list".into(),
            )),
            (Some(_), _, None) => Ok(false),
            (None, Some(false), Some(_)) => Err(Error::InvalidArgument(
                "a storage mode applies to detached runs only, and this one is live".into(),
            )),
            (None, detached, _) => Ok(detached.unwrap_or(true)),
        }
    }

    /// The request body, refusing what Deepnote refuses (an empty block list, blocks on a
    /// detached run, a storage mode on a live run) before anything is sent.
    pub(crate) fn to_body(&self) -> Result<types::CreateRunRequest> {
        let notebook_id = self.notebook.checked()?.to_string();
        if self.blocks.as_ref().is_some_and(Vec::is_empty) {
            // Sent as is, an empty list would vanish from the body and run every block.
            return Err(Error::InvalidArgument(
                "an empty block list: name at least one block, or none to run all".into(),
            ));
        }
        let detached = self.mode()?;
        let inputs = self
            .inputs
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    InputValue::Text(s) => types::RunInputValue::String(s.clone()),
                    InputValue::Bool(b) => types::RunInputValue::Boolean(*b),
                    InputValue::List(l) => types::RunInputValue::Array(l.clone()),
                };
                (name.clone(), value)
            })
            .collect();
        Ok(types::CreateRunRequest {
            notebook_id,
            inputs,
            block_ids: self
                .blocks
                .as_ref()
                .map(|blocks| blocks.iter().map(BlockId::to_string).collect()),
            run_dependent_blocks: self.run_dependent_blocks,
            detached: Some(detached),
            detached_run_storage_mode: self.storage_mode.map(StorageMode::to_api),
        })
    }
}
/// The options of a new run; from [`RunsApi::create`](crate::runs::RunsApi::create). Await it or call `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateRun {
    pub(crate) client: Client,
    pub(crate) request: RunRequest,
}

impl CreateRun {
    /// Start the run. A create is never repeated once it may have reached the server, so
    /// an error here means no run or at most the one the server may have started.
    pub async fn send(self) -> Result<RunHandle> {
        crate::runs::start::start(&self.client, &self.request).await
    }
}

/// The options of a run, written once for [`RunRequest`] and [`CreateRun`]: `|$r| $req`
/// reaches the type's request.
macro_rules! run_request_setters {
    ($ty:ty, |$r:ident| $req:expr) => {
        impl $ty {
            /// Set one input block's value: a string, a boolean, a list of strings, or a
            /// number (sent as its text, as Deepnote wants a slider's value).
            pub fn input(mut self, name: impl Into<String>, value: impl Into<InputValue>) -> Self {
                let $r = &mut self;
                $req.inputs.insert(name.into(), value.into());
                self
            }

            /// Set several input values at once.
            pub fn inputs<K, V>(mut self, inputs: impl IntoIterator<Item = (K, V)>) -> Self
            where
                K: Into<String>,
                V: Into<InputValue>,
            {
                let $r = &mut self;
                $req.inputs
                    .extend(inputs.into_iter().map(|(k, v)| (k.into(), v.into())));
                self
            }

            /// Run only these blocks (at least one); such a run is always live.
            pub fn blocks<B: Into<BlockId>>(mut self, blocks: impl IntoIterator<Item = B>) -> Self {
                let $r = &mut self;
                $req.blocks = Some(blocks.into_iter().map(Into::into).collect());
                self
            }

            /// Also run the blocks that depend on the chosen ones.
            pub fn run_dependent_blocks(mut self, yes: bool) -> Self {
                let $r = &mut self;
                $req.run_dependent_blocks = Some(yes);
                self
            }

            /// Run detached (`true`, the default for a whole notebook) or live in the
            /// project's session (`false`); see [`RunRequest`]'s run modes.
            pub fn detached(mut self, yes: bool) -> Self {
                let $r = &mut self;
                $req.detached = Some(yes);
                self
            }

            /// Run the whole notebook live, in the project's session, rather than detached.
            pub fn live(self) -> Self {
                self.detached(false)
            }

            /// How a detached run may use the project's files (this makes the run detached).
            pub fn storage_mode(mut self, mode: StorageMode) -> Self {
                let $r = &mut self;
                $req.storage_mode = Some(mode);
                self
            }
        }
    };
}

run_request_setters!(RunRequest, |r| r);
run_request_setters!(CreateRun, |r| r.request);

crate::into_future::send_on_await!(CreateRun => RunHandle);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RunId;
    use crate::runs::{Run, RunStatus};

    #[test]
    fn bad_run_requests_are_refused_before_sending() {
        let empty = RunRequest::new("nb").blocks(Vec::<String>::new());
        assert!(matches!(empty.to_body(), Err(Error::InvalidArgument(_))));
        let detached = RunRequest::new("nb").blocks(["b1"]).detached(true);
        assert!(matches!(detached.to_body(), Err(Error::InvalidArgument(_))));
        assert!(matches!(
            RunRequest::new("").to_body(),
            Err(Error::InvalidArgument(_))
        ));
        // An object cannot even be given: `InputValue` holds a string, a boolean or a list of
        // strings only (its own tests check what reads into it).
        let body = RunRequest::new("nb")
            .input("x", 1)
            .blocks(["b1"])
            .run_dependent_blocks(true)
            .to_body()
            .unwrap();
        let json = serde_json::to_value(&body).unwrap();
        // A number goes as its text, and a block run says it is live.
        assert_eq!(
            json,
            serde_json::json!({"notebookId": "nb", "inputs": {"x": "1"}, "blockIds": ["b1"],
                "runDependentBlocks": true, "detached": false})
        );
    }

    fn body(request: RunRequest) -> Result<serde_json::Value> {
        Ok(serde_json::to_value(request.to_body()?).unwrap())
    }

    #[test]
    fn every_storage_mode_is_sent_as_its_api_name() {
        let mut seen = std::collections::HashSet::new();
        for mode in [StorageMode::ReadWrite, StorageMode::ReadOnly] {
            assert!(seen.insert(mode.to_string()), "{mode:?} shares its name");
            let sent = body(RunRequest::new("nb").storage_mode(mode)).unwrap();
            assert_eq!(sent["detachedRunStorageMode"], mode.to_string().as_str());
        }
        // The spec's two modes, as its enum spells them.
        assert_eq!(seen.len(), 2);
        assert!(seen.contains("read_write") && seen.contains("readonly"));
    }

    #[test]
    fn run_modes_are_what_deepnote_accepts() {
        use serde_json::json;
        let nb = || RunRequest::new("nb");
        // A whole notebook runs detached unless asked to run live.
        assert_eq!(body(nb()).unwrap()["detached"], json!(true));
        assert_eq!(body(nb().live()).unwrap()["detached"], json!(false));
        assert_eq!(
            body(nb().detached(false)).unwrap()["detached"],
            json!(false)
        );
        assert_eq!(body(nb().detached(true)).unwrap()["detached"], json!(true));
        // A storage mode implies detached.
        let stored = body(nb().storage_mode(StorageMode::ReadOnly)).unwrap();
        assert_eq!(stored["detached"], json!(true));
        assert_eq!(stored["detachedRunStorageMode"], json!("readonly"));
        // Blocks run live, whatever else is unsaid.
        let blocks = body(nb().blocks(["b"])).unwrap();
        assert_eq!(blocks["detached"], json!(false));
        assert_eq!(blocks["blockIds"], json!(["b"]));
        assert_eq!(
            body(nb().blocks(["b"]).live()).unwrap()["detached"],
            json!(false)
        );
        // What Deepnote refuses is refused here.
        for refused in [
            nb().blocks(["b"]).detached(true),
            nb().blocks(["b"]).storage_mode(StorageMode::ReadWrite),
            nb().live().storage_mode(StorageMode::ReadWrite),
        ] {
            assert!(
                matches!(body(refused.clone()), Err(Error::InvalidArgument(_))),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn outcomes_follow_the_status() {
        let run = |status: &str| Run {
            id: RunId::from(uuid::Uuid::nil()),
            notebook_id: None,
            status: RunStatus::from(status),
            created_at: None,
            finished_at: None,
            error: Some("boom".into()),
            snapshot: None,
            snapshot_blocks: None,
        };
        assert!(run("success").into_outcome().is_ok());
        for failed in ["error", "internal_error", "stopped"] {
            match run(failed).into_outcome() {
                Err(Error::RunFailed { run, message }) => {
                    assert_eq!(run.status.as_str(), failed);
                    assert_eq!(message.as_deref(), Some("boom"));
                }
                other => panic!("{failed}: {other:?}"),
            }
        }
        assert!(!run("queued_somewhere_new").is_finished());
    }
}
