//! Schedules in both shapes: the exact requests, the answers decoded, the cron checked before
//! sending (and never a panic, whatever the text).

use crate::surface_support;

use deepnote::{Error, error::StatusCode, schedules::Cron};
use proptest::prelude::*;
use serde_json::json;
use surface_support::{q, stub};

#[tokio::test]
async fn set_posts_to_the_notebook_with_the_timezone() {
    let s = stub(|r| {
        let body = r.json();
        let timezone = body.get("timezone").cloned().unwrap_or(json!("UTC"));
        (
            200,
            json!({"schedule": {"notebookId": "nb1", "cron": body["cron"], "timezone": timezone,
                   "nextRunAt": "2026-12-02T08:00:00Z", "createdAt": "2026-12-01T10:00:00Z",
                   "updatedAt": "2026-12-01T10:00:00Z"}})
            .to_string(),
        )
    })
    .await;
    let c = s.client();
    let schedule = c
        .schedules()
        .set("nb1", Cron::daily_at("09:00").unwrap())
        .timezone("Europe/Prague")
        .await
        .unwrap();
    let r = s.only();
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/v2/notebooks/nb1/schedule")
    );
    assert_eq!(
        r.json(),
        json!({"cron": "0 9 * * *", "timezone": "Europe/Prague"})
    );
    assert_eq!(schedule.cron, "0 9 * * *");
    assert_eq!(schedule.timezone.as_deref(), Some("Europe/Prague"));
    assert_eq!(
        schedule.next_run_at.unwrap().to_rfc3339(),
        "2026-12-02T08:00:00+00:00"
    );
    assert_eq!(schedule.notebook_id.as_str(), "nb1");
    // The set answer carries no id; the whole object is kept as it came.
    assert_eq!(schedule.id, None);
    assert_eq!(schedule.raw["updatedAt"], "2026-12-01T10:00:00Z");
    // Without a time zone none is sent: the server picks its default.
    let schedule = c.schedules().set("nb1", "*/5 * * * 1-5").await.unwrap();
    assert_eq!(schedule.timezone.as_deref(), Some("UTC"));
    let r = &s.requests()[1];
    assert_eq!(r.json(), json!({"cron": "*/5 * * * 1-5"}));
}

#[tokio::test]
async fn list_and_create_use_the_schedules_collection() {
    let s = stub(|r| match r.method.as_str() {
        "GET" => (
            200,
            json!({"schedules": [
                {"id": "s1", "notebookId": "nb1", "projectId": "p1", "cron": "0 9 * * *",
                 "timezone": "UTC", "nextRunAt": "2026-12-08T09:00:00Z",
                 "createdAt": "2026-12-01T10:00:00Z", "enabled": true},
                {"notebookId": "nb1", "cron": "30 17 * * 5"}
            ]})
            .to_string(),
        ),
        _ if r.json()["cron"] == json!("0 6 * * *") => (201, String::new()),
        _ => (
            201,
            json!({"schedule": {"id": "s2", "notebookId": "nb1", "cron": "15 3 1 * *", "timezone": "UTC"}})
                .to_string(),
        ),
    })
    .await;
    let c = s.client();
    let list = c.schedules().list("nb1").await.unwrap();
    assert_eq!(list.items.len(), 2);
    assert_eq!(list.next_page_token, None);
    let first = &list.items[0];
    assert_eq!(first.cron, "0 9 * * *");
    assert_eq!(first.id.as_ref().map(|i| i.as_str()), Some("s1"));
    assert_eq!(
        first.next_run_at.unwrap().to_rfc3339(),
        "2026-12-08T09:00:00+00:00"
    );
    // Every field the server sent is kept, those the SDK does not read included, and
    // printing the schedule gives the object back as it came.
    let sent = json!({"id": "s1", "notebookId": "nb1", "projectId": "p1", "cron": "0 9 * * *",
                      "timezone": "UTC", "nextRunAt": "2026-12-08T09:00:00Z",
                      "createdAt": "2026-12-01T10:00:00Z", "enabled": true});
    assert_eq!(serde_json::to_value(first).unwrap(), sent);
    assert_eq!(list.items[1].timezone, None);
    let created = c
        .schedules()
        .create("nb1", "15 3 1 * *")
        .timezone("UTC")
        .await
        .unwrap();
    assert_eq!(created.id.as_ref().map(|i| i.as_str()), Some("s2"));
    assert_eq!(created.cron, "15 3 1 * *");
    // An empty answer (its shape is not in the evidence) gives back what was sent.
    let created = c.schedules().create("nb1", "0 6 * * *").await.unwrap();
    assert_eq!(created.cron, "0 6 * * *");
    assert_eq!(created.notebook_id.as_str(), "nb1");
    let seen = s.requests();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/v2/schedules")
    );
    assert_eq!(seen[0].query, q(&[("notebookId", "nb1")]));
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path.as_str()),
        ("POST", "/v2/schedules")
    );
    assert_eq!(
        seen[1].json(),
        json!({"notebookId": "nb1", "cron": "15 3 1 * *", "timezone": "UTC"})
    );
}

#[tokio::test]
async fn a_bad_cron_or_timezone_is_refused_before_sending() {
    let s = stub(|_| (500, "must not be called".into())).await;
    let c = s.client();
    for bad in [
        "",
        "* * * *",
        "61 * * * *",
        "0 9 * * MON",
        "@daily",
        "0 9 * * */0",
    ] {
        let e = c.schedules().set("nb1", bad).await.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{bad:?}: {e}");
        let e = c.schedules().create("nb1", bad).await.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{bad:?}: {e}");
    }
    let e = c
        .schedules()
        .set("nb1", "0 9 * * *")
        .timezone(" ")
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    assert!(s.requests().is_empty());
}

#[tokio::test]
async fn schedule_errors_are_typed() {
    let s = stub(|r| match r.method.as_str() {
        "GET" => (404, json!({"message": "Notebook not found"}).to_string()),
        _ => (
            403,
            json!({"message": "Insufficient permissions"}).to_string(),
        ),
    })
    .await;
    let c = s.client();
    assert!(matches!(
        c.schedules().list("nb1").await,
        Err(Error::NotFound { .. })
    ));
    let e = c.schedules().set("nb1", "0 9 * * *").await.unwrap_err();
    assert_eq!(e.status(), Some(StatusCode::FORBIDDEN));
    let e = c.schedules().create("nb1", "0 9 * * *").await.unwrap_err();
    assert!(e.to_string().contains("Insufficient permissions"), "{e}");
}

proptest! {
    #[test]
    fn cron_parsing_never_panics(text in "\\PC{0,80}") {
        let _ = Cron::parse(&text);
        let _ = Cron::daily_at(&text);
    }

    #[test]
    fn cron_like_text_never_panics_and_accepted_text_is_in_bounds(
        fields in proptest::collection::vec("[0-9*/,-]{1,8}", 5)
    ) {
        let text = fields.join(" ");
        if let Ok(cron) = Cron::parse(&text) {
            let bounds = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)];
            for (field, (low, high)) in cron.as_str().split(' ').zip(bounds) {
                for n in field.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()) {
                    let n: u32 = n.parse().unwrap();
                    // Values are within the field's bounds, and steps within 1..=high.
                    prop_assert!(low <= n && n <= high, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn every_daily_time_round_trips(hour in 0u32..24, minute in 0u32..60) {
        let cron = Cron::daily_at(&format!("{hour:02}:{minute:02}")).unwrap();
        prop_assert_eq!(cron.as_str(), format!("{minute} {hour} * * *"));
        prop_assert!(Cron::parse(cron.as_str()).is_ok());
    }
}
