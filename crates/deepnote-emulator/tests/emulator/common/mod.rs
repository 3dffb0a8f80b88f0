//! Shared test helpers: an HTTP client whose every API answer is validated against the
//! reference of the emulator's dialect, so drift fails a test: the original spec
//! (`deepnote-openapi.yml` with the overlay's `upstream` section) for [`Dialect::Spec`], the live
//! reference (`openapi/live.yml` with the overlay's `live` section) for [`Dialect::Live`]. Both
//! come from `deepnote-spec`, the one implementation of the references.
#![allow(dead_code)]

pub use deepnote_emulator::Dialect;
use deepnote_emulator::{Emulator, KeySpec, Role};
use reqwest::Method;
use serde_json::Value;
use std::sync::OnceLock;

pub const ADMIN: &str = "admin-key";
pub const EDITOR: &str = "editor-key";
pub const VIEWER: &str = "viewer-key";
pub const RESTRICTED: &str = "restricted-key";
pub const GUEST: &str = "guest-key";
pub const OTHER: &str = "other-workspace-key";

/// A spec-dialect emulator with one key per access level in `ws-1`, and an admin key in
/// `ws-2`.
pub async fn emulator() -> Emulator {
    builder().start().await.expect("emulator starts")
}

/// The keys of [`emulator`], in the spec dialect (the tests written against the original spec).
pub fn builder() -> deepnote_emulator::EmulatorBuilder {
    keys().dialect(Dialect::Spec)
}

/// The same keys, in the live dialect.
pub fn live_builder() -> deepnote_emulator::EmulatorBuilder {
    keys().dialect(Dialect::Live)
}

/// A live-dialect emulator with the keys of [`emulator`].
pub async fn live_emulator() -> Emulator {
    live_builder().start().await.expect("emulator starts")
}

/// A live-dialect emulator with the sample workspace and a frozen clock, and the API as its
/// sample admin key sees it.
pub async fn frozen_sample() -> (Emulator, Api) {
    let emu = live_builder()
        .seed_sample()
        .freeze_clock()
        .start()
        .await
        .expect("emulator starts");
    let api = Api::new(&emu, emu.sample_key());
    (emu, api)
}

/// `builder` started with a frozen clock, the API as [`EDITOR`] sees it, and a new project
/// `P` with one new notebook: the emulator, the API, the project's id and the notebook's.
pub async fn editor_notebook(
    builder: deepnote_emulator::EmulatorBuilder,
) -> (Emulator, Api, String, String) {
    let emu = builder
        .freeze_clock()
        .start()
        .await
        .expect("emulator starts");
    let api = Api::new(&emu, EDITOR);
    let project = api.project("P").await;
    let nb = api.notebook(&project).await;
    (emu, api, project, nb)
}

fn keys() -> deepnote_emulator::EmulatorBuilder {
    let key = |k: &str, level| KeySpec::new(k).workspace("ws-1").user("u-1").access(level);
    Emulator::builder()
        .key(key(ADMIN, Role::Admin))
        .key(key(EDITOR, Role::Editor))
        .key(key(VIEWER, Role::Viewer))
        .key(key(RESTRICTED, Role::RestrictedUser))
        .key(key(GUEST, Role::Guest))
        .key(
            KeySpec::new(OTHER)
                .workspace("ws-2")
                .user("u-2")
                .access(Role::Admin),
        )
}

/// One reference with its overlay section and every `$ref` inlined.
fn load(which: deepnote_spec::Reference) -> Value {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let doc = deepnote_spec::reference(root, which).expect("the reference loads");
    deepnote_spec::refs::inlined(&doc, 32)
}

/// The original spec with the overlay's `upstream` section.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| load(deepnote_spec::Reference::Upstream))
}

/// The live reference with the overlay's `live` section, and OpenAPI 3.0's `nullable` turned
/// into JSON Schema (which the validator speaks).
pub fn live() -> &'static Value {
    static LIVE: OnceLock<Value> = OnceLock::new();
    LIVE.get_or_init(|| {
        let mut spec = load(deepnote_spec::Reference::Live);
        nullable_to_json_schema(&mut spec);
        spec
    })
}

/// The reference a dialect is judged by.
pub fn reference(d: Dialect) -> &'static Value {
    match d {
        Dialect::Spec => spec(),
        Dialect::Live => live(),
    }
}

/// `nullable: true` (OpenAPI 3.0) as JSON Schema: `type: [T, "null"]`, or `anyOf` with null
/// where the schema has no `type` (a `oneOf`, an `allOf`), and `null` added to any `enum`.
fn nullable_to_json_schema(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for val in map.values_mut() {
                nullable_to_json_schema(val);
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(Value::Array(e)) = map.get_mut("enum") {
                    e.push(Value::Null);
                }
                match map.get("type").cloned() {
                    Some(Value::String(t)) => {
                        map.insert("type".into(), serde_json::json!([t, "null"]));
                    }
                    _ => {
                        let inner = Value::Object(std::mem::take(map));
                        map.insert(
                            "anyOf".into(),
                            serde_json::json!([{ "type": "null" }, inner]),
                        );
                    }
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_to_json_schema),
        _ => {}
    }
}

/// The path template of `reference` matching a concrete API path (without the `/v2` or `/v1`
/// prefix).
fn template_for(reference: &Value, path: &str) -> Option<String> {
    let paths = reference["paths"].as_object()?;
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

/// Check one answer against the merged spec; see [`validate_in`].
pub fn validate(
    method: &Method,
    full_path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) {
    validate_in(
        Dialect::Spec,
        method,
        full_path,
        status,
        content_type,
        body,
        false,
    );
}

/// Check one answer against the reference of `dialect`: its status is documented for the
/// operation, its content type and body match the documented response. Panics (fails the
/// test) otherwise. With `alternates`, `POST /runs` may answer the other shape Deepnote's
/// client tolerates (`{"run": {...}}`, judged by the reference's `Run` schema).
pub fn validate_in(
    dialect: Dialect,
    method: &Method,
    full_path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    alternates: bool,
) {
    let reference = reference(dialect);
    let path = full_path.split('?').next().unwrap_or_default();
    let (prefix, rest) = if let Some(r) = path.strip_prefix("/v2") {
        ("v2", r)
    } else if let Some(r) = path.strip_prefix("/v1") {
        ("v1", r)
    } else {
        return;
    };
    let Some(template) = template_for(reference, rest) else {
        // Unknown paths must still answer a typed Error.
        assert_eq!(
            status, 404,
            "{method} {full_path}: unknown path answered {status}"
        );
        check_error_body(method, full_path, content_type, body);
        return;
    };
    // The legacy execute is the only /v1 operation (sessions have an /execute of their own).
    let is_v1 = template == "/projects/{projectId}/notebooks/{notebookId}/execute";
    if is_v1 != (prefix == "v1") {
        assert_eq!(
            status, 404,
            "{method} {full_path}: wrong base path answered {status}"
        );
        return;
    }
    let op = &reference["paths"][&template][method.as_str().to_lowercase()];
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
            let mut schema = Value::Object(schema.clone());
            if alternates && template == "/runs" && value.get("run").is_some() {
                schema = serde_json::json!({
                    "type": "object",
                    "required": ["run"],
                    "properties": { "run": reference["components"]["schemas"]["Run"] },
                });
            }
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
        // A refusal the reference documents without a body (the live v1 execute's 401) still
        // answers the typed error every other refusal has.
        None if status >= 400 && !body.is_empty() => {
            check_error_body(method, full_path, content_type, body)
        }
        // A binary answer (an export's ZIP, a file's bytes): its content type is documented.
        None if resp["content"].as_object().is_some_and(|c| !c.is_empty()) => {
            let ct = content_type.unwrap_or_default();
            let types = resp["content"].as_object().expect("checked");
            assert!(
                types
                    .keys()
                    .any(|t| t == "*/*" || ct.starts_with(t.as_str())),
                "{method} {full_path}: {status} has content type `{ct}`, expected one of {:?}",
                types.keys().collect::<Vec<_>>()
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

/// A run's id in a `POST /runs` answer, flat (`runId`) or in the envelope (`run.id`).
pub fn started_run_id(body: &Value) -> String {
    body["runId"]
        .as_str()
        .or_else(|| body["run"]["id"].as_str())
        .expect("a run id")
        .to_string()
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
    /// The reference answers are judged by.
    pub dialect: Dialect,
    /// Accept the alternate shapes (see [`validate_in`]).
    pub alternates: bool,
}

impl Api {
    pub fn new(emu: &Emulator, key: &str) -> Self {
        Api::at_in(emu.dialect(), emu.base_url(), Some(key))
    }

    /// A client of a spec-dialect emulator at `base`.
    pub fn at(base: &str, key: Option<&str>) -> Self {
        Api::at_in(Dialect::Spec, base, key)
    }

    pub fn at_in(dialect: Dialect, base: &str, key: Option<&str>) -> Self {
        Api {
            base: base.to_string(),
            key: key.map(str::to_string),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
            dialect,
            alternates: false,
        }
    }

    /// The same client, accepting the alternate shapes.
    pub fn with_alternates(&self) -> Self {
        Api {
            alternates: true,
            ..self.clone()
        }
    }

    /// The status of a successful create in this dialect.
    pub fn created(&self) -> u16 {
        match self.dialect {
            Dialect::Spec => 200,
            Dialect::Live => 201,
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
        self.send(method, path, "application/json", body).await
    }

    /// Send a request with a body of `content_type`; the answer is validated against the spec.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Resp, reqwest::Error> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{}", self.base, path));
        if let Some(k) = &self.key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.header("content-type", content_type).body(b);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await?.to_vec();
        let ct = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        validate_in(
            self.dialect,
            &method,
            path,
            status,
            ct.as_deref(),
            &bytes,
            self.alternates,
        );
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Resp {
            status,
            headers,
            body,
            bytes,
        })
    }

    /// `POST /v1/projects/{project}/notebooks/{notebook}/execute`, the legacy run.
    pub async fn execute_v1(&self, project: &str, notebook: &str) -> Resp {
        let path = format!("/v1/projects/{project}/notebooks/{notebook}/execute");
        self.raw(Method::POST, &path, None).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.raw(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.raw(Method::POST, path, Some(body.to_string().into_bytes()))
            .await
    }

    /// POST without judging the answer: for refusals an operation's reference documents no
    /// status for (only its 200), which the emulator must still answer. Returns the status.
    pub async fn post_unjudged(&self, path: &str, body: Value) -> u16 {
        let mut req = self.http.post(format!("{}{}", self.base, path)).json(&body);
        if let Some(k) = &self.key {
            req = req.bearer_auth(k);
        }
        req.send().await.expect("request").status().as_u16()
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.raw(Method::PATCH, path, Some(body.to_string().into_bytes()))
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
        assert_eq!(r.status, self.created(), "{:?}", r.body);
        let project = match self.dialect {
            Dialect::Spec => &r.body,
            Dialect::Live => &r.body["project"],
        };
        project["id"].as_str().expect("id").to_string()
    }

    /// Create a notebook in `project` and return its id.
    pub async fn notebook(&self, project: &str) -> String {
        let r = self
            .post(
                "/v2/notebooks",
                serde_json::json!({ "projectId": project, "name": "nb" }),
            )
            .await;
        assert_eq!(r.status, self.created(), "{:?}", r.body);
        r.body["notebook"]["id"].as_str().expect("id").to_string()
    }

    /// Start a run of `notebook` and return its id.
    pub async fn run(&self, notebook: &str) -> String {
        let r = self
            .post("/v2/runs", serde_json::json!({ "notebookId": notebook }))
            .await;
        assert_eq!(r.status, 202, "{:?}", r.body);
        started_run_id(&r.body)
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
