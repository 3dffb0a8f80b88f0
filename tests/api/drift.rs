//! Spec drift: any change of the spec, the overlay or the generated types shows as a readable
//! snapshot diff that names what changed (review with `cargo insta review`).

use openapiv3::{OpenAPI, Operation, Parameter, ReferenceOr, Schema, SchemaKind, Type};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn openapi(doc: Value) -> OpenAPI {
    serde_json::from_value(doc).expect("the document is OpenAPI 3.0")
}

/// The original spec, verbatim.
fn upstream() -> OpenAPI {
    openapi(deepnote_spec::read_yaml(&root().join(deepnote_spec::UPSTREAM)).unwrap())
}

/// The live reference, verbatim.
fn live() -> OpenAPI {
    openapi(deepnote_spec::read_yaml(&root().join(deepnote_spec::LIVE)).unwrap())
}

/// What codegen reads: the references merged, the overlay and the rules applied (by the one
/// implementation, `deepnote-spec`, that xtask calls too).
fn merged_doc() -> Value {
    deepnote_spec::merged(root()).expect("the references merge")
}

fn merged() -> OpenAPI {
    openapi(merged_doc())
}

fn describe_schema(schema: &ReferenceOr<Schema>) -> Value {
    let schema = match schema {
        ReferenceOr::Reference { reference } => return json!({ "$ref": reference }),
        ReferenceOr::Item(s) => s,
    };
    let mut out = serde_json::Map::new();
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            out.insert("type".into(), json!("string"));
            if let openapiv3::VariantOrUnknownOrEmpty::Item(f) = &s.format {
                let name = match f {
                    openapiv3::StringFormat::Date => "date",
                    openapiv3::StringFormat::DateTime => "date-time",
                    openapiv3::StringFormat::Password => "password",
                    openapiv3::StringFormat::Byte => "byte",
                    openapiv3::StringFormat::Binary => "binary",
                };
                out.insert("format".into(), json!(name));
            }
            if let openapiv3::VariantOrUnknownOrEmpty::Unknown(f) = &s.format {
                out.insert("format".into(), json!(f));
            }
            if !s.enumeration.is_empty() {
                out.insert("enum".into(), json!(s.enumeration));
            }
        }
        SchemaKind::Type(Type::Integer(i)) => {
            out.insert("type".into(), json!("integer"));
            if let Some(m) = i.minimum {
                out.insert("minimum".into(), json!(m));
            }
            if let Some(m) = i.maximum {
                out.insert("maximum".into(), json!(m));
            }
        }
        SchemaKind::Type(Type::Number(_)) => {
            out.insert("type".into(), json!("number"));
        }
        SchemaKind::Type(Type::Boolean(_)) => {
            out.insert("type".into(), json!("boolean"));
        }
        SchemaKind::Type(Type::Array(a)) => {
            out.insert("type".into(), json!("array"));
            if let Some(items) = &a.items {
                out.insert("items".into(), describe_schema(&items.clone().unbox()));
            }
        }
        SchemaKind::Type(Type::Object(o)) => {
            out.insert("type".into(), json!("object"));
            let fields: BTreeMap<_, _> = o
                .properties
                .iter()
                .map(|(name, s)| (name.clone(), describe_schema(&s.clone().unbox())))
                .collect();
            if !fields.is_empty() {
                out.insert("fields".into(), json!(fields));
            }
            if !o.required.is_empty() {
                out.insert("required".into(), json!(o.required));
            }
            if o.additional_properties.is_some() {
                out.insert("additionalProperties".into(), json!(true));
            }
        }
        SchemaKind::OneOf { one_of } => {
            out.insert(
                "oneOf".into(),
                json!(one_of.iter().map(describe_schema).collect::<Vec<_>>()),
            );
        }
        other => {
            out.insert("kind".into(), json!(format!("{other:?}")));
        }
    }
    Value::Object(out)
}

fn describe_parameter(p: &ReferenceOr<Parameter>) -> Value {
    let ReferenceOr::Item(p) = p else {
        return json!("$ref");
    };
    let (location, data) = match p {
        Parameter::Query { parameter_data, .. } => ("query", parameter_data),
        Parameter::Path { parameter_data, .. } => ("path", parameter_data),
        Parameter::Header { parameter_data, .. } => ("header", parameter_data),
        Parameter::Cookie { parameter_data, .. } => ("cookie", parameter_data),
    };
    let schema = match &data.format {
        openapiv3::ParameterSchemaOrContent::Schema(s) => describe_schema(s),
        openapiv3::ParameterSchemaOrContent::Content(_) => json!("content"),
    };
    json!({ "name": data.name, "in": location, "required": data.required, "schema": schema })
}

fn describe_operation(
    spec: &OpenAPI,
    path: &str,
    method: &str,
    op: &Operation,
    server: &str,
) -> Value {
    let body = op.request_body.as_ref().map(|b| match b {
        ReferenceOr::Item(b) => json!({
            "required": b.required,
            "content": b.content.iter().map(|(ct, m)| {
                (ct.clone(), m.schema.as_ref().map(describe_schema).unwrap_or(Value::Null))
            }).collect::<BTreeMap<_, _>>(),
        }),
        ReferenceOr::Reference { reference } => json!({ "$ref": reference }),
    });
    let resolve = |r: &ReferenceOr<openapiv3::Response>| match r {
        ReferenceOr::Reference { reference } => {
            let name = reference.rsplit('/').next().unwrap();
            spec.components.as_ref().unwrap().responses[name]
                .as_item()
                .unwrap()
                .clone()
        }
        ReferenceOr::Item(r) => r.clone(),
    };
    // Each response's headers (name: schema), for the responses that have any, so a header a
    // new reference adds (Retry-After on a 429, say) is named.
    let headers: BTreeMap<String, BTreeMap<String, Value>> = op
        .responses
        .responses
        .iter()
        .map(|(code, r)| {
            let described = resolve(r)
                .headers
                .iter()
                .map(|(name, h)| (name.clone(), describe_header(spec, h)))
                .collect::<BTreeMap<_, _>>();
            (code.to_string(), described)
        })
        .filter(|(_, h)| !h.is_empty())
        .collect();
    let responses: BTreeMap<String, Value> = op
        .responses
        .responses
        .iter()
        .map(|(code, r)| {
            let r = resolve(r);
            let content: BTreeMap<_, _> = r
                .content
                .iter()
                .map(|(ct, m)| {
                    (
                        ct.clone(),
                        m.schema
                            .as_ref()
                            .map(describe_schema)
                            .unwrap_or(Value::Null),
                    )
                })
                .collect();
            (code.to_string(), json!(content))
        })
        .collect();
    // How each operation is known and how the references differ on it (the merged document
    // marks these; the references alone carry `x-evidence` at most).
    let marks: BTreeMap<&String, &Value> = op
        .extensions
        .iter()
        .filter(|(k, _)| {
            [
                "x-evidence",
                "x-references",
                "x-envelope",
                "x-codegen",
                "x-unverified",
            ]
            .contains(&k.as_str())
        })
        .collect();
    let mut described = json!({
        "method": method,
        "path": path,
        "server": server,
        "marks": marks,
        "parameters": op.parameters.iter().map(describe_parameter).collect::<Vec<_>>(),
        "requestBody": body,
        "responses": responses,
    });
    if !headers.is_empty() {
        described["responseHeaders"] = json!(headers);
    }
    described
}

/// A response header: its schema (a shared header resolved).
fn describe_header(spec: &OpenAPI, h: &ReferenceOr<openapiv3::Header>) -> Value {
    let header = match h {
        ReferenceOr::Reference { reference } => {
            let name = reference.rsplit('/').next().unwrap();
            spec.components.as_ref().unwrap().headers[name]
                .as_item()
                .unwrap()
                .clone()
        }
        ReferenceOr::Item(h) => h.clone(),
    };
    match &header.format {
        openapiv3::ParameterSchemaOrContent::Schema(s) => describe_schema(s),
        openapiv3::ParameterSchemaOrContent::Content(_) => json!("content"),
    }
}

/// Every operation (id, method, path, server, parameters, body, responses and their headers)
/// and every schema.
fn surface(spec: &OpenAPI) -> Value {
    let default_server = spec
        .servers
        .first()
        .map(|s| s.url.clone())
        .unwrap_or_default();
    let mut operations = BTreeMap::new();
    for (path, item) in spec.paths.paths.iter() {
        let item = item.as_item().expect("no path $refs in this spec");
        let server = item
            .servers
            .first()
            .map(|s| s.url.clone())
            .unwrap_or(default_server.clone());
        for (method, op) in item.iter() {
            let id = op.operation_id.clone().expect("every operation has an id");
            operations.insert(id, describe_operation(spec, path, method, op, &server));
        }
    }
    let schemas: BTreeMap<_, _> = spec
        .components
        .as_ref()
        .map(|c| {
            c.schemas
                .iter()
                .map(|(n, s)| (n.clone(), describe_schema(s)))
                .collect()
        })
        .unwrap_or_default();
    json!({ "version": spec.info.version, "operations": operations, "schemas": schemas })
}

#[test]
fn upstream_surface() {
    insta::assert_yaml_snapshot!("upstream_surface", surface(&upstream()));
}

#[test]
fn live_surface() {
    insta::assert_yaml_snapshot!("live_surface", surface(&live()));
}

#[test]
fn merged_surface() {
    insta::assert_yaml_snapshot!("merged_surface", surface(&merged()));
}

#[test]
fn every_operation_has_a_generated_method() {
    // The table is generated from the merged document; check it against the document itself
    // and against the generated methods, so neither can drop an operation silently.
    let doc = merged_doc();
    let generated = include_str!("../../src/generated.rs");
    let facts = deepnote_spec::operations(&doc);
    assert_eq!(facts.len(), 39, "the references describe 39 operations");
    let table: BTreeMap<_, _> = deepnote_api::OPERATIONS.iter().map(|o| (o.id, o)).collect();
    assert_eq!(
        table.len(),
        facts.len(),
        "OPERATIONS and the document differ"
    );
    for fact in &facts {
        let op = table
            .get(fact.id.as_str())
            .unwrap_or_else(|| panic!("operation {} is missing from OPERATIONS", fact.id));
        assert_eq!(op.generated, !fact.manual, "{}", fact.id);
        let method = format!("pub fn {}(&self) -> builder::", op.method);
        assert_eq!(
            generated.contains(&method),
            op.generated,
            "operation {}: generated method `{}`",
            fact.id,
            op.method
        );
    }
    // Every operation of each reference is in the merged document.
    for spec in [upstream(), live()] {
        for (_, item) in spec.paths.paths.iter() {
            for (_, op) in item.as_item().unwrap().iter() {
                let id = op.operation_id.clone().unwrap();
                assert!(
                    table.contains_key(id.as_str()),
                    "{id} was lost in the merge"
                );
            }
        }
    }
}

macro_rules! schema_snapshots {
    ($($ty:ident),+ $(,)?) => {
        #[test]
        fn generated_type_schemas() {
            let mut all = BTreeMap::new();
            $(
                all.insert(stringify!($ty), schemars::schema_for!(deepnote_api::types::$ty));
            )+
            insta::assert_json_snapshot!("generated_type_schemas", all);
        }
    };
}

schema_snapshots!(
    Block,
    BlockPlacement,
    BlockPlacementType,
    BlockType,
    CopyFileBody,
    CreateBlockBody,
    CreateBlockResponse,
    CreateFileMultipartBody,
    CreateFileResponse,
    CreateNotebookBody,
    CreateNotebookResponse,
    CreateProjectBody,
    CreateProjectResponse,
    CreateProjectResponseProject,
    CreateRunRequest,
    CreateRunRequestDetachedRunStorageMode,
    CreateRunResponse,
    CreateScheduleBody,
    CreateSessionBody,
    CreateSessionBodyStorageMode,
    CreateSessionResponse,
    CreateStreamlitAppRequest,
    CreateStreamlitAppRequestEntrypoint,
    CreateStreamlitAppResponse,
    CursorPagination,
    ErrorResponse,
    ExecuteInSessionBody,
    FileReference,
    FileReferencePath,
    GetBlockResponse,
    GetMachineResponse,
    GetNotebookResponse,
    GetProjectResponse,
    GetRunResponse,
    GetRunSnapshotDelivery,
    GetStreamlitAppStatusResponse,
    ImportProjectResponse,
    ImportProjectResponseNotebooksItem,
    ImportProjectResponseProject,
    IntegrationListItem,
    ListIntegrationsHasSchema,
    ListIntegrationsIncludeMetadata,
    ListIntegrationsResponse,
    ListMachineTypesResponse,
    ListNotebookRunsResponse,
    ListProjectsItem,
    ListProjectsResponse,
    ListSchedulesResponse,
    ListStreamlitAppsResponse,
    Machine,
    MachineType,
    Me,
    MeApiKey,
    MeUser,
    MeWorkspace,
    Notebook,
    NotebookBlock,
    NotebookInput,
    NotebookInputValue,
    NotebookSchedule,
    ProjectDetail,
    ProjectFileEntry,
    ProjectFolder,
    ProjectFolderPathItem,
    ProjectNotebookRef,
    ProjectStaticFiles,
    ReorderBlocksBody,
    ReorderBlocksResponse,
    Run,
    RunError,
    RunInputValue,
    RunSnapshot,
    RunSnapshotBlocksItem,
    RunSummary,
    Schedule,
    SearchPartialFailure,
    SearchResponse,
    SearchResults,
    Session,
    StreamlitApp,
    StreamlitAppEntrypoint,
    UpdateBlockBody,
    UpdateBlockResponse,
    UpdateNotebookBody,
    UpdateNotebookBodyName,
    UpdateNotebookResponse,
    UpdateProjectRequest,
    UpdateProjectRequestStaticFiles,
    UpdateProjectResponse,
    UpdateProjectResponseProject,
    UpsertNotebookScheduleBody,
    UpsertNotebookScheduleBodyCron,
    UpsertNotebookScheduleBodyTimezone,
    UpsertNotebookScheduleResponse,
);

#[test]
fn every_generated_type_has_a_schema_snapshot() {
    // A new type in the generated code must join the list above, or its drift goes unseen.
    let generated = include_str!("../../src/generated.rs");
    let types_mod = &generated[generated.find("pub mod types {").unwrap()..];
    let types_mod = &types_mod[..types_mod
        .find("pub mod builder {")
        .unwrap_or(types_mod.len())];
    let listed = include_str!("drift.rs");
    for line in types_mod.lines() {
        let line = line.trim();
        let name = line
            .strip_prefix("pub struct ")
            .or_else(|| line.strip_prefix("pub enum "))
            .and_then(|rest| rest.split([' ', '(', '<', '{']).next());
        if let Some(name) = name {
            if name == "ConversionError" {
                continue;
            }
            assert!(
                listed.contains(&format!("    {name},\n")),
                "type {name} has no schema snapshot"
            );
        }
    }
}

/// The spec's enum values, found by schema name in the merged spec.
fn spec_enum(spec: &OpenAPI, schema: &str) -> Vec<String> {
    let s = spec.components.as_ref().unwrap().schemas[schema]
        .as_item()
        .unwrap();
    let SchemaKind::Type(Type::String(s)) = &s.schema_kind else {
        panic!("{schema} is not a string enum")
    };
    s.enumeration.iter().flatten().cloned().collect()
}

#[test]
fn open_enums_know_every_value_of_the_spec() {
    // The open enums are hand-written (codegen points the spec's enums at them), so a value
    // the spec adds must be added here too, or it would arrive as `Unknown`.
    fn names<T: ToString>(values: &[T]) -> Vec<String> {
        values.iter().map(T::to_string).collect()
    }
    let spec = merged();
    assert_eq!(
        spec_enum(&spec, "RunStatus"),
        names(deepnote_api::RunStatus::KNOWN)
    );
    assert_eq!(
        spec_enum(&spec, "ProjectType"),
        names(deepnote_api::ProjectType::KNOWN)
    );
    assert_eq!(
        spec_enum(&spec, "AccessLevel"),
        names(deepnote_api::AccessLevel::KNOWN)
    );
    assert_eq!(
        spec_enum(&spec, "StreamlitAppStatus"),
        names(deepnote_api::StreamlitAppStatus::KNOWN)
    );
}
