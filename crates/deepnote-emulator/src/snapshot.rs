//! Execution snapshots: the `.deepnote` snapshot document a finished run delivers.
//!
//! The document follows Deepnote's own format (`deepnoteSnapshotSchema` in Deepnote's
//! `@deepnote/blocks`): every block has `id`, `blockGroup`, `sortingKey`, `type`, `content` and
//! `metadata`; executable blocks (code, SQL, charts, big numbers, buttons, agents, notebook
//! functions, inputs) carry `executionCount` and Jupyter-style `outputs`; the document has
//! `version`, `metadata{createdAt, modifiedAt, snapshotHash}`, `environment` and `execution`
//! with its summary. A failed run's failing block carries an `error` output, and the run's
//! inputs are the values of the input blocks that name them.

use crate::clock::{Millis, rfc3339};
use crate::runs::Phase;
use crate::state::{BlockRecord, NotebookRecord, ProjectRecord, RunRecord};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The `.deepnote` format version written into snapshots.
pub const FORMAT_VERSION: &str = "1.0.0";

/// Block kinds a run executes (the rest are text).
const EXECUTABLE: &[&str] = &[
    "code",
    "sql",
    "visualization",
    "big-number",
    "button",
    "agent",
    "notebook-function",
];

fn executable(kind: &str) -> bool {
    EXECUTABLE.contains(&kind) || kind.starts_with("input-")
}

/// Kinds whose code can raise, so a failed run fails on one of them.
fn can_raise(kind: &str) -> bool {
    matches!(kind, "code" | "sql")
}

pub(crate) fn sha256(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!("sha256:{}", crate::codec::hex(&digest))
}

/// A stable UUID-shaped group id for a block (Deepnote groups blocks; each is its own here).
pub(crate) fn block_group(notebook: &str, block: &str) -> String {
    let d = Sha256::digest(format!("{notebook}\0{block}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&d[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// Sorting keys that order as the blocks do: `a0`..`a9`, `b10`..`b99`, `c100`...
/// Block `i` of a notebook as `.deepnote` documents and snapshots write it, with `metadata`.
pub(crate) fn block_value(
    notebook: &str,
    i: usize,
    b: &BlockRecord,
    metadata: Map<String, Value>,
) -> Value {
    let mut v = json!({
        "id": b.id,
        "blockGroup": block_group(notebook, &b.id),
        "sortingKey": sorting_key(i),
        "type": b.kind,
        "content": b.content,
        "metadata": metadata,
    });
    if !b.content.is_empty() {
        v["contentHash"] = json!(sha256(&b.content));
    }
    v
}

pub(crate) fn sorting_key(i: usize) -> String {
    let digits = i.to_string();
    let prefix = (b'a' + (digits.len() as u8 - 1).min(25)) as char;
    format!("{prefix}{digits}")
}

/// How a value prints in Python, for canned outputs.
fn python_repr(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::String(s) => format!("'{s}'"),
                    other => python_repr(other),
                })
                .collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// `ename` and `evalue` of a run's failure message (`NameError: name 'x' is not defined`).
fn split_error(msg: &str) -> (String, String) {
    match msg.split_once(": ") {
        Some((name, value))
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            (name.to_string(), value.to_string())
        }
        _ => ("Error".to_string(), msg.to_string()),
    }
}

/// The values the run's blocks see: the run's inputs over the input blocks' own values.
fn variables(notebook: &NotebookRecord, run: &RunRecord) -> Map<String, Value> {
    let mut vars = Map::new();
    for b in notebook.blocks.iter().filter(|b| b.is_input()) {
        let name = b.input_name().unwrap_or_default().to_string();
        let v = run
            .inputs
            .get(&name)
            .cloned()
            .unwrap_or_else(|| crate::inputs::current_value(b));
        vars.insert(name, v);
    }
    for (k, v) in &run.inputs {
        vars.entry(k.clone()).or_insert_with(|| v.clone());
    }
    vars
}

fn fill(template: &str, vars: &Map<String, Value>) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), &python_repr(v));
    }
    out
}

/// The outputs of a block that ran without error.
fn outputs(b: &BlockRecord, count: usize, vars: &Map<String, Value>) -> Value {
    let text = |default: String| {
        let mut t = b
            .output
            .as_deref()
            .map(|o| fill(o, vars))
            .unwrap_or(default);
        if !t.ends_with('\n') {
            t.push('\n');
        }
        t
    };
    match b.kind.as_str() {
        "code" => json!([{
            "output_type": "stream",
            "name": "stdout",
            "text": text(format!("output of block {}", b.id)),
        }]),
        "sql" | "big-number" => json!([{
            "output_type": "execute_result",
            "execution_count": count,
            "data": { "text/plain": text(format!("result of block {}", b.id)) },
            "metadata": {},
        }]),
        "visualization" => json!([{
            "output_type": "display_data",
            "data": { "text/plain": text(format!("<chart of block {}>", b.id)) },
            "metadata": {},
        }]),
        _ => json!([]),
    }
}

fn error_output(ename: &str, evalue: &str) -> Value {
    json!([{
        "output_type": "error",
        "ename": ename,
        "evalue": evalue,
        "traceback": [
            "---------------------------------------------------------------------------",
            format!("{ename}: {evalue}"),
        ],
    }])
}

/// The error output of a block that failed by the source rule, as IPython shows it: where,
/// then `ename: evalue`.
fn located_error_output(f: &crate::failing::Failure, count: usize) -> Value {
    let head = format!("{:<42}Traceback (most recent call last)", f.ename);
    json!([{
        "output_type": "error",
        "ename": f.ename,
        "evalue": f.evalue,
        "traceback": [
            "---------------------------------------------------------------------------",
            head,
            format!("Cell In[{count}], line {}\n----> {} {}", f.line, f.line, f.source),
            format!("{}: {}", f.ename, f.evalue),
        ],
    }])
}

/// Deepnote's environment section: a fixed, plausible Python machine.
fn environment() -> Value {
    let packages = json!({ "numpy": "2.1.3", "pandas": "2.2.3", "requests": "2.32.3" });
    let platform = "linux-x86_64";
    let python = json!({ "environment": "uv", "version": "3.11.9" });
    let hash = sha256(&format!("{platform}\0{python}\0{packages}"));
    json!({ "hash": hash, "packages": packages, "platform": platform, "python": python })
}

/// Deepnote's snapshot hash: over the version, the environment's hash, the integrations and
/// every block's content hash, in order.
fn snapshot_hash(env_hash: &str, blocks: &[Value]) -> String {
    let mut parts = vec![
        format!("version:{FORMAT_VERSION}"),
        format!("env:{env_hash}"),
    ];
    for b in blocks {
        if let (Some(id), Some(h)) = (b["id"].as_str(), b["contentHash"].as_str()) {
            parts.push(format!("block:{id}:{h}"));
        }
    }
    sha256(&parts.join("\n"))
}

/// Which of `blocks` (indices) a run executes, in order.
pub(crate) fn executed_blocks(blocks: &[BlockRecord], run: &RunRecord) -> Vec<usize> {
    let chosen = |i: usize, b: &BlockRecord| match &run.block_ids {
        None => true,
        Some(ids) => {
            ids.contains(&b.id)
                || (run.run_dependent_blocks && blocks[..i].iter().any(|a| ids.contains(&a.id)))
        }
    };
    blocks
        .iter()
        .enumerate()
        .filter(|(i, b)| executable(&b.kind) && chosen(*i, b))
        .map(|(i, _)| i)
        .collect()
}

/// The snapshot of `run` (of `notebook` in `project`), finished at `finished`: built from what
/// the run froze at its start (names and blocks), or, for a run stored before runs kept that,
/// from the notebook as it is.
pub fn render(
    project: &ProjectRecord,
    notebook: &NotebookRecord,
    run: &RunRecord,
    finished: Millis,
) -> String {
    let (project_name, notebook) = match &run.ran {
        Some(ran) => (
            ran.project_name.clone(),
            NotebookRecord {
                id: run.notebook_id.clone(),
                project_id: run.project_id.clone(),
                name: ran.notebook_name.clone(),
                blocks: ran.blocks.clone(),
                seq: notebook.seq,
            },
        ),
        None => (project.name.clone(), notebook.clone()),
    };
    let notebook = &notebook;
    let (status, _) = run.status_at(finished);
    let mut message = run.behaviour.error_message().unwrap_or_default();
    let mut executed = executed_blocks(&notebook.blocks, run);
    // Where the source rule fails a block, the run fails there, with that exception.
    let by_source = match status {
        Phase::Error => crate::ran::first_failure(&notebook.blocks, run),
        _ => None,
    };
    let mut located = None;
    // A block error stops the run there; a platform failure or a stop cuts it halfway.
    let failing = match status {
        Phase::Error => {
            let last = match by_source {
                Some((i, f)) => {
                    message = crate::ran::reason(&f);
                    located = Some(f);
                    executed.iter().position(|&e| e == i)
                }
                None => executed
                    .iter()
                    .rposition(|&i| can_raise(&notebook.blocks[i].kind)),
            };
            if let Some(p) = last {
                executed.truncate(p + 1);
            }
            last.map(|p| executed[p])
        }
        Phase::InternalError | Phase::Stopped => {
            executed.truncate(executed.len() / 2);
            None
        }
        _ => None,
    };
    let started = run.created_at + (finished - run.created_at) / 5;
    let slice = (finished - started) / i64::try_from(executed.len().max(1)).unwrap_or(1);
    let vars = variables(notebook, run);
    let blocks: Vec<Value> = notebook
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut metadata = b.metadata.clone();
            if b.is_input() {
                let name = b.input_name().unwrap_or_default().to_string();
                metadata.insert("deepnote_variable_name".into(), json!(name));
                metadata.insert(
                    "deepnote_variable_value".into(),
                    vars.get(&name).cloned().unwrap_or(Value::Null),
                );
            }
            let mut block = block_value(&notebook.id, i, b, metadata);
            if executable(&b.kind) {
                match executed.iter().position(|&e| e == i) {
                    Some(n) => {
                        let from = started + slice * n as i64;
                        block["executionCount"] = json!(n + 1);
                        block["executionStartedAt"] = json!(rfc3339(from));
                        block["executionFinishedAt"] = json!(rfc3339(from + slice));
                        block["metadata"]["execution_start"] = json!(from);
                        block["metadata"]["execution_millis"] = json!(slice);
                        block["outputs"] = if failing == Some(i) {
                            match &located {
                                Some(f) => located_error_output(f, n + 1),
                                None => {
                                    let (ename, evalue) = split_error(&message);
                                    error_output(&ename, &evalue)
                                }
                            }
                        } else {
                            outputs(b, n + 1, &vars)
                        };
                    }
                    None => {
                        block["executionCount"] = Value::Null;
                        block["outputs"] = json!([]);
                    }
                }
            }
            block
        })
        .collect();
    let env = environment();
    let hash = snapshot_hash(env["hash"].as_str().unwrap_or_default(), &blocks);
    let failed = usize::from(failing.is_some());
    let mut execution = json!({
        "startedAt": rfc3339(started),
        "finishedAt": rfc3339(finished),
        "summary": {
            "blocksExecuted": executed.len(),
            "blocksFailed": failed,
            "blocksSucceeded": executed.len() - failed,
            "totalDurationMs": finished - started,
        },
        // Deepnote's schema knows `user`, `schedule`, `api` and `ci`; the v1 execute is `api` too.
        "triggeredBy": "api",
        "inputs": run.inputs,
    });
    if matches!(status, Phase::Error | Phase::InternalError) {
        let (name, value) = match &located {
            Some(f) => (f.ename.clone(), f.evalue.clone()),
            None => split_error(&message),
        };
        execution["error"] = json!({
            "name": name,
            "message": value,
            "traceback": [message],
        });
    }
    let doc = json!({
        "version": FORMAT_VERSION,
        "metadata": {
            "createdAt": rfc3339(project.created_at),
            "modifiedAt": rfc3339(finished),
            "snapshotHash": hash,
        },
        "environment": env,
        "execution": execution,
        "project": {
            "id": project.id,
            "name": project_name,
            "notebooks": [{
                "id": notebook.id,
                "name": notebook.name,
                "executionMode": "block",
                "blocks": blocks,
            }],
            "integrations": [],
            "settings": {},
        },
    });
    serde_saphyr::to_string(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_keys_order_as_the_blocks() {
        let keys: Vec<String> = (0..250).map(sorting_key).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(keys[0], "a0");
        assert_eq!(keys[10], "b10");
    }

    #[test]
    fn error_messages_split_into_name_and_value() {
        assert_eq!(
            split_error("NameError: name 'df' is not defined"),
            ("NameError".into(), "name 'df' is not defined".into())
        );
        assert_eq!(
            split_error("boom: it broke, badly"),
            ("boom".into(), "it broke, badly".into())
        );
        assert_eq!(
            split_error("it broke: x y"),
            ("Error".into(), "it broke: x y".into())
        );
    }
}
