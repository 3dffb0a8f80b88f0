//! Execution snapshots: the `.deepnote` YAML document a finished run delivers.

use crate::clock::{Millis, rfc3339};
use crate::runs::RunStatus;
use crate::state::{Notebook, Project, Run};
use serde_json::{Value, json};

/// The `.deepnote` format version written into snapshots.
pub const FORMAT_VERSION: &str = "1.0.0";

/// The snapshot of `run` (of `notebook` in `project`), finished at `finished`.
///
/// Code blocks the run executed get an `executionCount` and outputs; when the run failed, the
/// last executed code block carries the error. The run's `inputs` appear as the values of the
/// input blocks that name them, and all of them under `execution.inputs`.
pub fn render(project: &Project, notebook: &Notebook, run: &Run, finished: Millis) -> String {
    let (status, _) = run.status_at(finished);
    let selected = |id: &str| {
        run.block_ids
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|b| b == id))
    };
    let executed: Vec<usize> = notebook
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| b.kind == "code" && selected(&b.id))
        .map(|(i, _)| i)
        .collect();
    let failing = match status {
        RunStatus::Error | RunStatus::InternalError => executed.last().copied(),
        _ => None,
    };
    let mut count = 0;
    let blocks: Vec<Value> = notebook
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut block = json!({
                "id": b.id,
                "type": b.kind,
                "content": b.content,
                "sortingKey": format!("{:06}", i),
            });
            if let Some(var) = &b.variable {
                block["metadata"] = json!({ "deepnote_variable_name": var });
                if let Some(v) = run.inputs.get(var) {
                    block["metadata"]["deepnote_variable_value"] = v.clone();
                }
            }
            if executed.contains(&i) {
                count += 1;
                block["executionCount"] = json!(count);
                block["outputs"] = if failing == Some(i) {
                    json!([{
                        "output_type": "error",
                        "ename": "Error",
                        "evalue": run.behaviour.error_message().unwrap_or_default(),
                        "traceback": [],
                    }])
                } else {
                    json!([{
                        "output_type": "stream",
                        "name": "stdout",
                        "text": format!("output of block {}\n", b.id),
                    }])
                };
            }
            block
        })
        .collect();
    let doc = json!({
        "version": FORMAT_VERSION,
        "metadata": {
            "createdAt": rfc3339(finished),
            "generator": "deepnote-emulator",
        },
        "project": {
            "id": project.id,
            "name": project.name,
            "notebooks": [{
                "id": notebook.id,
                "name": notebook.name,
                "blocks": blocks,
            }],
            "integrations": [],
            "settings": {},
        },
        "execution": {
            "runId": run.id,
            "status": status.as_str(),
            "inputs": run.inputs,
        },
    });
    serde_saphyr::to_string(&doc).unwrap_or_default()
}
