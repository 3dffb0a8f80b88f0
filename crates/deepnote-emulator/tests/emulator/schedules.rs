//! Live-dialect schedules: one per notebook through `POST /notebooks/{id}/schedule`, several
//! through `POST /schedules`, listed by `GET /schedules`; every answer validated against
//! `openapi/live.yml` by the shared client.

use crate::common;

use common::*;
use deepnote_emulator::{SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID};
use serde_json::{Value, json};

const MISSING: &str = "6f1c1f4e-2d0b-4b47-9a53-2f6f5b1f0c11";

fn crons(list: &Value) -> Vec<String> {
    list["schedules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cron"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_notebook_schedule_is_created_then_replaced() {
    let (emu, api) = frozen_sample().await;
    let path = format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/schedule");
    let first = api
        .post(&path, json!({"cron": "0 9 * * *", "timezone": "UTC"}))
        .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let sc = &first.body["schedule"];
    assert_eq!(
        (
            sc["notebookId"].clone(),
            sc["cron"].clone(),
            sc["timezone"].clone()
        ),
        (json!(SAMPLE_NOTEBOOK_ID), json!("0 9 * * *"), json!("UTC"))
    );
    // nextRunAt is the next 09:00 after the emulator's clock.
    let now = emu.now();
    let next = chrono::DateTime::parse_from_rfc3339(sc["nextRunAt"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert!(
        next > now && next - now <= chrono::Duration::days(1),
        "{next} after {now}"
    );
    assert_eq!(next.format("%H:%M:%S").to_string(), "09:00:00");

    let second = api.post(&path, json!({"cron": "30 8 * * 1-5"})).await;
    assert_eq!(second.status, 200, "{:?}", second.body);
    assert_eq!(second.body["schedule"]["id"], first.body["schedule"]["id"]);
    assert_eq!(
        second.body["schedule"]["timezone"],
        json!("UTC"),
        "UTC by default"
    );
    let list = api
        .get(&format!("/v2/schedules?notebookId={SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(crons(&list.body), ["30 8 * * 1-5"]);
}

#[tokio::test]
async fn several_schedules_are_listed_oldest_first() {
    let emu = live_builder().seed_sample().start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    for cron in ["0 9 * * 1", "0 17 * * 5"] {
        let r = api
            .post("/v2/schedules", json!({"notebookId": SAMPLE_NOTEBOOK_ID, "cron": cron, "timezone": "Europe/Prague", "inputs": {"region": "APAC"}}))
            .await;
        assert!((200..300).contains(&r.status), "{:?}", r.body);
        assert_eq!(r.body["schedule"]["inputs"], json!({"region": "APAC"}));
    }
    api.post(
        &format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/schedule"),
        json!({"cron": "0 0 * * *"}),
    )
    .await;
    let list = api
        .get(&format!("/v2/schedules?notebookId={SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(crons(&list.body), ["0 9 * * 1", "0 17 * * 5", "0 0 * * *"]);
    // Another notebook has none.
    let nb = api.notebook(SAMPLE_PROJECT_ID).await;
    assert_eq!(
        crons(
            &api.get(&format!("/v2/schedules?notebookId={nb}"))
                .await
                .body
        ),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn bad_crons_timezones_and_bodies_are_400_and_store_nothing() {
    let emu = live_builder().seed_sample().start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let path = format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/schedule");
    for body in [
        json!({"cron": "every day"}),
        json!({"cron": "61 * * * *"}),
        json!({"cron": "0 0 31 2 *"}),
        json!({"cron": ""}),
        json!({"cron": "0 9 * * *", "timezone": "Mars/Olympus Mons"}),
        json!({"cron": "0 9 * * *", "extra": 1}),
        json!({}),
    ] {
        let r = api.post(&path, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {:?}", r.body);
        if body.get("extra").is_some() {
            // `POST /schedules` takes more fields (the reference's body is open).
            continue;
        }
        let mut b = body.clone();
        b["notebookId"] = json!(SAMPLE_NOTEBOOK_ID);
        let r = api.post("/v2/schedules", b).await;
        assert_eq!(r.status, 400, "{body}: {:?}", r.body);
    }
    assert_eq!(
        api.get("/v2/schedules").await.status,
        400,
        "notebookId is required"
    );
    let list = api
        .get(&format!("/v2/schedules?notebookId={SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(crons(&list.body).len(), 0);
}

#[tokio::test]
async fn schedules_follow_access_levels_and_workspaces() {
    let emu = live_builder().start().await.unwrap();
    let admin = Api::new(&emu, ADMIN);
    let project = admin.project("p").await;
    let nb = admin.notebook(&project).await;
    let cron = json!({"cron": "0 9 * * *"});
    let viewer = admin.with_key(VIEWER);
    assert_eq!(
        viewer
            .post(&format!("/v2/notebooks/{nb}/schedule"), cron.clone())
            .await
            .status,
        403
    );
    assert_eq!(
        viewer
            .post(
                "/v2/schedules",
                json!({"notebookId": nb, "cron": "0 9 * * *"})
            )
            .await
            .status,
        403
    );
    assert_eq!(
        admin
            .post(&format!("/v2/notebooks/{nb}/schedule"), cron.clone())
            .await
            .status,
        200
    );
    assert_eq!(
        crons(
            &viewer
                .get(&format!("/v2/schedules?notebookId={nb}"))
                .await
                .body
        )
        .len(),
        1
    );
    let other = admin.with_key(OTHER);
    assert_eq!(
        other
            .get(&format!("/v2/schedules?notebookId={nb}"))
            .await
            .status,
        404
    );
    // The reference documents no 404 for the upsert, but Deepnote's CLI reads a 404 as "no such
    // notebook" (and falls back to finding it by name), so the emulator answers one; sent
    // outside the validating client.
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    for (key, nb) in [(OTHER, nb.as_str()), (ADMIN, MISSING)] {
        let r = http
            .post(format!("{}/v2/notebooks/{nb}/schedule", emu.base_url()))
            .bearer_auth(key)
            .json(&cron)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
}

#[tokio::test]
async fn schedules_persist_and_go_with_their_notebook() {
    let dir = tempfile::tempdir().unwrap();
    let start = || live_builder().seed_sample().data_dir(dir.path()).start();
    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let nb = api.notebook(SAMPLE_PROJECT_ID).await;
    api.post(
        &format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/schedule"),
        json!({"cron": "0 9 * * *"}),
    )
    .await;
    api.post(
        "/v2/schedules",
        json!({"notebookId": nb, "cron": "0 10 * * *"}),
    )
    .await;
    emu.shutdown().await;

    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let list = api
        .get(&format!("/v2/schedules?notebookId={SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(crons(&list.body), ["0 9 * * *"]);
    assert_eq!(
        crons(
            &api.get(&format!("/v2/schedules?notebookId={nb}"))
                .await
                .body
        ),
        ["0 10 * * *"]
    );
    assert_eq!(api.delete(&format!("/v2/notebooks/{nb}")).await.status, 204);
    emu.shutdown().await;

    let emu = start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    assert_eq!(
        api.get(&format!("/v2/schedules?notebookId={nb}"))
            .await
            .status,
        404
    );
    assert_eq!(
        crons(
            &api.get(&format!("/v2/schedules?notebookId={SAMPLE_NOTEBOOK_ID}"))
                .await
                .body
        ),
        ["0 9 * * *"]
    );
}

#[tokio::test]
async fn the_spec_dialect_has_no_schedules() {
    let emu = builder().seed_sample().start().await.unwrap();
    let api = Api::new(&emu, emu.sample_key());
    let r = api
        .post(
            &format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/schedule"),
            json!({"cron": "0 9 * * *"}),
        )
        .await;
    assert_eq!(r.status, 404);
}

/// The API's instant `s` (RFC 3339).
fn instant(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

/// `nextRunAt` of a schedule `cron` in `timezone`, set through both endpoints of notebook `nb`
/// at virtual time `now`; both must agree.
async fn next_run(
    emu: &deepnote_emulator::Emulator,
    api: &Api,
    nb: &str,
    now: &str,
    cron: &str,
    timezone: &str,
) -> String {
    emu.set_clock(instant(now));
    let body = json!({"cron": cron, "timezone": timezone});
    let legacy = api
        .post(&format!("/v2/notebooks/{nb}/schedule"), body.clone())
        .await;
    assert_eq!(legacy.status, 200, "{:?}", legacy.body);
    let mut body = body;
    body["notebookId"] = json!(nb);
    let created = api.post("/v2/schedules", body).await;
    assert!((200..300).contains(&created.status), "{:?}", created.body);
    let (a, b) = (
        legacy.body["schedule"]["nextRunAt"].as_str().unwrap(),
        created.body["schedule"]["nextRunAt"].as_str().unwrap(),
    );
    assert_eq!(a, b, "{cron} in {timezone}: both endpoints agree");
    instant(a).to_rfc3339()
}

#[tokio::test]
async fn next_run_is_computed_in_the_schedules_zone() {
    let (emu, api) = frozen_sample().await;
    let nb = SAMPLE_NOTEBOOK_ID;
    // The case: daily at 09:00 in Prague, in December, is 08:00Z.
    assert_eq!(
        next_run(
            &emu,
            &api,
            nb,
            "2026-12-07T12:00:00Z",
            "0 9 * * *",
            "Europe/Prague"
        )
        .await,
        "2026-12-08T08:00:00+00:00"
    );
    assert_eq!(
        next_run(
            &emu,
            &api,
            nb,
            "2026-12-07T12:00:00Z",
            "0 9 * * *",
            "America/New_York"
        )
        .await,
        "2026-12-07T14:00:00+00:00"
    );
    assert_eq!(
        next_run(&emu, &api, nb, "2026-12-07T12:00:00Z", "0 9 * * *", "UTC").await,
        "2026-12-08T09:00:00+00:00"
    );
}

/// Both daylight-saving changes of 2026 and 2027, in Prague and New York: a time in the
/// spring gap fires at the first instant after it; a time that occurs twice fires once, at
/// its first occurrence (the rule of cron and cronie; see the emulator's README).
#[tokio::test]
async fn next_run_crosses_daylight_saving_changes_as_cron_does() {
    let (emu, api) = frozen_sample().await;
    let nb = SAMPLE_NOTEBOOK_ID;
    let cases = [
        // Spring, Prague: 02:30 does not exist on 29 March 2026 / 28 March 2027 -> 03:00 CEST.
        (
            "2026-03-28T12:00:00Z",
            "30 2 * * *",
            "Europe/Prague",
            "2026-03-29T01:00:00+00:00",
        ),
        (
            "2027-03-27T12:00:00Z",
            "30 2 * * *",
            "Europe/Prague",
            "2027-03-28T01:00:00+00:00",
        ),
        // Spring, New York: 02:30 does not exist on 8 March 2026 / 14 March 2027 -> 03:00 EDT.
        (
            "2026-03-07T12:00:00Z",
            "30 2 * * *",
            "America/New_York",
            "2026-03-08T07:00:00+00:00",
        ),
        (
            "2027-03-13T12:00:00Z",
            "30 2 * * *",
            "America/New_York",
            "2027-03-14T07:00:00+00:00",
        ),
        // An ordinary time on the change's day is in the new offset.
        (
            "2026-03-28T12:00:00Z",
            "0 9 * * *",
            "Europe/Prague",
            "2026-03-29T07:00:00+00:00",
        ),
        (
            "2027-03-13T15:00:00Z",
            "0 9 * * *",
            "America/New_York",
            "2027-03-14T13:00:00+00:00",
        ),
        // Autumn, Prague: 02:30 occurs at 00:30Z (CEST) and 01:30Z (CET); it fires once.
        (
            "2026-10-24T12:00:00Z",
            "30 2 * * *",
            "Europe/Prague",
            "2026-10-25T00:30:00+00:00",
        ),
        (
            "2026-10-25T00:30:00Z",
            "30 2 * * *",
            "Europe/Prague",
            "2026-10-26T01:30:00+00:00",
        ),
        (
            "2027-10-30T12:00:00Z",
            "30 2 * * *",
            "Europe/Prague",
            "2027-10-31T00:30:00+00:00",
        ),
        (
            "2027-10-31T00:30:00Z",
            "30 2 * * *",
            "Europe/Prague",
            "2027-11-01T01:30:00+00:00",
        ),
        // Autumn, New York: 01:30 occurs at 05:30Z (EDT) and 06:30Z (EST); it fires once.
        (
            "2026-10-31T12:00:00Z",
            "30 1 * * *",
            "America/New_York",
            "2026-11-01T05:30:00+00:00",
        ),
        (
            "2026-11-01T05:30:00Z",
            "30 1 * * *",
            "America/New_York",
            "2026-11-02T06:30:00+00:00",
        ),
        (
            "2027-11-06T12:00:00Z",
            "30 1 * * *",
            "America/New_York",
            "2027-11-07T05:30:00+00:00",
        ),
        (
            "2027-11-07T05:30:00Z",
            "30 1 * * *",
            "America/New_York",
            "2027-11-08T06:30:00+00:00",
        ),
    ];
    for (now, cron, tz, want) in cases {
        assert_eq!(
            next_run(&emu, &api, nb, now, cron, tz).await,
            want,
            "{cron} in {tz} at {now}"
        );
    }
}

#[tokio::test]
async fn an_unknown_zone_is_400_naming_it_and_stores_nothing() {
    let (_emu, api) = frozen_sample().await;
    let legacy = api
        .post(
            &format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/schedule"),
            json!({"cron": "0 9 * * *", "timezone": "Europe/Prag"}),
        )
        .await;
    let created = api
        .post(
            "/v2/schedules",
            json!({"notebookId": SAMPLE_NOTEBOOK_ID, "cron": "0 9 * * *", "timezone": "Europe/Prag"}),
        )
        .await;
    for r in [&legacy, &created] {
        assert_eq!(r.status, 400, "{:?}", r.body);
        assert!(r.message().contains("`Europe/Prag`"), "{}", r.message());
        assert!(r.message().contains("Europe/Prague"), "{}", r.message());
    }
    // Well formed, but no such zone.
    let r = api
        .post(
            &format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/schedule"),
            json!({"cron": "0 9 * * *", "timezone": "Europe/Atlantis"}),
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(r.message().contains("Europe/Atlantis"), "{}", r.message());
    let list = api
        .get(&format!("/v2/schedules?notebookId={SAMPLE_NOTEBOOK_ID}"))
        .await;
    assert_eq!(crons(&list.body).len(), 0);
}

#[tokio::test]
async fn the_list_answers_every_field_of_a_schedule() {
    let (emu, api) = frozen_sample().await;
    emu.set_clock(instant("2026-12-07T12:00:00Z"));
    let set = api
        .post(
            &format!("/v2/notebooks/{SAMPLE_NOTEBOOK_ID}/schedule"),
            json!({"cron": "0 9 * * *", "timezone": "Europe/Prague"}),
        )
        .await;
    let list = api
        .get(&format!("/v2/schedules?notebookId={SAMPLE_NOTEBOOK_ID}"))
        .await;
    let listed = &list.body["schedules"][0];
    for field in [
        "id",
        "notebookId",
        "projectId",
        "cron",
        "timezone",
        "nextRunAt",
        "createdAt",
        "updatedAt",
    ] {
        assert!(
            listed[field].is_string(),
            "{field} missing from the list: {listed}"
        );
        assert_eq!(listed[field], set.body["schedule"][field], "{field}");
    }
    assert_eq!(listed["projectId"], SAMPLE_PROJECT_ID);
    assert_eq!(
        instant(listed["nextRunAt"].as_str().unwrap()).to_rfc3339(),
        "2026-12-08T08:00:00+00:00"
    );
}
