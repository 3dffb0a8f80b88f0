//! A project's files through the SDK, against the emulator: `projects().get` carries the
//! project's files (path, size, last change) as `GET /projects/{id}` answers them, and an
//! upload to a path that is taken answers the unique path the server stored it at, so a client
//! can tell the user.

use crate::common;

use common::SAMPLE_PROJECT_ID;
use serde_json::Value;

#[tokio::test]
async fn get_lists_the_files_and_an_upload_to_a_taken_path_says_its_new_name() {
    let (emu, client) = common::sample().await;
    let first = client
        .files()
        .upload(SAMPLE_PROJECT_ID, "data/sales.csv")
        .from_reader(&b"region,total\nEMEA,1\n"[..], Some(20))
        .await
        .unwrap();
    assert_eq!(first.path, "data/sales.csv");
    let second = client
        .files()
        .upload(SAMPLE_PROJECT_ID, "data/sales.csv")
        .from_reader(&b"region,total\n"[..], Some(13))
        .await
        .unwrap();
    assert_eq!(
        second.path, "data/sales-1.csv",
        "the name it was stored under"
    );

    let project = client.projects().get(SAMPLE_PROJECT_ID).await.unwrap();
    let files = project
        .files
        .clone()
        .expect("get lists the project's files");
    let listed: Vec<(&str, u64)> = files.iter().map(|f| (f.path.as_str(), f.size)).collect();
    assert_eq!(
        listed,
        [("data/sales-1.csv", 13), ("data/sales.csv", 20)],
        "both files, neither overwritten"
    );
    assert!(files.iter().all(|f| f.updated_at <= emu.now()));

    // Serialized, they are the answer's own entries.
    let answer: Value = reqwest::Client::new()
        .get(format!(
            "{}/v2/projects/{SAMPLE_PROJECT_ID}",
            emu.base_url()
        ))
        .bearer_auth(emu.sample_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wire = answer["project"]["files"].as_array().unwrap().clone();
    let ours = serde_json::to_value(&files).unwrap();
    let ours = ours.as_array().unwrap();
    assert_eq!(ours.len(), wire.len());
    for (a, b) in ours.iter().zip(&wire) {
        assert_eq!((&a["path"], &a["size"]), (&b["path"], &b["size"]));
        let instant = |v: &Value| {
            v.as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
        };
        assert_eq!(instant(&a["updatedAt"]), instant(&b["updatedAt"]));
    }

    // Lists do not carry files, and say nothing rather than "none".
    let page = client.projects().list().send().await.unwrap();
    assert!(page.items.iter().all(|p| p.files.is_none()));
}
