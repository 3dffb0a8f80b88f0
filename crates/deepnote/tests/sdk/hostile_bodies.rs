//! Arbitrary and mutated bytes as the answer to every call the SDK makes, including its
//! pagination, run waiter, snapshot fetch and `run_many`: each call returns a value or an
//! error, in bounded time, and never panics.

use crate::common;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Response, StatusCode};
use deepnote::{
    RunId, StreamExt,
    runs::{RunRequest, WaitPolicy},
};
use deepnote_test_support::Harness;
use proptest::prelude::*;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const RUN: &str = "67e55044-10b1-426f-9247-bb680e5fe0c8";
const NB: &str = "0c3f7a0e-7f0e-4b6e-9a59-5d1a2b3c4d5e";

/// What the stub answers to every request, whatever its path.
#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    json: bool,
    body: Vec<u8>,
}

struct World {
    client: deepnote::Client,
    answer: Arc<Mutex<Answer>>,
}

fn world() -> &'static Harness<World> {
    static WORLD: OnceLock<Harness<World>> = OnceLock::new();
    WORLD.get_or_init(|| {
        Harness::start(2, || async {
            let answer = Arc::new(Mutex::new(Answer {
                status: 200,
                json: true,
                body: b"{}".to_vec(),
            }));
            let app = Router::new()
                .fallback(|State(a): State<Arc<Mutex<Answer>>>| async move {
                    let a = a.lock().unwrap().clone();
                    let mut r = Response::builder().status(StatusCode::from_u16(a.status).unwrap());
                    if a.json {
                        r = r.header("content-type", "application/json");
                    }
                    r.body(Body::from(a.body)).unwrap()
                })
                .with_state(answer.clone());
            let base = common::stub(app).await;
            let client = common::stub_client(&base);
            World { client, answer }
        })
    })
}

/// Answers each operation could give when all is well; the strategy mutates them.
fn valid_bodies() -> Vec<String> {
    let project = format!(r#"{{"id":"{NB}","name":"p","projectType":"standard"}}"#);
    let run = format!(
        r#"{{"runId":"{RUN}","notebookId":"{NB}","status":"success","createdAt":"2026-11-25T10:00:00Z","finishedAt":"2026-11-25T10:00:01Z"}}"#
    );
    vec![
        r#"{"apiKey":{"id":"k"},"user":{"id":"u"},"workspace":{"id":"w","name":"W"},"accessLevel":"editor"}"#.into(),
        project.clone(),
        format!(r#"{{"projects":[{project},{project}],"pagination":{{"nextPageToken":"t1"}}}}"#),
        format!(r#"{{"notebook":{{"id":"{NB}","name":"n","projectId":"{NB}"}}}}"#),
        format!(r#"{{"run":{run}}}"#),
        format!(r#"{{"run":{{"runId":"{RUN}","status":"running"}}}}"#),
        format!(r#"{{"runs":[{run}],"pagination":{{}}}}"#),
        format!(r#"{{"runId":"{RUN}","status":"pending","createdAt":"2026-11-25T10:00:00Z"}}"#),
        format!(
            r#"{{"run":{{"runId":"{RUN}","status":"success","snapshot":{{"snapshotContent":"version: 1.0\nproject:\n  id: x\n  notebooks: []\n"}}}}}}"#
        ),
        r#"{"message":"nope"}"#.into(),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, String),
    Remove(usize, usize),
}

fn mutate(mut body: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = body.len().max(1);
        match m {
            Mutation::Truncate(at) => body.truncate(at % len),
            Mutation::Flip(at, bits) => {
                if !body.is_empty() {
                    let i = at % body.len();
                    body[i] ^= bits;
                }
            }
            Mutation::Insert(at, text) => {
                let i = at % (body.len() + 1);
                body.splice(i..i, text.bytes());
            }
            Mutation::Remove(at, n) => {
                let i = at % len;
                let end = (i + n).min(body.len());
                if i < end {
                    body.drain(i..end);
                }
            }
        }
    }
    body
}

fn answer() -> impl Strategy<Value = Answer> {
    let mutation = prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1..=255u8).prop_map(|(a, b)| Mutation::Flip(a, b)),
        (
            any::<usize>(),
            prop_oneof![
                Just("null".to_string()),
                Just("[".to_string()),
                Just("\"".to_string()),
                Just("1e999".to_string()),
                Just("\"error\"".to_string()),
                Just(",\"x\":{}".to_string()),
                any::<String>(),
            ]
        )
            .prop_map(|(a, s)| Mutation::Insert(a, s)),
        (any::<usize>(), 1..20usize).prop_map(|(a, n)| Mutation::Remove(a, n)),
    ];
    let n = valid_bodies().len();
    let body = prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..400),
        3 => (0..n, prop::collection::vec(mutation, 0..4))
            .prop_map(|(i, ms)| mutate(valid_bodies()[i].clone().into_bytes(), &ms)),
    ];
    let status = prop_oneof![
        6 => prop_oneof![Just(200u16), Just(202), Just(204)],
        1 => prop_oneof![Just(400u16), Just(401), Just(403), Just(404), Just(409), Just(418), Just(429)],
        1 => prop_oneof![Just(500u16), Just(502), Just(503), Just(504)],
    ];
    (status, any::<bool>(), body).prop_map(|(status, json, body)| Answer { status, json, body })
}

/// Every call, each ended by its own result: the test only needs each to return. They run
/// at once, as a program's tasks would: the stub gives each the same answer, and a case then
/// takes as long as its slowest call (a terminal run without a snapshot has the snapshot
/// fetch look again for 3.1 s) instead of the sum of them all.
async fn every_call(client: &deepnote::Client) {
    let id = RunId::parse(RUN).unwrap();
    let policy = WaitPolicy::default()
        .first_delay(Duration::from_millis(1))
        .deadline(Duration::from_millis(150));
    tokio::join!(
        async {
            let _ = client.me().get().await;
        },
        async {
            let _ = client.projects().get(NB).await;
        },
        async {
            let _ = client.projects().list().send().await;
        },
        async {
            // A list that repeats its page token forever must end with an error, not loop.
            let _: Vec<_> = client.projects().list().stream().take(50).collect().await;
        },
        async {
            let _ = client.projects().create("p").await;
        },
        async {
            let _ = client.projects().delete(NB).await;
        },
        async {
            let _ = client.notebooks().get(NB).await;
        },
        async {
            let _ = client.notebooks().create(NB).name("n").await;
        },
        async {
            let _ = client.notebooks().delete(NB).await;
        },
        async {
            let _: Vec<_> = client.runs().list(NB).stream().take(50).collect().await;
        },
        async {
            let _ = client.runs().create(NB).await;
        },
        async {
            let _ = client.runs().get(id).await;
        },
        async {
            let _ = client.runs().wait(id).policy(policy.clone()).await;
        },
        async {
            let _ = client.runs().snapshot(id).await;
        },
        async {
            let _ = client
                .runs()
                // One request: a batch's create that meets an unreadable answer reconciles and
                // tries again, which takes a second or so per request.
                .run_many([RunRequest::new(NB).input("x", 1)])
                .wait_policy(policy.clone())
                .give_up_after(Duration::from_millis(300))
                .collect()
                .await;
        },
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_answer_to_any_call_is_a_value_or_an_error(a in answer()) {
        let w = world();
        *w.answer.lock().unwrap() = a.clone();
        let done = w.rt.block_on(async {
            // Spawned, so a panic inside the SDK surfaces here as a JoinError with its message.
            let client = w.client.clone();
            let task = tokio::spawn(async move { every_call(&client).await });
            tokio::time::timeout(Duration::from_secs(60), task).await
        });
        let joined = done.unwrap_or_else(|_| panic!("calls hung on {a:?}"));
        if let Err(e) = joined {
            panic!("the SDK panicked on {:?}: {e}", a);
        }
    }
}

/// Found by the test above: a page of runs that names itself as the next page kept
/// `run_many`'s reconciliation listing for ever.
#[test]
fn answers_that_once_hung_a_call_end() {
    let w = world();
    for status in [200, 202] {
        for json in [false, true] {
            *w.answer.lock().unwrap() = Answer {
                status,
                json,
                body: valid_bodies()[2].clone().into_bytes(),
            };
            let client = w.client.clone();
            let done = w.rt.block_on(async {
                tokio::time::timeout(Duration::from_secs(30), every_call(&client)).await
            });
            assert!(done.is_ok(), "hung on status {status}");
        }
    }
}
