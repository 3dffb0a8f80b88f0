//! Pagination: stable order, no skip or repeat across concurrent inserts and deletes,
//! authenticated tokens, page-size bounds, and `nameContains`.

use crate::common;

use common::*;
use serde_json::Value;
use std::collections::HashSet;

fn ids(r: &Resp, list: &str, field: &str) -> Vec<String> {
    r.body[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[field].as_str().unwrap().to_string())
        .collect()
}

fn next(r: &Resp) -> Option<String> {
    r.body["pagination"]["nextPageToken"]
        .as_str()
        .map(str::to_string)
}

#[tokio::test]
async fn thousands_of_projects_with_inserts_and_deletes_between_pages() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    let mut created = Vec::new();
    for i in 0..2000 {
        created.push(api.project(&format!("p{i:04}")).await);
    }
    let mut seen = Vec::new();
    let mut deleted = HashSet::new();
    let mut token: Option<String> = None;
    let mut page_no = 0;
    loop {
        let path = match &token {
            Some(t) => format!("/v2/projects?pageSize=37&pageToken={t}"),
            None => "/v2/projects?pageSize=37".to_string(),
        };
        let r = api.get(&path).await;
        assert_eq!(r.status, 200);
        let page = ids(&r, "projects", "id");
        assert!(page.len() <= 37);
        seen.extend(page);
        // Between pages: add some, and delete some not yet seen and some already seen.
        api.project(&format!("late{page_no}")).await;
        let unseen = created[(seen.len() + 5).min(created.len() - 1)].clone();
        let already = seen[seen.len() / 2].clone();
        for id in [unseen, already] {
            if deleted.insert(id.clone()) {
                assert_eq!(api.delete(&format!("/v2/projects/{id}")).await.status, 204);
            }
        }
        page_no += 1;
        token = next(&r);
        if token.is_none() {
            break;
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "an item was repeated");
    // Every project that existed throughout was seen exactly once, in creation order.
    let survivors: Vec<&String> = created.iter().filter(|id| !deleted.contains(*id)).collect();
    let seen_created: Vec<&String> = seen.iter().filter(|id| created.contains(id)).collect();
    for s in &survivors {
        assert!(unique.contains(s), "project {s} was skipped");
    }
    let positions: Vec<usize> = seen_created
        .iter()
        .map(|id| created.iter().position(|c| c == *id).unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "order is not stable"
    );
    assert!(page_no > 50);
}

#[tokio::test]
async fn runs_paginate_newest_first_while_new_runs_arrive() {
    let (_emu, api, _project, nb) = editor_notebook(builder()).await;
    let mut created = Vec::new();
    for _ in 0..250 {
        created.push(api.run(&nb).await);
    }
    created.reverse();
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut path = format!("/v2/notebooks/{nb}/runs?pageSize=100");
        if let Some(t) = &token {
            path.push_str(&format!("&pageToken={t}"));
        }
        let r = api.get(&path).await;
        seen.extend(ids(&r, "runs", "runId"));
        api.run(&nb).await;
        token = next(&r);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, created);
}

#[tokio::test]
async fn tokens_are_authenticated_and_bound_to_their_query() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    for i in 0..5 {
        api.project(&format!("Alpha {i}")).await;
    }
    let r = api.get("/v2/projects?pageSize=2").await;
    let token = next(&r).unwrap();
    assert_eq!(
        api.get(&format!("/v2/projects?pageSize=2&pageToken={token}"))
            .await
            .status,
        200
    );

    let mut forged = token.clone().into_bytes();
    forged[3] = if forged[3] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    for bad in [
        forged.as_str(),
        "",
        "AAAA",
        "%00%01",
        "0000000000000001",
        &"f".repeat(48),
    ] {
        let r = api.get(&format!("/v2/projects?pageToken={bad}")).await;
        if bad.is_empty() {
            assert_eq!(r.status, 200, "an empty token is the first page");
        } else {
            assert_eq!(r.status, 400, "token {bad}");
            assert!(r.message().contains("pageToken"));
        }
    }
    // Bound to the filter, the workspace and the list.
    let r = api
        .get(&format!(
            "/v2/projects?nameContains=alpha&pageToken={token}"
        ))
        .await;
    assert_eq!(r.status, 400);
    let r = api
        .with_key(OTHER)
        .get(&format!("/v2/projects?pageToken={token}"))
        .await;
    assert_eq!(r.status, 400);
    let nb = api
        .notebook(&ids(&api.get("/v2/projects").await, "projects", "id")[0])
        .await;
    let r = api
        .get(&format!("/v2/notebooks/{nb}/runs?pageToken={token}"))
        .await;
    assert_eq!(r.status, 400);
    // Stale after a reset.
    emu.reset();
    assert_eq!(
        api.get(&format!("/v2/projects?pageToken={token}"))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn page_size_bounds_and_default() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    for i in 0..130 {
        api.project(&format!("p{i}")).await;
    }
    for bad in ["0", "101", "-1", "1.5", "x", ""] {
        let r = api.get(&format!("/v2/projects?pageSize={bad}")).await;
        assert_eq!(r.status, 400, "pageSize={bad}");
        assert!(r.message().contains("pageSize"));
    }
    let r = api.get("/v2/projects").await;
    assert_eq!(
        ids(&r, "projects", "id").len(),
        deepnote_emulator::DEFAULT_PAGE_SIZE
    );
    let r = api.get("/v2/projects?pageSize=100").await;
    assert_eq!(ids(&r, "projects", "id").len(), 100);
    let r = api.get("/v2/projects?pageSize=1").await;
    assert_eq!(ids(&r, "projects", "id").len(), 1);
    assert!(next(&r).is_some());
}

#[tokio::test]
async fn name_contains_is_case_insensitive() {
    let emu = emulator().await;
    let api = Api::new(&emu, ADMIN);
    for name in [
        "Sales Report",
        "SALES forecast",
        "marketing",
        "Wholesale",
        "Ünïcode SALES",
    ] {
        api.project(name).await;
    }
    let names = |r: Resp| -> Vec<String> {
        r.body["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p: &Value| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    let r = api.get("/v2/projects?nameContains=sAlE").await;
    assert_eq!(
        names(r),
        [
            "Sales Report",
            "SALES forecast",
            "Wholesale",
            "Ünïcode SALES"
        ]
    );
    assert_eq!(
        names(api.get("/v2/projects?nameContains=%C3%BCN").await),
        ["Ünïcode SALES"]
    );
    assert!(names(api.get("/v2/projects?nameContains=zzz").await).is_empty());
    // Filtered pages paginate too.
    let r = api.get("/v2/projects?nameContains=sales&pageSize=1").await;
    let t = next(&r).unwrap();
    let r2 = api
        .get(&format!(
            "/v2/projects?nameContains=sales&pageSize=1&pageToken={t}"
        ))
        .await;
    assert_eq!(names(r2), ["SALES forecast"]);
}
