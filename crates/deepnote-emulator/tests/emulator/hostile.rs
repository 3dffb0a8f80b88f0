//! Hostile requests: arbitrary bodies, query strings, path segments and headers, sent with a
//! valid key to every route. The emulator answers a success or a 4xx, never a 5xx, and a 4xx
//! never changes its state. In both dialects.

use crate::common;

use common::*;
use deepnote_test_support::Harness;
use proptest::prelude::*;
use reqwest::Method;
use serde_json::Value;
use std::sync::{Mutex, OnceLock};

struct World {
    base: String,
    http: reqwest::Client,
    /// The real project, notebook and run; made again when a case deleted them.
    ids: Mutex<[String; 3]>,
    /// Held so the emulator lives as long as the test binary.
    _emu: deepnote_emulator::Emulator,
    dialect: Dialect,
}

fn world(dialect: Dialect) -> &'static Harness<World> {
    static SPEC: OnceLock<Harness<World>> = OnceLock::new();
    static LIVE: OnceLock<Harness<World>> = OnceLock::new();
    let cell = match dialect {
        Dialect::Spec => &SPEC,
        Dialect::Live => &LIVE,
    };
    cell.get_or_init(|| {
        Harness::start(2, || async {
            let emu = builder().dialect(dialect).start().await.unwrap();
            let ids = fresh(&Api::new(&emu, ADMIN)).await;
            World {
                base: emu.base_url().to_string(),
                http: reqwest::Client::builder().no_proxy().build().unwrap(),
                ids: Mutex::new(ids),
                _emu: emu,
                dialect,
            }
        })
    })
}

async fn fresh(api: &Api) -> [String; 3] {
    let project = api.project("P").await;
    let notebook = api.notebook(&project).await;
    let run = api.run(&notebook).await;
    [project, notebook, run]
}

/// Every route; `{p}`, `{n}` and `{r}` are filled with a real ID or a hostile segment.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/v2/me"),
    ("GET", "/v2/projects"),
    ("POST", "/v2/projects"),
    ("GET", "/v2/projects/{p}"),
    ("DELETE", "/v2/projects/{p}"),
    ("POST", "/v2/notebooks"),
    ("GET", "/v2/notebooks/{n}"),
    ("DELETE", "/v2/notebooks/{n}"),
    ("GET", "/v2/notebooks/{n}/runs"),
    ("POST", "/v2/runs"),
    ("GET", "/v2/runs/{r}"),
    ("POST", "/v1/projects/{p}/notebooks/{n}/execute"),
    // Methods the routes do not serve.
    ("PUT", "/v2/projects/{p}"),
    ("PATCH", "/v2/runs/{r}"),
];

fn encode_segment(raw: &str) -> String {
    let mut out = String::new();
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A segment: the real one, or something hostile (raw or encoded).
fn segment() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        3 => Just(None),
        1 => any::<String>().prop_map(|s| Some(encode_segment(&s))),
        1 => "[a-zA-Z0-9._~-]{0,60}".prop_map(Some),
        1 => prop_oneof![
            Just("..".to_string()),
            Just("%2e%2e%2fprojects".to_string()),
            Just("00000000-0000-4000-8000-000000000000".to_string()),
            Just("%00".to_string()),
            Just("%FF%FE".to_string()),
        ]
        .prop_map(Some),
    ]
}

/// A body: nothing, arbitrary bytes, or a plausible JSON body with hostile values.
fn body() -> impl Strategy<Value = Option<Vec<u8>>> {
    let json_value = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::from),
        prop::collection::vec(any::<String>(), 0..4).prop_map(Value::from),
    ];
    let field = prop_oneof![
        Just("name"),
        Just("projectId"),
        Just("notebookId"),
        Just("inputs"),
        Just("blockIds"),
        Just("runDependentBlocks"),
        Just("detached"),
        Just("detachedStorage"),
        Just("projectType"),
        Just("folderId"),
        Just("unknown"),
    ];
    prop_oneof![
        1 => Just(None),
        2 => prop::collection::vec(any::<u8>(), 0..300).prop_map(Some),
        3 => prop::collection::btree_map(field, json_value, 0..5).prop_map(|m| {
            let obj: serde_json::Map<String, Value> =
                m.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            Some(Value::Object(obj).to_string().into_bytes())
        }),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        Just("content-type"),
        Just("accept"),
        Just("accept-encoding"),
        Just("x-forwarded-for"),
        Just("x-request-id"),
        Just("api-version"),
        Just("cookie"),
        Just("if-none-match"),
        Just("range"),
    ];
    prop::collection::vec((name.prop_map(str::to_string), "[ -~]{0,60}"), 0..4)
}

#[derive(Debug, Clone)]
struct Hostile {
    route: usize,
    segments: [Option<String>; 3],
    query: Option<String>,
    body: Option<Vec<u8>>,
    headers: Vec<(String, String)>,
}

fn hostile() -> impl Strategy<Value = Hostile> {
    (
        0..ROUTES.len(),
        proptest::array::uniform3(segment()),
        prop::option::of("[ -~]{0,80}"),
        body(),
        headers(),
    )
        .prop_map(|(route, segments, query, body, headers)| Hostile {
            route,
            segments,
            query,
            body,
            headers,
        })
}

async fn counts(w: &World) -> Value {
    w.http
        .get(format!("{}/_emulator/state", w.base))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .map(|s| serde_json::json!([s["projects"], s["notebooks"], s["runs"]]))
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hostile_requests_get_a_4xx_or_a_success_and_a_4xx_changes_nothing(h in hostile()) {
        prop_assume!(check(world(Dialect::Spec), &h).is_some());
    }

    #[test]
    fn hostile_requests_to_the_live_dialect_too(h in hostile()) {
        prop_assume!(check(world(Dialect::Live), &h).is_some());
    }
}

fn check(w: &Harness<World>, h: &Hostile) -> Option<u16> {
    let (method, template) = ROUTES[h.route];
    let ids = w.ids.lock().unwrap().clone();
    let fill = |i: usize| h.segments[i].clone().unwrap_or_else(|| ids[i].clone());
    let mut path = template
        .replace("{p}", &fill(0))
        .replace("{n}", &fill(1))
        .replace("{r}", &fill(2));
    if let Some(q) = &h.query {
        // Spaces and `#` would end the URL; everything else goes as it is.
        path.push('?');
        path.push_str(&q.replace(' ', "%20").replace('#', "%23"));
    }
    let url = format!("{}{}", w.base, path);
    w.rt.block_on(async {
        let before = counts(w).await;
        let mut req = w
            .http
            .request(Method::from_bytes(method.as_bytes()).unwrap(), &url)
            .bearer_auth(ADMIN);
        for (k, v) in &h.headers {
            if let Ok(v) = reqwest::header::HeaderValue::from_str(v) {
                req = req.header(k.as_str(), v);
            }
        }
        if let Some(b) = &h.body {
            req = req.body(b.clone());
        }
        let resp = match req.send().await {
            Ok(r) => r,
            // A request the client itself will not send (an unparsable URL) proves nothing.
            Err(e) if e.is_builder() => return None,
            Err(e) => panic!("{method} {url}: {e}"),
        };
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        assert!(
            status < 500,
            "{method} {url} {:?}: {status} {text}",
            h.body.as_deref().map(String::from_utf8_lossy)
        );
        if status >= 400 {
            assert_eq!(
                counts(w).await,
                before,
                "{method} {url}: a {status} changed the state"
            );
        }
        if method == "DELETE" && status < 300 {
            let api = Api::at_in(w.dialect, &w.base, Some(ADMIN));
            *w.ids.lock().unwrap() = fresh(&api).await;
        }
        Some(status)
    })
}
