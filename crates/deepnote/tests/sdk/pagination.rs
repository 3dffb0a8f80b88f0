//! Lists across many pages: inserts and deletes between pages, prefetching, and servers that
//! repeat page tokens.

use crate::common;

use axum::extract::Query;
use axum::routing::get;
use axum::{Json, Router};
use deepnote::{Error, ProjectId, StreamExt, TryStreamExt};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

async fn create_projects(client: &deepnote::Client, prefix: &str, n: usize) -> Vec<ProjectId> {
    futures_util::stream::iter(0..n)
        .map(|i| {
            let client = client.clone();
            let name = format!("{prefix}-{i:05}");
            async move { client.projects().create(name).await.unwrap().id }
        })
        .buffer_unordered(16)
        .collect()
        .await
}

#[tokio::test]
async fn thousands_of_projects_stream_exactly_once_with_inserts_between_pages() {
    let (_emu, client) = common::sample().await;
    let before: HashSet<ProjectId> = create_projects(&client, "bulk", 2500)
        .await
        .into_iter()
        .collect();
    let existing: HashSet<ProjectId> = client
        .projects()
        .list()
        .page_size(100)
        .stream()
        .map_ok(|p| p.id)
        .try_collect()
        .await
        .unwrap();
    assert!(existing.is_superset(&before));

    let mut pages = client.projects().list().page_size(37).pages();
    let (mut seen, mut inserted, mut page_count) = (HashMap::new(), HashSet::new(), 0);
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        page_count += 1;
        assert!(page.items.len() <= 37);
        for p in page.items {
            *seen.entry(p.id).or_insert(0) += 1;
        }
        // Someone else adds projects while we page.
        if page_count % 10 == 0 {
            inserted.extend(create_projects(&client, "late", 3).await);
        }
    }
    assert!(seen.values().all(|&n| n == 1), "a project came twice");
    for id in &existing {
        assert!(seen.contains_key(id), "{id} was missed");
    }
    // Projects added while paging land after the cursor, so they are seen too.
    for id in &inserted {
        assert!(seen.contains_key(id), "late {id} was missed");
    }
    assert_eq!(seen.len(), existing.len() + inserted.len());
    assert!(page_count >= 2500 / 37);
}

#[tokio::test]
async fn deleted_projects_between_pages_do_not_break_the_list() {
    let (_emu, client) = common::sample().await;
    let ids = create_projects(&client, "del", 300).await;
    let mut pages = client.projects().list().page_size(50).pages();
    let first = pages.next().await.unwrap().unwrap();
    // Delete some that are still ahead of the cursor.
    let first_ids: HashSet<_> = first.items.iter().map(|p| p.id.clone()).collect();
    let doomed: Vec<_> = ids
        .iter()
        .filter(|id| !first_ids.contains(*id))
        .take(40)
        .cloned()
        .collect();
    for id in &doomed {
        client.projects().delete(id).await.unwrap();
    }
    let mut rest = HashSet::new();
    while let Some(page) = pages.next().await {
        for p in page.unwrap().items {
            assert!(rest.insert(p.id.clone()), "{} twice", p.id);
        }
    }
    // The page already fetched ahead may still show a deleted project; none comes twice, and
    // everything not deleted is there.
    for id in ids
        .iter()
        .filter(|id| !doomed.contains(id) && !first_ids.contains(*id))
    {
        assert!(rest.contains(id), "{id} missed");
    }
}

#[tokio::test]
async fn the_next_page_is_fetched_while_the_caller_works() {
    let (emu, client) = common::sample().await;
    create_projects(&client, "pre", 30).await;
    emu.clear_journal();
    let mut pages = client.projects().list().page_size(10).pages();
    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(first.items.len(), 10);
    // Without polling the stream again, the second page is requested.
    let mut asked = 0;
    for _ in 0..500 {
        asked = common::requests(&emu, "GET", "/v2/projects").len();
        if asked >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(asked, 2, "the next page was not prefetched");
    // ...but not the one after it: at most two pages are held.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(common::requests(&emu, "GET", "/v2/projects").len(), 2);
    drop(pages);
}

/// A server whose page tokens run in a circle after `tail` pages: t0 -> t1 -> ... -> back.
fn looping_server(cycle: usize) -> Router {
    Router::new().route(
        "/v2/projects",
        get(move |Query(q): Query<HashMap<String, String>>| async move {
            let at: usize = q
                .get("pageToken")
                .and_then(|t| t.strip_prefix('t'))
                .and_then(|n| n.parse().ok())
                .map_or(0, |n: usize| n + 1);
            let next = format!("t{}", at % cycle);
            Json(json!({
                "projects": [{"id": format!("p{at}"), "name": "x"}],
                "pagination": {"nextPageToken": next}
            }))
        }),
    )
}

#[tokio::test]
async fn a_repeated_page_token_ends_the_stream_with_an_error() {
    for cycle in [1, 2, 7] {
        let base = common::stub(looping_server(cycle)).await;
        let client = common::stub_client(&base);
        let items: Vec<_> = client.projects().list().stream().take(1000).collect().await;
        let last = items.last().unwrap();
        assert!(
            matches!(last, Err(Error::Decode(m)) if m.contains("repeated")),
            "{last:?}"
        );
        assert!(
            items.len() < 5 * cycle + 5,
            "cycle {cycle}: {} items",
            items.len()
        );
        assert!(items[..items.len() - 1].iter().all(Result::is_ok));
    }
}

#[tokio::test]
async fn an_empty_token_ends_the_list_and_odd_pages_are_errors_not_panics() {
    let app = Router::new()
        .route(
            "/v2/projects",
            get(|| async {
                Json(
                    json!({"projects": [{"id": "a"}, {"id": "b", "projectType": "brand-new"}],
                    "pagination": {"nextPageToken": ""}}),
                )
            }),
        )
        .route(
            "/v2/notebooks/{id}/runs",
            get(|| async { Json(json!({"runs": [{"status": "running"}]})) }),
        );
    let client = common::stub_client(&common::stub(app).await);
    let all: Vec<_> = client
        .projects()
        .list()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].name, "");
    assert_eq!(
        all[1].project_type,
        Some(deepnote::projects::ProjectType::Unknown("brand-new".into()))
    );
    // A run without an ID cannot be addressed: a decode error, not a panic.
    let runs: Vec<_> = client.runs().list("nb").stream().collect().await;
    assert!(
        matches!(runs.as_slice(), [Err(Error::Decode(_))]),
        "{runs:?}"
    );
}
