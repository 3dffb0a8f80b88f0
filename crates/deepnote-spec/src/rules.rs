//! The rules every operation of the merged document gets, so that the generated client has
//! one error type, accepts any success status, and says how sure we are of each operation.
//!
//! They are code, not overlay entries, because they hold for every operation alike: an
//! operation added by a later reference gets them without anyone editing the overlay.

use crate::merge::{json_schema, op_pointer, operations_of, resolved};
use serde_json::{Value, json};

/// Apply every rule to the merged document.
pub fn apply(doc: &mut Value) {
    let error_content = json!({"application/json": {"schema": {"$ref": ERROR_SCHEMA}}});
    let ops: Vec<(String, String)> = operations_of(doc)
        .into_iter()
        .map(|(p, m, _)| (p, m))
        .collect();
    for (path, method) in ops {
        let ptr = op_pointer(&path, &method);
        let resolved_responses: Vec<(String, Value)> = doc
            .pointer(&format!("{ptr}/responses"))
            .and_then(Value::as_object)
            .map(|rs| {
                rs.iter()
                    .map(|(c, r)| (c.clone(), resolved(doc, r).clone()))
                    .collect()
            })
            .unwrap_or_default();
        let canonical = canonical_success(&resolved_responses);
        let Some(Value::Object(op)) = doc.pointer_mut(&ptr) else {
            continue;
        };
        let responses = op
            .entry("responses")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("responses is an object");
        for (code, response) in &resolved_responses {
            let success = code.starts_with('2');
            let mut response = response.clone();
            if success {
                // progenitor decodes one success type per operation: every success status
                // answers the canonical one (or nothing, when the operation has no body).
                if let Some(canonical) = &canonical {
                    if let Some(content) = canonical.get("content") {
                        response["content"] = content.clone();
                    } else if let Value::Object(r) = &mut response {
                        r.remove("content");
                    }
                }
            } else if json_schema(&response).is_none() {
                // The hooks give every error answer the error body, whatever the server sent.
                response["content"] = error_content.clone();
            }
            responses.insert(code.clone(), response);
        }
        // Any 2xx: Deepnote's own client accepts every success status, and a create that
        // answers one the references do not name has still happened.
        if let Some(canonical) = &canonical
            && !responses.contains_key("2XX")
        {
            let mut any = canonical.clone();
            any["description"] =
                json!("Any other success status: decoded as the operation's success answer");
            responses.insert("2XX".into(), any);
        }
        for range in ["4XX", "5XX"] {
            responses.entry(range).or_insert_with(|| {
                json!({
                    "description": "Any other error: every operation has the one error type",
                    "content": error_content.clone(),
                })
            });
        }
        describe_evidence(op);
    }
}

/// The error body of every operation of the merged document.
pub const ERROR_SCHEMA: &str = "#/components/schemas/ErrorResponse";

/// The first success answer with a body, or else the first success answer.
fn canonical_success(responses: &[(String, Value)]) -> Option<Value> {
    let mut success: Vec<&(String, Value)> = responses
        .iter()
        .filter(|(c, _)| c.starts_with('2'))
        .collect();
    success.sort_by(|a, b| a.0.cmp(&b.0));
    success
        .iter()
        .find(|(_, r)| r.get("content").is_some())
        .or_else(|| success.first())
        .map(|(_, r)| r.clone())
}

/// Put how the operation is known at the head of its description, so that the generated
/// method's doc comment says it.
fn describe_evidence(op: &mut serde_json::Map<String, Value>) {
    let Some(evidence) = op.get("x-evidence").and_then(Value::as_str) else {
        return;
    };
    let Some(note) = evidence_note(evidence) else {
        return;
    };
    let description = op
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let text = if description.is_empty() {
        note
    } else {
        format!("{note}\n\n{description}")
    };
    op.insert("description".into(), Value::String(text));
}

/// What an `x-evidence` tag means for someone calling the operation; `None` for operations
/// seen whole on Deepnote's reference pages.
pub fn evidence_note(evidence: &str) -> Option<String> {
    let weak = evidence.contains("client-branch") || evidence.contains("inferred");
    let partial = evidence.contains("partial") || evidence.contains("guide");
    let legacy = evidence.contains("legacy");
    let client_only = evidence == "client";
    let lead = if weak {
        "Evidence: weak"
    } else if legacy {
        "Evidence: legacy"
    } else if client_only {
        "Evidence: Deepnote's client only"
    } else if partial {
        "Evidence: partial"
    } else {
        return None;
    };
    Some(format!(
        "{lead} (`x-evidence: {evidence}`). The shape below is reconstructed from what \
         Deepnote's docs and client code show; the live service may answer differently."
    ))
}

/// The document without the operations marked `x-codegen: manual` (request bodies progenitor
/// cannot generate, such as multipart and ZIP uploads): their requests are written by hand.
pub fn without_manual(doc: &Value) -> Value {
    let mut out = doc.clone();
    for (path, method, op) in operations_of(doc) {
        if op.get("x-codegen").and_then(Value::as_str) == Some("manual")
            && let Some(Value::Object(item)) = out.pointer_mut(&format!(
                "/paths/{}",
                path.replace('~', "~0").replace('/', "~1")
            ))
        {
            item.remove(&method);
        }
    }
    out
}
