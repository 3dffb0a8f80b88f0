//! Right answers, pipelines that see everything, errors that name their subject (issue 21):
//! each a user's task against a loopback emulator, asserting what they would check.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;

/// Exit codes, as `--help` documents them.
const USAGE: i32 = 2;

/// Whether any request of this method went to a path starting with `prefix`.
fn sent(emu: &Emu, method: &str, prefix: &str) -> bool {
    emu.emulator()
        .journal()
        .iter()
        .any(|e| e.method == method && e.path.starts_with(prefix))
}

#[test]
fn a_mistyped_time_zone_is_refused_before_sending_with_the_nearest_names() {
    let emu = Emu::start();
    for command in ["set", "create"] {
        emu.cmd()
            .args(["schedules", command, SAMPLE_NOTEBOOK_ID])
            .args(["--daily", "--at", "09:00", "--timezone", "Europe/Prag"])
            .assert()
            .code(USAGE)
            .stderr(predicate::str::contains("\"Europe/Prag\""))
            .stderr(predicate::str::contains("Europe/Prague"));
    }
    assert!(
        !sent(&emu, "POST", "/v2/notebooks"),
        "a refused zone was sent"
    );
    assert!(
        !sent(&emu, "POST", "/v2/schedules"),
        "a refused zone was sent"
    );
    // A real zone goes through as the database spells it.
    let set = json(emu.cmd().args([
        "schedules",
        "set",
        SAMPLE_NOTEBOOK_ID,
        "--daily",
        "--at",
        "09:00",
        "--timezone",
        "Europe/Prague",
        "-o",
        "json",
    ]));
    assert_eq!(set["timezone"], "Europe/Prague");
}

#[test]
fn schedules_list_shows_every_field_the_api_answers() {
    let emu = Emu::start();
    emu.cmd()
        .args([
            "schedules",
            "create",
            SAMPLE_NOTEBOOK_ID,
            "--cron",
            "0 6 * * 1-5",
        ])
        .args(["--timezone", "UTC", "-o", "json"])
        .assert()
        .success();
    let list = json(
        emu.cmd()
            .args(["schedules", "list", SAMPLE_NOTEBOOK_ID, "-o", "json"]),
    );
    let created = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["cron"] == "0 6 * * 1-5")
        .unwrap_or_else(|| panic!("{list}"))
        .clone();
    for field in ["id", "notebookId", "nextRunAt", "createdAt", "updatedAt"] {
        assert!(created[field].is_string(), "{field} missing from {created}");
    }
    // The table a person reads shows them too, not `-`.
    let out = emu
        .cmd()
        .args(["schedules", "list", SAMPLE_NOTEBOOK_ID, "-o", "table"])
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    let row = table
        .lines()
        .find(|l| l.contains("0 6 * * 1-5"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains(created["id"].as_str().unwrap()), "{table}");
    let next: Value = created["nextRunAt"].clone();
    assert!(row.contains(next.as_str().unwrap()), "{table}");
}
