//! The facts of each operation the generated client's hooks and tests need, read from the
//! merged document: its method name, base, how its answer may be wrapped, whether its body is
//! streamed, and how sure we are of it.

use crate::merge::{json_schema, operations_of, resolved};
use serde_json::Value;

/// One operation of the merged document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationFacts {
    /// The spec's `operationId`, e.g. `createRun`.
    pub id: String,
    /// The generated method, e.g. `create_run`.
    pub method_name: String,
    /// `GET`, `POST`, ...
    pub http_method: String,
    /// The path under its base, e.g. `/runs/{runId}`.
    pub path: String,
    /// `v2`, or `v1` for the legacy execute call.
    pub base: &'static str,
    /// The `x-evidence` tag (`docs` when absent).
    pub evidence: String,
    /// Which references describe it (`upstream`, `live`).
    pub references: Vec<String>,
    /// The success statuses the references name (not the `2XX` catch-all).
    pub success: Vec<u16>,
    /// `Some(("wrap", key))` or `Some(("unwrap", key))` from `x-envelope`.
    pub envelope: Option<(String, String)>,
    /// The success body is binary (a ZIP, a file): streamed, never buffered.
    pub streamed: bool,
    /// Its request is written by hand (`x-codegen: manual`), not generated.
    pub manual: bool,
    /// Marked `deprecated`.
    pub deprecated: bool,
}

/// Every operation of the merged document, in path order.
pub fn operations(doc: &Value) -> Vec<OperationFacts> {
    let mut out = Vec::new();
    for (path, method, op) in operations_of(doc) {
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        let servers = |v: &Value| {
            v.get("servers")
                .and_then(Value::as_array)
                .and_then(|s| s.first())
                .and_then(|s| s.get("url"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let item = &doc["paths"][&path];
        let base = match servers(op).or_else(|| servers(item)) {
            Some(url) if url.trim_end_matches('/').ends_with("/v1") => "v1",
            _ => "v2",
        };
        let responses = op.get("responses").and_then(Value::as_object);
        let mut success: Vec<u16> = responses
            .map(|rs| {
                rs.keys()
                    .filter(|c| c.starts_with('2'))
                    .filter_map(|c| c.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        success.sort_unstable();
        let streamed = responses.is_some_and(|rs| {
            rs.iter().any(|(c, r)| {
                let r = resolved(doc, r);
                c.starts_with('2')
                    && json_schema(r).is_none()
                    && r.get("content")
                        .and_then(Value::as_object)
                        .is_some_and(|c| c.keys().any(|t| t != "application/json"))
            })
        });
        let envelope = op
            .get("x-envelope")
            .and_then(Value::as_object)
            .and_then(|e| {
                let (kind, key) = e.iter().next()?;
                Some((kind.clone(), key.as_str()?.to_string()))
            });
        out.push(OperationFacts {
            id: id.to_string(),
            method_name: snake_case(id),
            http_method: method.to_uppercase(),
            path,
            base,
            evidence: op
                .get("x-evidence")
                .and_then(Value::as_str)
                .unwrap_or("docs")
                .to_string(),
            references: op
                .get("x-references")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            success,
            envelope,
            streamed,
            manual: op.get("x-codegen").and_then(Value::as_str) == Some("manual"),
            deprecated: op.get("deprecated").and_then(Value::as_bool) == Some(true),
        });
    }
    out
}

/// `createRun` -> `create_run`, `executeNotebookV1` -> `execute_notebook_v1`, as progenitor
/// names methods.
pub fn snake_case(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_as_progenitor_writes_them() {
        assert_eq!(snake_case("createRun"), "create_run");
        assert_eq!(snake_case("executeNotebookV1"), "execute_notebook_v1");
        assert_eq!(snake_case("getMe"), "get_me");
    }
}
