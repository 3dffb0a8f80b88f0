//! The update report: what a maintainer must see about a new reference, per changed operation
//! and schema, from two small documents.

use deepnote_spec::changes;
use serde_json::json;

#[test]
fn the_report_names_what_changed_in_each_operation_and_schema() {
    let before = json!({
        "tags": [{ "name": "Blocks" }],
        "paths": {
            "/blocks/{blockId}": { "get": {
                "operationId": "getBlock", "tags": ["Blocks"], "x-evidence": "client-branch",
                "responses": {
                    "200": { "description": "ok" },
                    "429": { "$ref": "#/components/responses/RateLimited" },
                },
            }},
            "/projects/{projectId}": { "get": {
                "operationId": "getProject", "tags": ["Projects"],
                "parameters": [{ "name": "projectId", "in": "path", "required": true }],
                "responses": { "200": { "description": "ok" } },
            }},
            "/projects": { "get": {
                "operationId": "listProjects", "description": "unchanged",
                "responses": { "200": { "description": "ok" } },
            }},
        },
        "components": {
            "responses": { "RateLimited": { "description": "Rate limit exceeded" } },
            "schemas": {
                "Run": { "type": "object", "required": ["id"], "properties": {
                    "id": { "type": "string" },
                    "snapshotContent": { "type": "string" },
                }},
                "Old": { "type": "string" },
            },
        },
    });
    let after = json!({
        "tags": [{ "name": "Blocks" }, { "name": "Apps" }],
        "paths": {
            "/blocks/{blockId}": { "get": {
                "operationId": "getBlock", "tags": ["Blocks"], "x-evidence": "client",
                "responses": {
                    "200": { "description": "ok" },
                    "429": { "$ref": "#/components/responses/RateLimited" },
                },
            }},
            "/projects/{projectId}": { "get": {
                "operationId": "getProject", "tags": ["Projects", "Apps"],
                "parameters": [
                    { "name": "projectId", "in": "path", "required": true },
                    { "name": "fields", "in": "query" },
                ],
                "responses": {
                    "200": { "description": "the project" },
                    "404": { "description": "not found" },
                    "429": { "$ref": "#/components/responses/RateLimited" },
                },
            }},
            "/projects": { "get": {
                "operationId": "listProjects", "description": "unchanged",
                "responses": { "200": { "description": "ok" } },
            }},
            "/streamlit-apps": { "post": {
                "operationId": "createStreamlitApp", "tags": ["Apps"],
                "responses": { "201": { "description": "created" } },
            }},
        },
        "components": {
            "headers": {
                "RetryAfter": { "schema": { "type": "string" } },
                "RateLimitReset": { "schema": { "type": "integer" } },
            },
            "responses": { "RateLimited": {
                "description": "Rate limit exceeded",
                "headers": {
                    "Retry-After": { "$ref": "#/components/headers/RetryAfter" },
                    "RateLimit-Reset": { "$ref": "#/components/headers/RateLimitReset" },
                },
            }},
            "schemas": {
                "Run": { "type": "object", "required": ["id", "status"], "properties": {
                    "id": { "type": "string" },
                    "status": { "type": "string" },
                    "snapshotContent": { "type": "string", "nullable": true, "description": "d" },
                    "snapshotBlocks": { "type": "array" },
                }},
                "StreamlitApp": { "type": "object" },
            },
        },
    });
    let report = changes(&before, &after).lines();
    assert_eq!(
        report,
        [
            "  operations added: createStreamlitApp",
            "  operations changed (2):",
            "    getBlock: evidence client-branch -> client; 429 headers +RateLimit-Reset +Retry-After",
            "    getProject: tags +Apps; responses +404 +429 (headers RateLimit-Reset, Retry-After); \
             200 description; parameters +query fields",
            "  tags added: Apps",
            "  schemas added: StreamlitApp",
            "  schemas removed: Old",
            "  schemas changed (1):",
            "    Run: fields +snapshotBlocks, +status, ~snapshotContent (description, nullable); \
             required +status",
            "  shared responses changed: RateLimited (headers +RateLimit-Reset +Retry-After)",
            "  shared headers added: RateLimitReset, RetryAfter",
        ],
        "{report:#?}"
    );
    // Nothing changed, nothing said.
    assert!(changes(&after, &after).lines().is_empty());
}
