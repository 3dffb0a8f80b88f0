//! Tables: they fit the terminal (cutting the widest column, never an id), show one item's
//! values whole, and say so when a list is empty.

use crate::common;

use common::*;

fn widest_line(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn a_list_fits_the_terminal_and_keeps_ids_whole() {
    let emu = Emu::start();
    let long = "A project with a name long enough to need cutting on a narrow terminal";
    let id = json(emu.cmd().args(["projects", "create", long]))["id"]
        .as_str()
        .unwrap()
        .to_string();
    // On a 100-column terminal (a pty from `script`, sized with stty): the two id columns take
    // 72 of them and stay whole; NAME, the widest, is cut.
    let out = emu
        .terminal(&format!(
            "stty rows 24 cols 100; {} projects list",
            deepnote_bin()
        ))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert!(widest_line(&screen) <= 100, "{screen}");
    let row = screen.lines().find(|l| l.starts_with(&id)).expect(&screen);
    assert!(row.contains('…') && !row.contains(long), "{row}");

    // $COLUMNS is honoured too, and without a width nothing is cut.
    let narrow = emu
        .cmd()
        .env("COLUMNS", "100")
        .args(["projects", "list", "-o", "table"])
        .output()
        .unwrap();
    let text = String::from_utf8(narrow.stdout).unwrap();
    assert!(widest_line(&text) <= 100, "{text}");
    assert!(text.contains(&id), "{text}");
    let wide = emu
        .cmd()
        .args(["projects", "list", "-o", "table"])
        .output()
        .unwrap();
    assert!(String::from_utf8(wide.stdout).unwrap().contains(long));
}

#[test]
fn one_item_shows_whole_values() {
    let emu = Emu::start();
    let runs = json(emu.cmd().args(["notebooks", "runs", SAMPLE_NOTEBOOK_ID]));
    let done = runs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "success")
        .unwrap();
    let id = done["runId"].as_str().unwrap();
    let run = json(emu.cmd().args(["runs", "get", id]));
    let content = run["snapshotDownloadUrl"]
        .as_str()
        .or(run["snapshotContent"].as_str())
        .expect("a finished run carries its snapshot")
        .to_string();
    assert!(content.chars().count() > 80, "{content}");
    let out = emu
        .cmd()
        .env("COLUMNS", "60")
        .args(["runs", "get", id, "-o", "table"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let one_line: String = content
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    assert!(text.contains(&one_line), "{text}");
    assert!(!text.contains('…'), "{text}");
}

#[test]
fn empty_lists_say_so() {
    let emu = Emu::start();
    emu.cmd()
        .args([
            "projects",
            "list",
            "--name-contains",
            "no such project",
            "-o",
            "table",
        ])
        .assert()
        .success()
        .stdout("no projects\n");
    let nb = json(emu.cmd().args(["notebooks", "create", SAMPLE_PROJECT_ID]))["id"]
        .as_str()
        .unwrap()
        .to_string();
    emu.cmd()
        .args(["notebooks", "runs", &nb, "-o", "table"])
        .assert()
        .success()
        .stdout("no runs\n");
    // JSON stays an empty array.
    emu.cmd()
        .args([
            "projects",
            "list",
            "--name-contains",
            "no such project",
            "-o",
            "json",
        ])
        .assert()
        .success()
        .stdout("[]\n");
}

/// The columns point into the JSON as the SDK's models serialize: a field the models renamed
/// would leave its column blank.
#[test]
fn every_column_shows_its_field() {
    let emu = Emu::start();
    for (args, fields) in [
        (
            &["notebooks", "runs", SAMPLE_NOTEBOOK_ID][..],
            &["runId", "status", "createdAt", "completedAt"][..],
        ),
        (&["projects", "list"], &["id", "name", "projectType"]),
        (
            &["notebooks", "list", SAMPLE_PROJECT_ID],
            &["id", "name", "projectId"],
        ),
    ] {
        let items = json(emu.cmd().args(args));
        let table = emu.cmd().args(args).args(["-o", "table"]).output().unwrap();
        let table = String::from_utf8(table.stdout).unwrap();
        let items = items.as_array().unwrap();
        assert!(!items.is_empty(), "{args:?}");
        for item in items {
            let id = item["runId"].as_str().or(item["id"].as_str()).unwrap();
            let row = table.lines().find(|l| l.starts_with(id)).expect(&table);
            for field in fields {
                // A run still going has no completedAt yet; every other field is filled.
                let Some(value) = item[*field].as_str() else {
                    assert!(*field == "completedAt", "{field} of {item}");
                    continue;
                };
                assert!(
                    row.contains(value),
                    "{args:?}: {field} {value} not in {row}"
                );
            }
        }
    }
}
