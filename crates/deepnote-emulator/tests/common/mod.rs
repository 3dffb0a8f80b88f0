//! Shared test helpers: an HTTP client whose every API answer is validated against the
//! merged spec (`deepnote-openapi.yml` + `openapi/overlay.yml`), so drift fails a test.
#![allow(dead_code)]

use deepnote_emulator::{AccessLevel, Emulator, KeySpec};
use reqwest::Method;
use serde_json::Value;
use std::sync::OnceLock;

pub const ADMIN: &str = "admin-key";
pub const EDITOR: &str = "editor-key";
pub const VIEWER: &str = "viewer-key";
pub const RESTRICTED: &str = "restricted-key";
pub const GUEST: &str = "guest-key";
pub const OTHER: &str = "other-workspace-key";

/// An emulator with one key per access level in `ws-1`, and an admin key in `ws-2`.
pub async fn emulator() -> Emulator {
    builder().start().await.expect("emulator starts")
}

pub fn builder() -> deepnote_emulator::EmulatorBuilder {
    let key = |k: &str, level| KeySpec::new(k).workspace("ws-1").user("u-1").access(level);
    Emulator::builder()
        .key(key(ADMIN, AccessLevel::Admin))
        .key(key(EDITOR, AccessLevel::Editor))
        .key(key(VIEWER, AccessLevel::Viewer))
        .key(key(RESTRICTED, AccessLevel::RestrictedUser))
        .key(key(GUEST, AccessLevel::Guest))
        .key(
            KeySpec::new(OTHER)
                .workspace("ws-2")
                .user("u-2")
                .access(AccessLevel::Admin),
        )
}

/// The merged spec with every `$ref` inlined.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let read = |p: &str| -> Value {
            let text = std::fs::read_to_string(format!("{root}/{p}")).expect("spec file");
            serde_yaml::from_str(&text).expect("spec YAML")
        };
        let mut spec = read("deepnote-openapi.yml");
        json_patch::merge(&mut spec, &read("openapi/overlay.yml")["upstream"]);
        let components = spec.clone();
        inline_refs(&mut spec, &components, 0);
        spec
    })
}

fn inline_refs(v: &mut Value, root: &Value, depth: usize) {
    assert!(depth < 32, "$ref cycle in the spec");
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let pointer = r.strip_prefix('#').expect("local $ref");
                let mut target = root.pointer(pointer).expect("$ref target").clone();
                inline_refs(&mut target, root, depth + 1);
                // Siblings of `$ref` (none survive the overlay, but keep them if any do).
                map.remove("$ref");
                if let Value::Object(t) = target {
                    for (k, val) in t {
                        map.entry(k).or_insert(val);
                    }
                }
            } else {
                for val in map.values_mut() {
                    inline_refs(val, root, depth);
                }
            }
        }
        Value::Array(items) => {
            for val in items {
                inline_refs(val, root, depth);
            }
        }
        _ => {}
    }
}

/// The spec path template matching a concrete API path (without the `/v2` or `/v1` prefix).
fn template_for(path: &str) -> Option<String> {
    let paths = spec()["paths"].as_object()?;
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    paths
        .keys()
        .find(|t| {
            let tsegs: Vec<&str> = t.split('/').collect();
            tsegs.len() == segs.len()
                && tsegs
                    .iter()
                    .zip(&segs)
                    .all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s)
        })
        .cloned()
}

/// Check one answer against the spec: its status is documented for the operation, its
/// content type and body match the documented response. Panics (fails the test) otherwise.
pub fn validate(
    method: &Method,
    full_path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) {
    let path = full_path.split('?').next().unwrap_or_default();
    let (prefix, rest) = if let Some(r) = path.strip_prefix("/v2") {
        ("v2", r)
    } else if let Some(r) = path.strip_prefix("/v1") {
        ("v1", r)
    } else {
        return;
    };
    let Some(template) = template_for(rest) else {
        // Unknown paths must still answer a typed Error.
        assert_eq!(
            status, 404,
            "{method} {full_path}: unknown path answered {status}"
        );
        check_error_body(method, full_path, content_type, body);
        return;
    };
    let is_v1 = template.ends_with("/execute");
    if is_v1 != (prefix == "v1") {
        assert_eq!(
            status, 404,
            "{method} {full_path}: wrong base path answered {status}"
        );
        return;
    }
    let op = &spec()["paths"][&template][method.as_str().to_lowercase()];
    if op.is_null() {
        assert_eq!(
            status, 405,
            "{method} {full_path}: undocumented method answered {status}"
        );
        check_error_body(method, full_path, content_type, body);
        return;
    }
    let responses = &op["responses"];
    let code = status.to_string();
    let range = format!("{}XX", status / 100);
    let resp = [code.as_str(), range.as_str(), "default"]
        .iter()
        .map(|k| &responses[*k])
        .find(|r| !r.is_null())
        .unwrap_or_else(|| {
            panic!("{method} {full_path}: status {status} is not documented for {template}")
        });
    match resp["content"]["application/json"]["schema"].as_object() {
        Some(schema) => {
            let ct = content_type.unwrap_or_default();
            assert!(
                ct.starts_with("application/json"),
                "{method} {full_path}: {status} has content type `{ct}`, expected JSON"
            );
            let value: Value = serde_json::from_slice(body).unwrap_or_else(|e| {
                panic!("{method} {full_path}: {status} body is not JSON ({e})")
            });
            let schema = Value::Object(schema.clone());
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .expect("schema compiles");
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "{method} {full_path}: {status} body breaks the spec: {errors:?}\nbody: {value}"
            );
        }
        None => assert!(
            body.is_empty(),
            "{method} {full_path}: {status} has a body the spec does not document"
        ),
    }
}

fn check_error_body(method: &Method, path: &str, content_type: Option<&str>, body: &[u8]) {
    assert!(
        content_type
            .unwrap_or_default()
            .starts_with("application/json"),
        "{method} {path}: error without a JSON body"
    );
    let v: Value = serde_json::from_slice(body).expect("error body is JSON");
    assert!(
        v["message"].is_string(),
        "{method} {path}: error without message: {v}"
    );
}

/// An answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }
}

/// An HTTP client for one emulator and key.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub key: Option<String>,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(emu: &Emulator, key: &str) -> Self {
        Api::at(emu.base_url(), Some(key))
    }

    pub fn at(base: &str, key: Option<&str>) -> Self {
        Api {
            base: base.to_string(),
            key: key.map(str::to_string),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
        }
    }

    pub fn with_key(&self, key: &str) -> Self {
        Api {
            key: Some(key.into()),
            ..self.clone()
        }
    }

    pub fn anonymous(&self) -> Self {
        Api {
            key: None,
            ..self.clone()
        }
    }

    /// Send a request with a raw body; the answer is validated against the spec.
    pub async fn raw(&self, method: Method, path: &str, body: Option<Vec<u8>>) -> Resp {
        self.try_raw(method, path, body).await.expect("request")
    }

    pub async fn try_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Resp, reqwest::Error> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{}", self.base, path));
        if let Some(k) = &self.key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await?.to_vec();
        let ct = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        validate(&method, path, status, ct.as_deref(), &bytes);
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Resp {
            status,
            headers,
            body,
            bytes,
        })
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.raw(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.raw(Method::POST, path, Some(body.to_string().into_bytes()))
            .await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.raw(Method::DELETE, path, None).await
    }

    /// The control API's view of the state: counts of projects, notebooks and runs, and the
    /// clock. Not an API operation, so not validated against the spec.
    pub async fn emulator_state(&self) -> serde_json::Value {
        self.http
            .get(format!("{}/_emulator/state", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Create a project and return its id.
    pub async fn project(&self, name: &str) -> String {
        let r = self
            .post("/v2/projects", serde_json::json!({ "name": name }))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body["id"].as_str().expect("id").to_string()
    }

    /// Create a notebook in `project` and return its id.
    pub async fn notebook(&self, project: &str) -> String {
        let r = self
            .post(
                "/v2/notebooks",
                serde_json::json!({ "projectId": project, "name": "nb" }),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body["notebook"]["id"].as_str().expect("id").to_string()
    }

    /// Start a run of `notebook` and return its id.
    pub async fn run(&self, notebook: &str) -> String {
        let r = self
            .post("/v2/runs", serde_json::json!({ "notebookId": notebook }))
            .await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        r.body["runId"].as_str().expect("runId").to_string()
    }

    /// The status of run `id`.
    pub async fn status(&self, id: &str) -> String {
        let r = self.get(&format!("/v2/runs/{id}")).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body["run"]["status"]
            .as_str()
            .expect("status")
            .to_string()
    }
}
