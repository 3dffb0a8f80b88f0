//! Starting a run: its inputs checked, the create sent once, the outcome of a finished run.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{NotebookId, RunId};
use crate::runs::handle::get_run;
use crate::runs::{Run, RunHandle, RunRequest, RunStatus, SnapshotDelivery, SnapshotRef};

/// The outcome of a finished run; a failure that Deepnote gave no reason for gets one from
/// the snapshot's first error output (one more read of the run, with its snapshot inline).
pub(crate) async fn outcome(client: &Client, run: Run) -> Result<Run> {
    if run.is_success() || run.error.is_some() {
        return run.into_outcome();
    }
    let inline = match &run.snapshot {
        Some(SnapshotRef::Inline(text)) => Some(text.clone()),
        _ => get_run(client, run.id, Some(SnapshotDelivery::Inline))
            .await
            .ok()
            .and_then(|again| match again.snapshot {
                Some(SnapshotRef::Inline(text)) => Some(text),
                _ => None,
            }),
    };
    let reason = run.reason_from(inline.as_deref());
    run.outcome_with(Some(reason))
}

/// Starts a run, first checking its inputs against the notebook's when there are any.
pub(crate) async fn start(client: &Client, request: &RunRequest) -> Result<RunHandle> {
    // What the request itself breaks is refused before any call.
    request.to_body()?;
    if !request.inputs.is_empty() {
        let known = known_inputs(client, &request.notebook).await;
        check_inputs(request, known.as_deref())?;
    }
    send_create(client, request).await
}

/// The notebook's inputs for the pre-send check, `None` when they cannot be known. The check
/// only gives a clearer error sooner (the server checks too), so a failed read skips it
/// rather than failing the run.
pub(crate) async fn known_inputs(
    client: &Client,
    notebook: &NotebookId,
) -> Option<Vec<crate::inputs::NotebookInput>> {
    match client.notebooks().inputs(notebook.clone()).await {
        Ok(known) => known,
        Err(e) => {
            tracing::debug!(error = %e, "cannot read the notebook's inputs: not checking them");
            None
        }
    }
}

/// Refuses the request's inputs the notebook's (when known) do not allow.
pub(crate) fn check_inputs(
    request: &RunRequest,
    known: Option<&[crate::inputs::NotebookInput]>,
) -> Result<()> {
    match known {
        Some(known) => crate::inputs::check(&request.inputs, known),
        None => Ok(()),
    }
}

/// Sends the create, once: the API has no idempotency key, so a create is never repeated here.
pub(crate) async fn send_create(client: &Client, request: &RunRequest) -> Result<RunHandle> {
    let body = request.to_body()?;
    let call = client.api().create_run().body(body).send();
    let (id, started) = client
        .create("run", call, |started| {
            let started = started.ok_or("the answer is empty")?;
            // `runId` (the references) or `id` (Deepnote's `{run: {id}}` answer, unwrapped).
            let id = match (started.run_id, started.id.as_deref().map(RunId::parse)) {
                (Some(id), _) => RunId::from(id),
                (None, Some(Ok(id))) => id,
                (None, Some(Err(_))) => return Err("the run id is not a UUID".to_string()),
                (None, None) => return Err("the answer holds no run id".to_string()),
            };
            Ok((id, started.clone()))
        })
        .await
        .map_err(missing_notebook)?;
    Ok(RunHandle {
        client: client.clone(),
        id,
        notebook: request.notebook.clone(),
        status: started
            .status
            .unwrap_or_else(|| RunStatus::Unknown(String::new())),
        created_at: started.created_at,
    })
}

/// The live API answers a run of a notebook that does not exist with 400 `Notebook not found`
/// (its 404 there means the key's owner left the workspace); the original spec's servers
/// answer 404. Both are [`Error::NotFound`], so callers see one error for one cause; its
/// status stays the one the server sent.
fn missing_notebook(error: Error) -> Error {
    match error {
        Error::Api { status, message }
            if status == reqwest::StatusCode::BAD_REQUEST
                && message.to_ascii_lowercase().contains("notebook not found") =>
        {
            Error::NotFound { message, status }
        }
        other => other,
    }
}
