//! The spec validator itself: it accepts what the spec allows and rejects drift.

use crate::common;

use common::validate;
use reqwest::Method;

const JSON: Option<&str> = Some("application/json");

#[test]
fn accepts_a_conforming_answer() {
    validate(
        &Method::GET,
        "/v2/projects/6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11",
        200,
        JSON,
        br#"{"id":"x","name":"n","projectType":"standard"}"#,
    );
    validate(
        &Method::GET,
        "/v2/runs/6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11",
        200,
        JSON,
        br#"{"run":{"runId":"6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11","status":"error","error":{"message":"m"},"snapshot":{"downloadUrl":"u"}}}"#,
    );
    validate(&Method::DELETE, "/v2/projects/p", 204, None, b"");
}

#[test]
#[should_panic(expected = "breaks the spec")]
fn rejects_a_wrong_field_type() {
    validate(&Method::GET, "/v2/projects/p", 200, JSON, br#"{"id":1}"#);
}

#[test]
#[should_panic(expected = "breaks the spec")]
fn rejects_an_unknown_status_value() {
    validate(
        &Method::POST,
        "/v2/runs",
        202,
        JSON,
        br#"{"runId":"6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11","status":"queued"}"#,
    );
}

#[test]
#[should_panic(expected = "breaks the spec")]
fn rejects_a_malformed_uuid() {
    validate(&Method::POST, "/v2/runs", 202, JSON, br#"{"runId":"nope"}"#);
}

#[test]
#[should_panic(expected = "is not documented")]
fn rejects_an_undocumented_status() {
    validate(&Method::POST, "/v2/projects", 201, JSON, br#"{}"#);
}

#[test]
#[should_panic(expected = "does not document")]
fn rejects_a_body_on_a_bodiless_answer() {
    validate(&Method::DELETE, "/v2/projects/p", 204, None, b"{}");
}

#[test]
#[should_panic(expected = "content type")]
fn rejects_a_non_json_error() {
    validate(&Method::GET, "/v2/me", 401, Some("text/plain"), b"nope");
}

fn live(method: Method, path: &str, status: u16, body: &[u8]) {
    common::validate_in(
        common::Dialect::Live,
        &method,
        path,
        status,
        JSON,
        body,
        false,
    );
}

#[test]
fn the_live_reference_takes_nulls_where_it_says_nullable() {
    live(
        Method::GET,
        "/v2/runs/6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11",
        200,
        br#"{"run":{"runId":"0b6c2f4e-2d0b-4b47-9a53-2f6f5b1f0c22","status":"running","completedAt":null,"error":null,"snapshotContent":null,"snapshotDownloadUrl":null}}"#,
    );
    live(
        Method::GET,
        "/v2/projects",
        200,
        br#"{"projects":[],"pagination":{"nextPageToken":null,"hasMore":false,"pageSize":50}}"#,
    );
    live(
        Method::POST,
        "/v2/projects",
        201,
        br#"{"project":{"id":"p"}}"#,
    );
}

#[test]
#[should_panic(expected = "breaks the spec")]
fn the_live_reference_wants_the_project_envelope() {
    live(
        Method::GET,
        "/v2/projects/6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11",
        200,
        br#"{"id":"x","name":"n","projectType":"standard"}"#,
    );
}

#[test]
#[should_panic(expected = "breaks the spec")]
fn the_live_reference_wants_a_next_page_token() {
    live(
        Method::GET,
        "/v2/projects",
        200,
        br#"{"projects":[],"pagination":{}}"#,
    );
}

#[test]
#[should_panic(expected = "breaks the spec")]
fn the_live_reference_refuses_a_null_where_not_nullable() {
    live(
        Method::GET,
        "/v2/runs/6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11",
        200,
        br#"{"run":{"runId":"0b6c2f4e-2d0b-4b47-9a53-2f6f5b1f0c22","status":null}}"#,
    );
}

#[test]
#[should_panic(expected = "is not documented")]
fn the_live_reference_has_no_200_for_creates() {
    live(
        Method::POST,
        "/v2/projects",
        200,
        br#"{"project":{"id":"p"}}"#,
    );
}

#[test]
#[should_panic(expected = "breaks the spec")]
fn alternates_are_refused_unless_asked_for() {
    live(
        Method::POST,
        "/v2/runs",
        202,
        br#"{"run":{"id":"0b6c2f4e-2d0b-4b47-9a53-2f6f5b1f0c22","status":"pending"}}"#,
    );
}

#[test]
fn alternates_are_judged_by_the_run_schema() {
    common::validate_in(
        common::Dialect::Live,
        &Method::POST,
        "/v2/runs",
        202,
        JSON,
        br#"{"run":{"id":"0b6c2f4e-2d0b-4b47-9a53-2f6f5b1f0c22","status":"pending","createdAt":"2026-01-01T00:00:00.000Z"}}"#,
        true,
    );
}
