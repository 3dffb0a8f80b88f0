//! The spec validator itself: it accepts what the spec allows and rejects drift.

mod common;

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
