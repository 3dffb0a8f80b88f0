//! A project's notebooks, as the project's own answer (`GET /projects/{id}`) names them.
//!
//! SEAM: the SDK's `deepnote::Project` does not carry its notebooks yet (the original spec's
//! `Project` has none; the live API answers `project.notebooks`), so this reads them from the
//! raw answer, sent the way the SDK sends its own requests (its retry policy, its key).
//! Once the SDK's `Project` exposes them, this module becomes `project.notebooks`.

use crate::exit::{CliError, CliResult};
use deepnote::api::ClientInfo;
use deepnote::{Client, Error};
use serde::Serialize;
use serde_json::Value;

/// One notebook of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotebookRef {
    /// Its id.
    pub id: String,
    /// Its name, when the answer gave one.
    pub name: Option<String>,
    /// The project it belongs to.
    pub project_id: String,
}

/// The project's notebooks; `None` when the answer does not list them at all (an API that
/// predates the field), which is not the same as a project without notebooks.
pub async fn list(client: &Client, project: &str) -> CliResult<Option<Vec<NotebookRef>>> {
    if project.is_empty()
        || !project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::InvalidArgument(format!("`{project}` is not a project id")).into());
    }
    let url = format!("{}/projects/{project}", client.base_urls().v2());
    let state = client.api().inner();
    let request = client
        .api()
        .client()
        .get(url)
        .header("authorization", state.api_key().bearer_header())
        .header("accept", "application/json")
        .build()
        .map_err(Error::Transport)?;
    let response =
        deepnote::api::send_with_retries(client.api().client(), request, state.retry_policy())
            .await
            .map_err(Error::Transport)?;
    let status = response.status();
    let body: Value = response.json().await.map_err(Error::Transport)?;
    if !status.is_success() {
        let message = body["message"].as_str().unwrap_or_default().to_string();
        return Err(error_for(status, message).into());
    }
    Ok(from_answer(&body, project))
}

/// The typed error for an error answer, as the SDK's own calls report them.
fn error_for(status: deepnote::StatusCode, message: String) -> Error {
    match status.as_u16() {
        401 => Error::Unauthorized { message },
        403 => Error::Forbidden { message },
        404 => Error::NotFound { message },
        _ => Error::Api { status, message },
    }
}

/// `project.notebooks` (the live API wraps the project) or `notebooks` (a flat project).
pub fn from_answer(body: &Value, project: &str) -> Option<Vec<NotebookRef>> {
    let list = body
        .pointer("/project/notebooks")
        .or_else(|| body.get("notebooks"))?
        .as_array()?;
    Some(
        list.iter()
            .filter_map(|n| {
                Some(NotebookRef {
                    id: n.get("id")?.as_str()?.to_string(),
                    name: n.get("name").and_then(Value::as_str).map(str::to_string),
                    project_id: project.to_string(),
                })
            })
            .collect(),
    )
}

/// Why a list came back `None`, for the person who asked.
pub fn not_listed(project: &str) -> CliError {
    CliError::api(format!(
        "the API's answer for project {project} does not list its notebooks (an older API or \
         the original spec's emulator); `deepnote notebooks get ID` still shows one by id"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_shapes_and_the_absent_field() {
        let live = json!({"project": {"id": "p", "notebooks": [{"id": "n1", "name": "One"}, {"id": "n2"}]}});
        let flat = json!({"id": "p", "notebooks": [{"id": "n1", "name": "One"}]});
        let got = from_answer(&live, "p").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name.as_deref(), Some("One"));
        assert_eq!(got[1].name, None);
        assert_eq!(from_answer(&flat, "p").unwrap()[0].id, "n1");
        assert_eq!(from_answer(&json!({"id": "p"}), "p"), None);
        assert_eq!(
            from_answer(&json!({"id": "p", "notebooks": []}), "p"),
            Some(vec![])
        );
    }
}
