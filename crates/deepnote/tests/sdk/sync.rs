//! `sync().pull` / `sync().push` and the folder calls against the emulator: the layout a pull
//! writes, a pushed edit seen by the next export, conflicts refused and settled, a dry run
//! that changes nothing, deletions only when asked.

use crate::common;

use common::{SAMPLE_PROJECT_ID, sample};
use deepnote::{
    Client,
    projects::{DeepnoteDocument, ImportOptions},
    sync::{Change, OnConflict, ProjectAction, SYNC_STATE_FILE},
};
use std::path::{Path, PathBuf};

const REPORT: &str = "Reports/Sales analysis/quarterly-report.deepnote";

fn temp_dir(tag: &str) -> PathBuf {
    deepnote_test_support::scratch::dir(&format!("sync-{tag}"))
}

/// Every file under `root`, relative, sorted, with its text.
fn tree(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A change made in Deepnote by someone else: the report's plot title edited.
async fn edit_remotely(client: &Client, from: &str, to: &str) {
    let mut export = client.projects().export(SAMPLE_PROJECT_ID).await.unwrap();
    let doc = export
        .documents
        .iter_mut()
        .find(|d| d.file_name == "quarterly-report.deepnote")
        .unwrap();
    assert!(doc.content.contains(from), "{}", doc.content);
    doc.content = doc.content.replace(from, to);
    client
        .projects()
        .import(SAMPLE_PROJECT_ID, &export.documents, &ImportOptions::new())
        .await
        .unwrap();
}

async fn remote_report(client: &Client) -> String {
    let export = client.projects().export(SAMPLE_PROJECT_ID).await.unwrap();
    export
        .documents
        .into_iter()
        .find(|d| d.file_name == "quarterly-report.deepnote")
        .unwrap()
        .content
}

fn edit_locally(root: &Path, from: &str, to: &str) {
    let path = root.join(REPORT);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

#[tokio::test]
async fn a_pull_writes_one_folder_per_project_and_one_file_per_notebook() {
    let (emu, client) = sample().await;
    let root = temp_dir("layout");
    let plan = client.sync().pull(&root).plan().await.unwrap();
    assert!(!plan.applied);
    assert_eq!(plan.projects.len(), 3, "{plan:#?}");
    assert!(
        plan.projects
            .iter()
            .all(|p| p.action == ProjectAction::Pull)
    );
    assert!(tree(&root).is_empty(), "a dry run writes nothing");

    let pulled = client.sync().pull(&root).apply().await.unwrap();
    assert_eq!(pulled.changed().count(), 3);
    let files: Vec<String> = tree(&root).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        files,
        [
            SYNC_STATE_FILE,
            "Churn model/training.deepnote",
            "Reports/Sales analysis/quarterly-report.deepnote",
            "Reports/Sales analysis/scratch.deepnote",
            "Support agent/agent.deepnote",
        ]
    );
    // Each file is the export's document, byte for byte.
    let export = client.projects().export(SAMPLE_PROJECT_ID).await.unwrap();
    for doc in &export.documents {
        let local =
            std::fs::read_to_string(root.join("Reports/Sales analysis").join(&doc.file_name));
        assert_eq!(local.unwrap(), doc.content);
    }
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join(SYNC_STATE_FILE)).unwrap())
            .unwrap();
    let record = &state["projects"][SAMPLE_PROJECT_ID];
    assert_eq!(
        record["dir"], "Reports/Sales analysis",
        "under its folder, as Deepnote's CLI puts it"
    );
    assert_eq!(record["contentHash"], export.content_hash());
    assert_eq!(
        record["modifiedAt"].as_str(),
        export.modified_at().unwrap().as_deref()
    );

    // What Deepnote's CLI records beside (its `files`) survives our syncs.
    let mut state = state;
    state["projects"][SAMPLE_PROJECT_ID]["files"] = serde_json::json!({"data.csv": {"size": 3}});
    std::fs::write(root.join(SYNC_STATE_FILE), state.to_string()).unwrap();

    // Nothing changed: a second pull writes nothing and says so.
    let before = tree(&root);
    let again = client.sync().pull(&root).apply().await.unwrap();
    assert!(
        again
            .projects
            .iter()
            .all(|p| p.action == ProjectAction::Unchanged)
    );
    let files = |tree: Vec<(String, String)>| -> Vec<(String, String)> {
        tree.into_iter()
            .filter(|(p, _)| p != SYNC_STATE_FILE)
            .collect()
    };
    assert_eq!(files(tree(&root)), files(before));
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join(SYNC_STATE_FILE)).unwrap())
            .unwrap();
    assert_eq!(
        state["projects"][SAMPLE_PROJECT_ID]["files"]["data.csv"]["size"],
        3
    );
    emu.shutdown().await;
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_local_edit_pushed_is_in_the_next_export_and_a_dry_run_changes_nothing() {
    let (emu, client) = sample().await;
    let root = temp_dir("push");
    client.sync().pull(&root).apply().await.unwrap();
    edit_locally(&root, "Sales in {region}", "Revenue in {region}");

    let state_before = std::fs::read_to_string(root.join(SYNC_STATE_FILE)).unwrap();
    let files_before = tree(&root);
    let plan = client.sync().push(&root).plan().await.unwrap();
    let changed: Vec<_> = plan.changed().collect();
    assert_eq!(changed.len(), 1, "{plan:#?}");
    assert_eq!(changed[0].action, ProjectAction::Push);
    assert_eq!(changed[0].notebooks.len(), 1);
    assert_eq!(
        changed[0].notebooks[0].file_name,
        "quarterly-report.deepnote"
    );
    assert_eq!(changed[0].notebooks[0].change, Change::Updated);
    assert!(
        remote_report(&client).await.contains("Sales in {region}"),
        "a dry run sends nothing"
    );
    assert_eq!(tree(&root), files_before);
    assert_eq!(
        std::fs::read_to_string(root.join(SYNC_STATE_FILE)).unwrap(),
        state_before
    );

    let imports_before = common::requests(&emu, "POST", "/v2/projects").len();
    let pushed = client.sync().push(&root).apply().await.unwrap();
    assert_eq!(pushed.changed().count(), 1);
    assert_eq!(
        common::requests(&emu, "POST", "/v2/projects").len(),
        imports_before + 1,
        "one import, for the one edited project"
    );
    let remote = remote_report(&client).await;
    assert!(remote.contains("Revenue in {region}"), "{remote}");
    // The folder now holds the export again, and the next push has nothing to send.
    assert_eq!(std::fs::read_to_string(root.join(REPORT)).unwrap(), remote);
    let next = client.sync().push(&root).apply().await.unwrap();
    assert_eq!(next.changed().count(), 0, "{next:#?}");
    emu.shutdown().await;
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_project_changed_on_both_sides_is_refused_then_forced_with_keep_local() {
    let (emu, client) = sample().await;
    let root = temp_dir("conflict");
    client.sync().pull(&root).apply().await.unwrap();
    edit_locally(&root, "Sales in {region}", "Local title {region}");
    edit_remotely(&client, "Sales in {region}", "Remote title {region}").await;

    for plan in [
        client.sync().push(&root).apply().await.unwrap(),
        client.sync().pull(&root).apply().await.unwrap(),
    ] {
        let conflicts: Vec<_> = plan.conflicts().collect();
        assert_eq!(conflicts.len(), 1, "{plan:#?}");
        assert_eq!(conflicts[0].project_id.as_str(), SAMPLE_PROJECT_ID);
    }
    assert!(remote_report(&client).await.contains("Remote title"));
    let local = std::fs::read_to_string(root.join(REPORT)).unwrap();
    assert!(
        local.contains("Local title"),
        "a refused pull keeps the files"
    );

    // keep-remote on a pull takes Deepnote's version.
    let other = temp_dir("conflict-remote");
    copy_tree(&root, &other);
    let plan = client
        .sync()
        .pull(&other)
        .on_conflict(OnConflict::KeepRemote)
        .apply()
        .await
        .unwrap();
    assert!(plan.projects.iter().any(|p| p.conflict_resolved));
    assert!(
        std::fs::read_to_string(other.join(REPORT))
            .unwrap()
            .contains("Remote title")
    );

    // keep-local on a push overwrites Deepnote's version.
    let plan = client
        .sync()
        .push(&root)
        .on_conflict(OnConflict::KeepLocal)
        .apply()
        .await
        .unwrap();
    let pushed: Vec<_> = plan.changed().collect();
    assert_eq!(pushed.len(), 1, "{plan:#?}");
    assert!(pushed[0].conflict_resolved);
    let remote = remote_report(&client).await;
    assert!(remote.contains("Local title") && !remote.contains("Remote title"));
    emu.shutdown().await;
    std::fs::remove_dir_all(&root).unwrap();
    std::fs::remove_dir_all(&other).unwrap();
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, text) in tree(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[tokio::test]
async fn a_notebook_missing_locally_is_deleted_only_when_asked() {
    let (emu, client) = sample().await;
    let root = temp_dir("delete");
    client.sync().pull(&root).apply().await.unwrap();
    std::fs::remove_file(root.join("Reports/Sales analysis/scratch.deepnote")).unwrap();
    let names = |client: Client| async move {
        let export = client.projects().export(SAMPLE_PROJECT_ID).await.unwrap();
        export
            .documents
            .into_iter()
            .map(|d| d.file_name)
            .collect::<Vec<_>>()
    };

    // An emptied folder sends nothing, even when deletions are allowed.
    let empty = root.join("Churn model/training.deepnote");
    let saved = std::fs::read_to_string(&empty).unwrap();
    std::fs::remove_file(&empty).unwrap();
    let plan = client
        .sync()
        .push(&root)
        .delete_missing_notebooks(true)
        .plan()
        .await
        .unwrap();
    let churn = plan
        .projects
        .iter()
        .find(|p| p.name == "Churn model")
        .unwrap();
    assert_eq!(churn.action, ProjectAction::Skip, "{churn:?}");
    std::fs::write(&empty, saved).unwrap();

    let kept = client.sync().push(&root).apply().await.unwrap();
    assert_eq!(kept.deletions().count(), 0);
    assert!(
        names(client.clone())
            .await
            .contains(&"scratch.deepnote".into())
    );

    // The push above pulled the project back, file included; remove it again.
    std::fs::remove_file(root.join("Reports/Sales analysis/scratch.deepnote")).unwrap();
    let plan = client
        .sync()
        .push(&root)
        .delete_missing_notebooks(true)
        .plan()
        .await
        .unwrap();
    let deleted: Vec<_> = plan.deletions().map(|(_, n)| n.file_name.clone()).collect();
    assert_eq!(deleted, ["scratch.deepnote"]);
    client
        .sync()
        .push(&root)
        .delete_missing_notebooks(true)
        .apply()
        .await
        .unwrap();
    assert_eq!(names(client.clone()).await, ["quarterly-report.deepnote"]);
    emu.shutdown().await;
    std::fs::remove_dir_all(&root).unwrap();
}

#[tokio::test]
async fn a_project_exports_to_a_folder_and_imports_from_it() {
    let (emu, client) = sample().await;
    let dir = temp_dir("dir");
    let export = client
        .projects()
        .export_to_dir(SAMPLE_PROJECT_ID, &dir)
        .await
        .unwrap();
    let read = DeepnoteDocument::read_dir(&dir).await.unwrap();
    assert_eq!(read, export.documents);
    let path = dir.join("quarterly-report.deepnote");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("Sales in {region}", "From a folder {region}"),
    )
    .unwrap();
    let result = client
        .projects()
        .import_from_dir(
            SAMPLE_PROJECT_ID,
            &dir,
            &ImportOptions::based_on(&export).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        result.content_hash,
        client
            .projects()
            .export(SAMPLE_PROJECT_ID)
            .await
            .unwrap()
            .content_hash()
    );
    assert!(remote_report(&client).await.contains("From a folder"));
    // The same base again is stale now: refused with a 409.
    let stale = client
        .projects()
        .import_from_dir(
            SAMPLE_PROJECT_ID,
            &dir,
            &ImportOptions::based_on(&export).unwrap(),
        )
        .await
        .unwrap_err();
    assert_eq!(stale.status(), Some(deepnote::error::StatusCode::CONFLICT));
    assert!(
        DeepnoteDocument::read_dir(dir.join("missing"))
            .await
            .is_err()
    );
    emu.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_push_names_what_changed_in_deepnote_and_overwrites_only_when_told() {
    use deepnote::{
        Error,
        projects::{PushBase, PushOptions, RemoteChange},
    };
    let (emu, client) = sample().await;
    let pulled = client.projects().export(SAMPLE_PROJECT_ID).await.unwrap();
    let mut docs = pulled.documents.clone();
    let report = docs
        .iter_mut()
        .find(|d| d.file_name == "quarterly-report.deepnote")
        .unwrap();
    report.content = report
        .content
        .replace("# Quarterly report", "# Local title");
    edit_remotely(&client, "Sales in {region}", "Remote title {region}").await;

    let base = PushBase::of_documents(&docs).unwrap();
    let err = client
        .projects()
        .push(SAMPLE_PROJECT_ID, &docs, &base, &PushOptions::new())
        .await
        .unwrap_err();
    let Error::WouldOverwrite(conflict) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(err.status(), Some(deepnote::error::StatusCode::CONFLICT));
    let named: Vec<_> = conflict
        .edits
        .iter()
        .map(|e| (e.block_id.as_deref(), e.change, e.notebook_name.as_str()))
        .collect();
    assert_eq!(
        named,
        [(
            Some("b-plot"),
            RemoteChange::BlockEdited,
            "Quarterly report"
        )],
        "only Deepnote's edit, not the local one"
    );
    let remote = remote_report(&client).await;
    assert!(remote.contains("Remote title") && !remote.contains("# Local title"));

    client
        .projects()
        .push(
            SAMPLE_PROJECT_ID,
            &docs,
            &base,
            &PushOptions::new().overwrite(true),
        )
        .await
        .unwrap();
    let remote = remote_report(&client).await;
    assert!(remote.contains("# Local title") && !remote.contains("Remote title"));

    // The same documents against the project's current base: nothing of Deepnote's is lost.
    let now = client.projects().export(SAMPLE_PROJECT_ID).await.unwrap();
    let base = PushBase::recorded(now.modified_at().unwrap(), Some(now.content_hash()));
    client
        .projects()
        .push(
            SAMPLE_PROJECT_ID,
            &now.documents,
            &base,
            &PushOptions::new(),
        )
        .await
        .unwrap();
    emu.shutdown().await;
}

#[tokio::test]
async fn another_projects_file_in_a_synced_folder_is_kept_and_never_pushed() {
    let (emu, client) = sample().await;
    let root = temp_dir("foreign");
    client.sync().pull(&root).apply().await.unwrap();
    let folder = root.join("Reports/Sales analysis");
    let foreign = "project:\n  id: someone-elses\n  name: Other team\n  notebooks: []\n";
    std::fs::write(folder.join("other-team.deepnote"), foreign).unwrap();
    std::fs::write(root.join("README.md"), "# repo\n").unwrap();

    let plan = client.sync().push(&root).apply().await.unwrap();
    let sales = plan
        .projects
        .iter()
        .find(|p| p.project_id.as_str() == SAMPLE_PROJECT_ID)
        .unwrap();
    assert_eq!(sales.action, ProjectAction::Unchanged, "{plan:#?}");
    assert_eq!(sales.kept, ["other-team.deepnote"]);

    edit_remotely(&client, "Sales in {region}", "Remote title {region}").await;
    let plan = client.sync().pull(&root).apply().await.unwrap();
    assert_eq!(plan.changed().count(), 1, "{plan:#?}");
    assert_eq!(
        std::fs::read_to_string(folder.join("other-team.deepnote")).unwrap(),
        foreign
    );
    assert_eq!(
        std::fs::read_to_string(root.join("README.md")).unwrap(),
        "# repo\n"
    );
    assert!(
        std::fs::read_to_string(root.join(REPORT))
            .unwrap()
            .contains("Remote title")
    );
    emu.shutdown().await;
    std::fs::remove_dir_all(&root).unwrap();
}
