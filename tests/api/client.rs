//! The hand-written hooks around the generated client, against a scripted loopback server:
//! auth, bases, headers, retries, and the one error type; one call under another retry policy
//! than its client's (`with_retry_policy`), and requests outside the spec sent with the
//! client's care (`send_request`).

use deepnote_api::{
    ApiErrorExt, ApiKey, BaseUrls, BuildError, Client, ClientBuilder, RetryPolicy,
    with_retry_policy,
};
use deepnote_test_support::{Reply, Stub};
use serde_json::json;
use std::time::Duration;

const KEY: &str = "dn-test-key-4f9a0c";

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
        .with_max_elapsed(Duration::from_secs(5))
}

fn client(stub: &Stub) -> Client {
    client_with(stub, fast_retries())
}

fn client_with(stub: &Stub, retry: RetryPolicy) -> Client {
    ClientBuilder::new(ApiKey::new(KEY).unwrap())
        .base_url(&stub.url())
        .retry_policy(retry)
        .build()
        .unwrap()
}

fn project() -> Reply {
    Reply::json(
        200,
        json!({"id": "00000000-0000-4000-8000-0000000000a1", "name": "P", "projectType": "standard"}),
    )
}

#[tokio::test]
async fn sends_bearer_auth_to_v2_and_no_api_version_header() {
    let stub = Stub::start(vec![project()]).await;
    let p = client(&stub)
        .get_project()
        .project_id("00000000-0000-4000-8000-0000000000a1")
        .send()
        .await
        .unwrap();
    assert_eq!(p.project.name.as_deref(), Some("P"));
    let seen = stub.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].path,
        "/v2/projects/00000000-0000-4000-8000-0000000000a1"
    );
    assert_eq!(
        seen[0].headers["authorization"],
        format!("Bearer {KEY}").as_str()
    );
    assert!(
        seen[0].headers.get("api-version").is_none(),
        "stray api-version header"
    );
}

#[tokio::test]
async fn execute_goes_to_v1_whichever_base_is_given() {
    for suffix in ["", "/", "/v2", "/v2/"] {
        let stub = Stub::start(vec![Reply::Full(200, vec![], String::new())]).await;
        let client = ClientBuilder::new(ApiKey::new(KEY).unwrap())
            .base_url(&format!("{}{suffix}", stub.url()))
            .build()
            .unwrap();
        client
            .execute_notebook_v1()
            .project_id("00000000-0000-4000-8000-0000000000a2")
            .notebook_id("n")
            .send()
            .await
            .unwrap();
        assert_eq!(
            stub.seen()[0].path,
            "/v1/projects/00000000-0000-4000-8000-0000000000a2/notebooks/n/execute",
            "base {suffix:?}"
        );
    }
}

#[tokio::test]
async fn exact_bases_are_used_as_given() {
    let stub = Stub::start(vec![project(), Reply::Full(200, vec![], String::new())]).await;
    let root = stub.url();
    let client = ClientBuilder::new(ApiKey::new(KEY).unwrap())
        .base_urls(BaseUrls::exact(&root, &format!("{root}/legacy")).unwrap())
        .build()
        .unwrap();
    client
        .get_project()
        .project_id("00000000-0000-4000-8000-0000000000a2")
        .send()
        .await
        .unwrap();
    client
        .execute_notebook_v1()
        .project_id("00000000-0000-4000-8000-0000000000a2")
        .notebook_id("n")
        .send()
        .await
        .unwrap();
    let paths: Vec<_> = stub.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(
        paths,
        [
            "/projects/00000000-0000-4000-8000-0000000000a2",
            "/legacy/projects/00000000-0000-4000-8000-0000000000a2/notebooks/n/execute"
        ]
    );
}

#[tokio::test]
async fn get_retries_429_with_a_non_json_body_honouring_retry_after() {
    let stub = Stub::start(vec![
        Reply::Full(429, vec![("retry-after", "0".into())], "slow down".into()),
        Reply::Full(
            503,
            vec![("content-type", "text/html".into())],
            "<html>busy</html>".into(),
        ),
        project(),
    ])
    .await;
    let p = client(&stub)
        .get_project()
        .project_id("00000000-0000-4000-8000-0000000000a1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        p.project.id.as_deref(),
        Some("00000000-0000-4000-8000-0000000000a1")
    );
    assert_eq!(stub.seen().len(), 3);
}

#[tokio::test]
async fn get_retries_a_body_cut_off_mid_way() {
    let body =
        json!({"id": "00000000-0000-4000-8000-0000000000a1", "name": "a long enough name to cut"})
            .to_string();
    let stub = Stub::start(vec![Reply::CutOff(200, body), project()]).await;
    let p = client(&stub)
        .get_project()
        .project_id("00000000-0000-4000-8000-0000000000a1")
        .send()
        .await
        .unwrap();
    assert_eq!(p.project.name.as_deref(), Some("P"));
    assert_eq!(stub.seen().len(), 2);
}

#[tokio::test]
async fn post_is_not_retried_on_503_but_is_on_429() {
    let stub = Stub::start(vec![Reply::json(503, json!({"message": "down"}))]).await;
    let err = client(&stub)
        .create_project()
        .body_map(|b| b.name("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.message(), Some("down"));
    assert_eq!(
        stub.seen().len(),
        1,
        "a POST that may have reached the server is not repeated"
    );

    let stub = Stub::start(vec![
        Reply::Full(429, vec![("retry-after", "0".into())], String::new()),
        project(),
    ])
    .await;
    client(&stub)
        .create_project()
        .body_map(|b| b.name("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(stub.seen().len(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_read_in_each_form() {
    // Ten minutes ahead, longer than max_elapsed: not waited, but kept on the error.
    let later = chrono::DateTime::<chrono::Utc>::from(
        std::time::SystemTime::now() + Duration::from_secs(600),
    );
    let forms = [
        later.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        later.format("%A, %d-%b-%y %H:%M:%S GMT").to_string(),
        later.format("%a %b %e %H:%M:%S %Y").to_string(),
    ];
    for form in forms {
        let stub = Stub::start(vec![Reply::Full(
            429,
            vec![("retry-after", form.clone())],
            "slow down".into(),
        )])
        .await;
        let err = client(&stub).list_projects().send().await.unwrap_err();
        let wait = err.retry_after().unwrap_or_else(|| panic!("{form:?}"));
        assert!(
            wait > Duration::from_secs(500) && wait <= Duration::from_secs(600),
            "{form:?}: {wait:?}"
        );
        assert_eq!(stub.seen().len(), 1, "{form:?}");
    }
}

#[tokio::test]
async fn errors_keep_status_message_and_retry_after_for_every_body_shape() {
    // listProjects declares no error response upstream; the overlay gives it one.
    let stub = Stub::start(vec![
        Reply::Full(
            429,
            vec![("retry-after", "120".into())],
            "<h1>Too Many</h1>".into(),
        ),
        Reply::json(404, json!({"message": "no such project"})),
        Reply::Full(418, vec![], "teapot".into()),
    ])
    .await;
    let err = client(&stub).list_projects().send().await.unwrap_err();
    assert_eq!(err.http_status().unwrap().as_u16(), 429);
    assert_eq!(
        err.retry_after(),
        Some(Duration::from_secs(120)),
        "longer than max_elapsed: not waited"
    );
    assert_eq!(err.message(), Some("HTTP 429 Too Many Requests"));
    // That client now waits two minutes before any request: the others go on another.
    let client = client(&stub);
    let err = client
        .get_project()
        .project_id("00000000-0000-4000-8000-0000000000a2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (err.http_status().unwrap().as_u16(), err.message()),
        (404, Some("no such project"))
    );
    let err = client
        .get_notebook()
        .notebook_id("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.http_status().unwrap().as_u16(), 418);
    assert_eq!(err.message(), Some("HTTP 418 I'm a teapot: teapot"));
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let replies = (0..10)
        .map(|_| Reply::json(502, json!({"message": "bad gateway"})))
        .collect();
    let stub = Stub::start(replies).await;
    let err = client(&stub).get_me().send().await.unwrap_err();
    assert_eq!(err.http_status().unwrap().as_u16(), 502);
    assert_eq!(stub.seen().len(), 4);
}

#[tokio::test]
async fn connection_refused_is_a_communication_error_after_retries() {
    let (listener, url) = deepnote_test_support::loopback::bind_std();
    drop(listener);
    let client = ClientBuilder::new(ApiKey::new(KEY).unwrap())
        .base_url(&url)
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let err = client
        .create_run()
        .body_map(|b| b.notebook_id("n"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, deepnote_api::Error::CommunicationError(_)),
        "{err:?}"
    );
    assert!(!format!("{err:?} {err}").contains(KEY));
}

#[test]
fn the_key_never_shows_and_bad_keys_are_refused() {
    let key = ApiKey::new(format!("  {KEY}\n")).unwrap();
    assert_eq!(key.expose_secret(), KEY);
    assert_eq!(format!("{key:?}"), "ApiKey(***)");
    let builder = ClientBuilder::new(key.clone());
    assert!(!format!("{builder:?}").contains(KEY));
    let client = builder
        .base_url("https://api.deepnote.com")
        .build()
        .unwrap();
    assert!(!format!("{client:?}").contains(KEY), "{client:?}");
    assert!(ApiKey::new("  ").is_err());
    assert!(ApiKey::new("bad key").is_err());
    assert!(ApiKey::new("naïve").is_err());
}

#[test]
fn plain_http_to_another_host_needs_an_opt_in() {
    let key = || ApiKey::new(KEY).unwrap();
    let err = ClientBuilder::new(key())
        .base_url("http://api.example.com")
        .build()
        .unwrap_err();
    assert!(matches!(err, BuildError::InsecureHttp));
    for ok in [
        "http://127.0.0.1:9",
        "http://localhost:9/v2",
        "http://[::1]:9",
        "https://x.example",
    ] {
        ClientBuilder::new(key())
            .base_url(ok)
            .build()
            .unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    ClientBuilder::new(key())
        .base_url("http://api.example.com")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    for bad in ["api.deepnote.com", "ftp://x", "https://x/v2?a=b", ""] {
        let err = ClientBuilder::new(key()).base_url(bad).build().unwrap_err();
        assert!(matches!(err, BuildError::BaseUrl(_)), "{bad}: {err}");
    }
}

fn refused() -> Reply {
    Reply::Full(429, vec![("retry-after", "0".into())], "slow down".into())
}

fn unavailable() -> Reply {
    Reply::json(503, json!({"message": "busy"}))
}

fn started() -> Reply {
    Reply::json(
        200,
        json!({"runId": "00000000-0000-4000-8000-0000000000c1", "status": "pending"}),
    )
}

fn me() -> Reply {
    Reply::json(200, json!({"accessLevel": "admin"}))
}

async fn create(client: &Client) -> Result<(), deepnote_api::ApiError> {
    client
        .create_run()
        .body_map(|b| b.notebook_id("n"))
        .send()
        .await
        .map(|_| ())
}

#[tokio::test]
async fn a_create_under_no_retries_is_sent_once() {
    // The client's own policy repeats a refused (429) create: the server did nothing.
    let stub = Stub::start(vec![refused(), started()]).await;
    create(&client_with(&stub, fast_retries())).await.unwrap();
    assert_eq!(stub.seen().len(), 2);

    // Under the override, neither a 429 nor a 503 is repeated.
    let stub = Stub::start(vec![refused(), unavailable(), started()]).await;
    let c = client_with(&stub, fast_retries());
    let e = with_retry_policy(RetryPolicy::none(), create(&c))
        .await
        .unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(429));
    let e = with_retry_policy(RetryPolicy::none(), create(&c))
        .await
        .unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(stub.seen().len(), 2, "each create sent once");
}

#[tokio::test]
async fn a_get_is_retried_outside_the_override() {
    let stub = Stub::start(vec![unavailable(), unavailable(), unavailable(), me()]).await;
    let c = client_with(&stub, fast_retries());
    let e = with_retry_policy(RetryPolicy::none(), c.get_me().send())
        .await
        .unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(stub.seen().len(), 1, "not retried under the override");
    // The override ended with its call: the client's own policy retries the next GET.
    c.get_me().send().await.unwrap();
    assert_eq!(stub.seen().len(), 4);
}

#[tokio::test]
async fn an_override_may_retry_where_the_client_would_not() {
    let stub = Stub::start(vec![unavailable(), unavailable(), me()]).await;
    let c = client_with(&stub, RetryPolicy::none());
    assert_eq!(c.retry_policy().max_attempts(), 1);
    let me = with_retry_policy(fast_retries(), c.get_me().send())
        .await
        .unwrap();
    assert!(me.access_level.is_some());
    assert_eq!(stub.seen().len(), 3);
}

#[tokio::test]
async fn send_request_retries_and_shapes_errors_without_adding_the_key() {
    let stub = Stub::start(vec![
        unavailable(),
        Reply::Full(200, vec![], "snapshot text".into()),
        Reply::Full(404, vec![], "gone".into()),
        Reply::Full(429, vec![("retry-after", "600".into())], "".into()),
        unavailable(),
    ])
    .await;
    let c = client_with(&stub, fast_retries());
    let get = |path: &str| {
        let url = reqwest::Url::parse(&format!("{}{path}", stub.url())).unwrap();
        reqwest::Request::new(reqwest::Method::GET, url)
    };
    let ok = c.send_request(get("/files/a")).await.unwrap();
    assert_eq!(ok.text().await.unwrap(), "snapshot text");
    let seen = stub.seen();
    assert_eq!(seen.len(), 2, "the 503 was retried");
    assert_eq!(seen[1].path, "/files/a", "no base is applied");
    assert!(seen[1].headers.get("authorization").is_none(), "no key");

    let e = c.send_request(get("/files/b")).await.unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(404));
    assert_eq!(e.message(), Some("HTTP 404 Not Found: gone"));

    // Longer than max_elapsed: not waited, and kept on the error.
    let e = c.send_request(get("/files/c")).await.unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(429));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(600)));

    let e = with_retry_policy(RetryPolicy::none(), c.send_request(get("/files/d")))
        .await
        .unwrap_err();
    assert_eq!(e.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(stub.seen().len(), 5, "each answered once");
}

#[test]
fn a_builder_without_a_key_says_so() {
    let e = ClientBuilder::default().build().unwrap_err();
    assert!(matches!(e, deepnote_api::BuildError::NoApiKey), "{e:?}");
    let c = ClientBuilder::default()
        .base_url("http://127.0.0.1:1")
        .api_key(ApiKey::new(KEY).unwrap())
        .build()
        .unwrap();
    assert_eq!(c.base_urls().v2(), "http://127.0.0.1:1/v2");
    assert_eq!(c.retry_policy(), &RetryPolicy::default());
}
