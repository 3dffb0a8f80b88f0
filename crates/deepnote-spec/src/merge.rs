//! Folding the original spec into the live reference, so that one document describes every
//! answer either allows.
//!
//! The live reference is the base: its operations, names and request bodies stand (a client
//! sends only what the strictest reading allows). From the original spec it takes, for each
//! operation both describe:
//!
//! - parameters it lacks; and for a parameter both describe, the looser format (a path id the
//!   original takes as any string and the live reference as a UUID stays any string: the
//!   server judges it and answers 400 or 404, which says more than a client-side refusal);
//! - success statuses it lacks (201 against 200, 202 against 200), answered with the live
//!   success type, and error statuses it lacks, answered with the live error type;
//! - the fields of the original answers, merged into the live answer types: properties the
//!   live type lacks are added (a run's `finishedAt` beside `completedAt`), enum values are
//!   united, and a field stays required only where both references require it;
//! - envelopes: where one reference wraps the answer (`{"project": {...}}`) and the other does
//!   not, the inner type takes the other's fields and the operation is marked `x-envelope`
//!   (`wrap: project` or `unwrap: run`), which the generated client's hooks act on, since
//!   progenitor can only decode one shape per operation.
//!
//! Operations only one reference has are kept as they are. Every operation is marked
//! `x-references` with the references that describe it.

use serde_json::{Map, Value, json};

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

/// The merged document: `live`, with what `upstream` allows folded in.
pub fn references(upstream: &Value, live: &Value) -> Value {
    let mut out = live.clone();
    let error_ref = error_schema(live);
    for (path, method, _) in operations_of(live) {
        set_references(&mut out, &path, &method, &["live"]);
    }
    for (path, method, op_u) in operations_of(upstream) {
        let ptr = op_pointer(&path, &method);
        if out.pointer(&ptr).is_none() {
            let copied = copy_in(&mut out, op_u, upstream);
            ensure_object(&mut out, &format!("/paths/{}", escape(&path)))
                .insert(method.clone(), copied);
            set_references(&mut out, &path, &method, &["upstream"]);
            continue;
        }
        merge_parameters(&mut out, &ptr, op_u, upstream);
        merge_responses(&mut out, &ptr, op_u, upstream, error_ref.as_deref());
        set_references(&mut out, &path, &method, &["upstream", "live"]);
    }
    out
}

/// Every operation of a document: (path, method, operation).
pub fn operations_of(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(method) {
                    out.push((path.clone(), method.to_string(), op));
                }
            }
        }
    }
    out
}

/// The JSON pointer of an operation.
pub fn op_pointer(path: &str, method: &str) -> String {
    format!("/paths/{}/{method}", escape(path))
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn set_references(out: &mut Value, path: &str, method: &str, refs: &[&str]) {
    if let Some(Value::Object(op)) = out.pointer_mut(&op_pointer(path, method)) {
        op.insert("x-references".into(), json!(refs));
    }
}

/// The `$ref` of the live reference's error body: the schema its 4xx answers carry.
fn error_schema(live: &Value) -> Option<String> {
    for (_, _, op) in operations_of(live) {
        for (code, response) in op.get("responses").and_then(Value::as_object)? {
            if !code.starts_with('4') {
                continue;
            }
            let response = resolved(live, response);
            if let Some(Value::String(r)) = json_schema(response).and_then(|s| s.get("$ref")) {
                return Some(r.clone());
            }
        }
    }
    None
}

fn merge_parameters(out: &mut Value, op_ptr: &str, op_u: &Value, upstream: &Value) {
    let Some(params_u) = op_u.get("parameters").and_then(Value::as_array) else {
        return;
    };
    let existing: Vec<(String, String)> = out
        .pointer(&format!("{op_ptr}/parameters"))
        .and_then(Value::as_array)
        .map(|ps| ps.iter().map(|p| param_key(resolved(out, p))).collect())
        .unwrap_or_default();
    for p in params_u {
        let p = resolved(upstream, p);
        if let Some(i) = existing.iter().position(|k| *k == param_key(p)) {
            let loose = p.pointer("/schema/format").is_none();
            let format = format!("{op_ptr}/parameters/{i}/schema");
            if loose && let Some(Value::Object(schema)) = out.pointer_mut(&format) {
                schema.remove("format");
            }
            continue;
        }
        let copied = copy_in(out, p, upstream);
        let op = ensure_object(out, op_ptr);
        let params = op.entry("parameters").or_insert_with(|| json!([]));
        if let Value::Array(params) = params {
            params.push(copied);
        }
    }
}

fn param_key(p: &Value) -> (String, String) {
    let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    (s("name"), s("in"))
}

fn merge_responses(
    out: &mut Value,
    op_ptr: &str,
    op_u: &Value,
    upstream: &Value,
    error_ref: Option<&str>,
) {
    let Some(responses_u) = op_u.get("responses").and_then(Value::as_object) else {
        return;
    };
    let responses_ptr = format!("{op_ptr}/responses");
    // The live success answer every success status of the operation is decoded as.
    let canonical: Option<(String, Value)> = out
        .pointer(&responses_ptr)
        .and_then(Value::as_object)
        .and_then(|rs| {
            let mut codes: Vec<&String> = rs.keys().filter(|c| c.starts_with('2')).collect();
            codes.sort();
            codes
                .first()
                .map(|c| ((*c).clone(), resolved(out, &rs[*c]).clone()))
        });
    for (code, response_u) in responses_u {
        let response_u = resolved(upstream, response_u);
        let here = format!("{responses_ptr}/{}", escape(code));
        let live_has = out.pointer(&here).is_some();
        if code.starts_with('2') {
            let Some((canonical_code, canonical_response)) = &canonical else {
                let copied = copy_in(out, response_u, upstream);
                ensure_object(out, &responses_ptr).insert(code.clone(), copied);
                continue;
            };
            if !live_has {
                let mut added = canonical_response.clone();
                if let (Value::Object(added), Some(d)) = (&mut added, response_u.get("description"))
                {
                    added.insert("description".into(), d.clone());
                }
                ensure_object(out, &responses_ptr).insert(code.clone(), added);
            }
            let target_code = if live_has { code } else { canonical_code };
            let schema_ptr = format!(
                "{responses_ptr}/{}/content/application~1json/schema",
                escape(target_code)
            );
            let schema_ptr =
                follow_response_ref(out, &format!("{responses_ptr}/{}", escape(target_code)))
                    .map(|p| format!("{p}/content/application~1json/schema"))
                    .unwrap_or(schema_ptr);
            if let Some(schema_u) = json_schema(response_u)
                && out.pointer(&schema_ptr).is_some()
                && let Some(envelope) = merge_payload(out, &schema_ptr, schema_u, upstream)
            {
                ensure_object(out, op_ptr).insert("x-envelope".into(), envelope);
            }
        } else if !live_has {
            let mut added = Map::new();
            if let Some(d) = response_u.get("description") {
                added.insert("description".into(), d.clone());
            }
            if json_schema(response_u).is_some()
                && let Some(error_ref) = error_ref
            {
                added.insert(
                    "content".into(),
                    json!({"application/json": {"schema": {"$ref": error_ref}}}),
                );
            }
            ensure_object(out, &responses_ptr).insert(code.clone(), Value::Object(added));
        }
    }
}

/// Where a response that is a `$ref` (to `components/responses`) really is.
fn follow_response_ref(out: &Value, ptr: &str) -> Option<String> {
    let r = out.pointer(ptr)?.get("$ref")?.as_str()?;
    Some(r.strip_prefix('#')?.to_string())
}

/// Merge an original answer type into a live one; `Some` when they differ by an envelope.
fn merge_payload(out: &mut Value, l_ptr: &str, u: &Value, upstream: &Value) -> Option<Value> {
    let lp = resolve_ptr(out, l_ptr);
    let us = resolved(upstream, u);
    let l = out.pointer(&lp)?.clone();
    if let Some(key) = envelope_key(&l)
        && has_properties(us)
        && !has_property(us, &key)
    {
        merge_schema(
            out,
            &format!("{lp}/properties/{}", escape(&key)),
            us,
            upstream,
        );
        return Some(json!({ "wrap": key }));
    }
    if let Some(key) = envelope_key(us)
        && has_properties(&l)
        && !has_property(&l, &key)
    {
        merge_schema(out, &lp, &us["properties"][&key], upstream);
        return Some(json!({ "unwrap": key }));
    }
    merge_schema(out, &lp, us, upstream);
    None
}

/// The one property of an envelope object (`{"project": {...}}`), if that is what it is.
fn envelope_key(schema: &Value) -> Option<String> {
    let props = schema.get("properties")?.as_object()?;
    if props.len() != 1 {
        return None;
    }
    let (key, inner) = props.iter().next()?;
    let inner_is_object = inner.get("$ref").is_some()
        || inner.get("properties").is_some()
        || inner.get("type").and_then(Value::as_str) == Some("object");
    inner_is_object.then(|| key.clone())
}

fn has_properties(schema: &Value) -> bool {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
}

fn has_property(schema: &Value, key: &str) -> bool {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| p.contains_key(key))
}

/// Fold `u` (of the original spec) into the schema at `l_ptr` (of the merged document).
fn merge_schema(out: &mut Value, l_ptr: &str, u: &Value, upstream: &Value) {
    let lp = resolve_ptr(out, l_ptr);
    let us = resolved(upstream, u);
    let Some(l) = out.pointer(&lp).cloned() else {
        return;
    };
    if let (Some(Value::Array(le)), Some(Value::Array(ue))) = (l.get("enum"), us.get("enum")) {
        let mut values = le.clone();
        for v in ue {
            if !values.contains(v) {
                values.push(v.clone());
            }
        }
        ensure_object(out, &lp).insert("enum".into(), Value::Array(values));
    }
    if let Some(Value::Object(props_u)) = us.get("properties") {
        for (name, prop_u) in props_u {
            let prop_ptr = format!("{lp}/properties/{}", escape(name));
            if out.pointer(&prop_ptr).is_some() {
                merge_schema(out, &prop_ptr, prop_u, upstream);
            } else {
                let copied = copy_in(out, prop_u, upstream);
                let props = ensure_object(out, &lp)
                    .entry("properties")
                    .or_insert_with(|| json!({}));
                if let Value::Object(props) = props {
                    props.insert(name.clone(), copied);
                }
            }
        }
    }
    if l.get("items").is_some()
        && let Some(items_u) = us.get("items")
    {
        merge_schema(out, &format!("{lp}/items"), items_u, upstream);
    }
    let is_object =
        us.get("properties").is_some() || us.get("type").and_then(Value::as_str) == Some("object");
    if is_object && l.get("required").is_some() {
        let required_u: Vec<&Value> = us
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().collect())
            .unwrap_or_default();
        let kept: Vec<Value> = l["required"]
            .as_array()
            .map(|r| {
                r.iter()
                    .filter(|n| required_u.contains(n))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let schema = ensure_object(out, &lp);
        if kept.is_empty() {
            schema.remove("required");
        } else {
            schema.insert("required".into(), Value::Array(kept));
        }
    }
}

/// A value of the original spec, ready to sit in the merged document: every component it
/// refers to that the merged document lacks is copied over under its own name.
fn copy_in(out: &mut Value, v: &Value, upstream: &Value) -> Value {
    let mut pending = Vec::new();
    collect_refs(v, &mut pending);
    while let Some(r) = pending.pop() {
        let Some(ptr) = r.strip_prefix('#') else {
            continue;
        };
        if out.pointer(ptr).is_some() {
            continue;
        }
        let Some(found) = upstream.pointer(ptr) else {
            continue;
        };
        collect_refs(found, &mut pending);
        let (parent, name) = ptr.rsplit_once('/').unwrap_or(("", ptr));
        ensure_object(out, parent)
            .insert(name.replace("~1", "/").replace("~0", "~"), found.clone());
    }
    v.clone()
}

fn collect_refs(v: &Value, into: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                into.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, into)),
        _ => {}
    }
}

/// Follow `$ref`s from `ptr` until a value that is not one.
fn resolve_ptr(doc: &Value, ptr: &str) -> String {
    let mut ptr = ptr.to_string();
    for _ in 0..16 {
        match doc
            .pointer(&ptr)
            .and_then(|v| v.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(next) => ptr = next.to_string(),
            None => break,
        }
    }
    ptr
}

/// `v` with `$ref`s followed in `doc`.
pub fn resolved<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    let mut v = v;
    for _ in 0..16 {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| crate::refs::target(doc, r))
        {
            Some(next) => v = next,
            None => break,
        }
    }
    v
}

/// The JSON schema of a response, if it has one.
pub fn json_schema(response: &Value) -> Option<&Value> {
    response
        .get("content")?
        .get("application/json")?
        .get("schema")
}

/// The object at `ptr`, created (with any missing parents) if absent.
fn ensure_object<'a>(doc: &'a mut Value, ptr: &str) -> &'a mut Map<String, Value> {
    let mut v = doc;
    for segment in ptr.split('/').skip(1) {
        let key = segment.replace("~1", "/").replace("~0", "~");
        if !v.is_object() {
            *v = json!({});
        }
        v = v
            .as_object_mut()
            .expect("made an object above")
            .entry(key)
            .or_insert_with(|| json!({}));
    }
    if !v.is_object() {
        *v = json!({});
    }
    v.as_object_mut().expect("made an object above")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(paths: Value, schemas: Value) -> Value {
        json!({"openapi": "3.0.1", "paths": paths, "components": {"schemas": schemas}})
    }

    fn ok(schema: Value) -> Value {
        json!({"description": "ok", "content": {"application/json": {"schema": schema}}})
    }

    #[test]
    fn a_flat_original_answer_against_a_live_envelope_marks_wrap() {
        let upstream = doc(
            json!({"/p": {"post": {"operationId": "createProject", "responses": {
                "200": ok(json!({"$ref": "#/components/schemas/Project"}))}}}}),
            json!({"Project": {"type": "object", "properties": {
                "id": {"type": "string"}, "folderId": {"type": "string"}}}}),
        );
        let live = doc(
            json!({"/p": {"post": {"operationId": "createProject", "responses": {
                "201": ok(json!({"$ref": "#/components/schemas/Created"})),
                "400": ok(json!({"$ref": "#/components/schemas/ErrorResponse"}))}}}}),
            json!({
                "Created": {"type": "object", "required": ["project"], "properties": {
                    "project": {"type": "object", "required": ["id"], "properties": {
                        "id": {"type": "string"}, "name": {"type": "string"}}}}},
                "ErrorResponse": {"type": "object", "properties": {"message": {"type": "string"}}}
            }),
        );
        let merged = references(&upstream, &live);
        let op = &merged["paths"]["/p"]["post"];
        assert_eq!(op["x-envelope"], json!({"wrap": "project"}));
        assert_eq!(op["x-references"], json!(["upstream", "live"]));
        // Both statuses, one type.
        assert_eq!(op["responses"]["200"], op["responses"]["201"].clone());
        let inner = &merged["components"]["schemas"]["Created"]["properties"]["project"];
        assert!(inner["properties"]["folderId"].is_object(), "{inner}");
        // Required only where both references require it.
        assert!(inner.get("required").is_none(), "{inner}");
    }

    #[test]
    fn fields_enums_errors_and_parameters_are_united() {
        let upstream = doc(
            json!({"/r/{id}": {"get": {"operationId": "getRun",
                "parameters": [{"name": "id", "in": "path"}, {"name": "old", "in": "query"}],
                "responses": {
                "200": ok(json!({"$ref": "#/components/schemas/Env"})),
                "404": ok(json!({"$ref": "#/components/schemas/Error"}))}}}}),
            json!({
                "Env": {"type": "object", "properties": {"run": {"$ref": "#/components/schemas/Run"}}},
                "Run": {"type": "object", "properties": {
                    "finishedAt": {"type": "string"},
                    "status": {"type": "string", "enum": ["done", "older"]}}},
                "Error": {"type": "object"}
            }),
        );
        let live = doc(
            json!({"/r/{id}": {"get": {"operationId": "getRun",
                "parameters": [{"name": "id", "in": "path"}],
                "responses": {
                "200": ok(json!({"$ref": "#/components/schemas/GetRun"})),
                "401": ok(json!({"$ref": "#/components/schemas/ErrorResponse"}))}}}}),
            json!({
                "GetRun": {"type": "object", "required": ["run"], "properties": {"run": {"$ref": "#/components/schemas/LiveRun"}}},
                "LiveRun": {"type": "object", "required": ["status"], "properties": {
                    "completedAt": {"type": "string"},
                    "status": {"type": "string", "enum": ["done", "newer"]}}},
                "ErrorResponse": {"type": "object"}
            }),
        );
        let merged = references(&upstream, &live);
        let run = &merged["components"]["schemas"]["LiveRun"];
        assert!(run["properties"]["finishedAt"].is_object());
        assert!(run["properties"]["completedAt"].is_object());
        assert_eq!(
            run["properties"]["status"]["enum"],
            json!(["done", "newer", "older"])
        );
        let op = &merged["paths"]["/r/{id}"]["get"];
        assert!(op.get("x-envelope").is_none());
        assert_eq!(
            op["responses"]["404"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorResponse"
        );
        assert_eq!(op["parameters"].as_array().unwrap().len(), 2);
        // The original's error type never enters the merged document.
        assert!(merged["components"]["schemas"].get("Error").is_none());
    }

    #[test]
    fn an_original_envelope_against_a_flat_live_answer_marks_unwrap() {
        let upstream = doc(
            json!({"/x": {"post": {"responses": {"200": ok(json!({"type": "object",
                "properties": {"run": {"type": "object", "properties": {"id": {"type": "string"}}}}}))}}}}),
            json!({}),
        );
        let live = doc(
            json!({"/x": {"post": {"responses": {"202": ok(json!({"type": "object",
                "properties": {"runId": {"type": "string"}, "status": {"type": "string"}}}))}}}}),
            json!({}),
        );
        let merged = references(&upstream, &live);
        let op = &merged["paths"]["/x"]["post"];
        assert_eq!(op["x-envelope"], json!({"unwrap": "run"}));
        let schema = &op["responses"]["202"]["content"]["application/json"]["schema"];
        assert!(schema["properties"]["id"].is_object(), "{schema}");
    }
}
