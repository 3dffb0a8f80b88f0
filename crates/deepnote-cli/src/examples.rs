//! The Examples section of every command's help, by command path. `cli::command` puts each
//! one under its command; the help test fails when a command has none.

/// `(command path, examples)`: each example one line, indented by the renderer.
pub const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "deepnote",
        &[
            "deepnote demo                                  # the whole API, no account needed",
            "deepnote --local projects list                 # the bundled emulator's samples",
            "deepnote auth login                            # store a key, then:",
            "deepnote run NOTEBOOK_ID -i region=EMEA        # run, wait, save the snapshot",
        ],
    ),
    (
        "deepnote run",
        &[
            "deepnote run NOTEBOOK_ID",
            "deepnote run NOTEBOOK_ID -i region=EMEA -i threshold=0.75 --timeout 30m",
            "deepnote run NOTEBOOK_ID --input-file inputs.json --snapshot-out out/run.deepnote",
            "deepnote run NOTEBOOK_ID --no-wait -o json | jq -r .runId",
            "deepnote run NB_1 NB_2 NB_3 --concurrency 2",
            "deepnote run --from-file notebooks.txt",
            "deepnote run sales/quarterly-report.deepnote --push  # send the file, then run it",
            "deepnote run run.snapshot.deepnote --notebook \"Quarterly report\"",
        ],
    ),
    (
        "deepnote projects",
        &[
            "deepnote projects list",
            "deepnote projects create \"Q4 report\"",
        ],
    ),
    (
        "deepnote projects list",
        &[
            "deepnote projects list",
            "deepnote projects list --name-contains sales -o json | jq -r '.[].id'",
            "deepnote projects list --limit 10",
        ],
    ),
    (
        "deepnote projects get",
        &["deepnote projects get PROJECT_ID -o yaml"],
    ),
    (
        "deepnote projects update",
        &[
            "deepnote projects update PROJECT_ID --sharing enabled",
            "deepnote projects update PROJECT_ID --sharing enabled --api-access enabled",
            "deepnote projects update PROJECT_ID --sharing disabled  # API access goes off too",
        ],
    ),
    (
        "deepnote publish",
        &[
            "deepnote publish ./dist PROJECT_ID",
            "deepnote publish ./dist PROJECT_ID --prune --dry-run   # what would change",
            "deepnote publish ./dist PROJECT_ID --prune -o json | jq -r .url",
            "deepnote publish ./out --project-id PROJECT_ID --path _deepnote_static/v2",
        ],
    ),
    (
        "deepnote apps",
        &[
            "deepnote apps create PROJECT_ID apps/dashboard.py",
            "deepnote apps list PROJECT_ID",
        ],
    ),
    (
        "deepnote apps list",
        &["deepnote apps list PROJECT_ID -o json | jq -r '.[].url'"],
    ),
    (
        "deepnote apps create",
        &[
            "deepnote apps create PROJECT_ID apps/dashboard.py",
            "deepnote apps create PROJECT_ID apps/dashboard.py --no-wait -o json | jq -r .app.url",
            "deepnote apps create PROJECT_ID app.py --timeout 20m",
        ],
    ),
    ("deepnote apps status", &["deepnote apps status APP_ID"]),
    (
        "deepnote apps wait",
        &[
            "deepnote apps wait APP_ID",
            "deepnote apps wait APP_ID --timeout 30m",
        ],
    ),
    (
        "deepnote streamlit",
        &["deepnote streamlit publish apps/dashboard.py --project-id PROJECT_ID"],
    ),
    (
        "deepnote streamlit publish",
        &[
            "deepnote streamlit publish apps/dashboard.py --project-id PROJECT_ID",
            "deepnote streamlit publish app.py --project-id PROJECT_ID --no-wait",
        ],
    ),
    (
        "deepnote static-site",
        &["deepnote static-site access --project-id PROJECT_ID --sharing enabled"],
    ),
    (
        "deepnote static-site access",
        &[
            "deepnote static-site access --project-id PROJECT_ID --sharing disabled",
            "deepnote static-site access --project-id PROJECT_ID --sharing enabled --api-access enabled",
        ],
    ),
    (
        "deepnote projects create",
        &[
            "deepnote projects create \"Q4 report\"",
            "deepnote projects create \"Q4 report\" -o json | jq -r .firstNotebookId",
        ],
    ),
    (
        "deepnote projects export",
        &[
            "deepnote projects export PROJECT_ID ./sales        # one .deepnote file per notebook",
            "deepnote projects export PROJECT_ID .              # other projects' files are kept",
            "deepnote projects export PROJECT_ID ./sales -o json | jq -r .contentHash",
        ],
    ),
    (
        "deepnote projects import",
        &[
            "deepnote projects import PROJECT_ID ./sales        # names what changed in Deepnote",
            "deepnote projects import PROJECT_ID ./sales --yes  # and overwrite it",
            "deepnote projects import PROJECT_ID ./sales --force",
            "deepnote projects import PROJECT_ID ./sales --delete-missing --yes",
        ],
    ),
    (
        "deepnote sync",
        &[
            "deepnote sync pull ./workspace",
            "deepnote sync push ./workspace --dry-run",
        ],
    ),
    (
        "deepnote sync pull",
        &[
            "deepnote sync pull                                 # into the current folder",
            "deepnote sync pull ./workspace --dry-run",
            "deepnote sync pull ./workspace --on-conflict remote",
        ],
    ),
    (
        "deepnote sync push",
        &[
            "deepnote sync push ./workspace --dry-run           # what would be sent",
            "deepnote sync push ./workspace",
            "deepnote sync push ./workspace --on-conflict local  # overwrite Deepnote's edits",
            "deepnote sync push ./workspace --delete-missing --yes",
        ],
    ),
    (
        "deepnote projects delete",
        &[
            "deepnote projects delete PROJECT_ID          # asks on a terminal",
            "deepnote projects delete PROJECT_ID --yes    # in a script",
        ],
    ),
    (
        "deepnote notebooks",
        &[
            "deepnote notebooks list PROJECT_ID",
            "deepnote notebooks update NOTEBOOK_ID \"Daily load\"",
        ],
    ),
    (
        "deepnote notebooks list",
        &[
            "deepnote notebooks list PROJECT_ID",
            "deepnote notebooks list PROJECT_ID -o json | jq -r '.[0].id'",
        ],
    ),
    (
        "deepnote notebooks get",
        &["deepnote notebooks get NOTEBOOK_ID"],
    ),
    (
        "deepnote notebooks create",
        &["deepnote notebooks create PROJECT_ID --name \"Daily load\""],
    ),
    (
        "deepnote notebooks delete",
        &[
            "deepnote notebooks delete NOTEBOOK_ID        # asks on a terminal",
            "deepnote notebooks delete NOTEBOOK_ID --yes  # in a script",
        ],
    ),
    (
        "deepnote notebooks runs",
        &[
            "deepnote notebooks runs NOTEBOOK_ID",
            "deepnote notebooks runs NOTEBOOK_ID --limit 1 -o json | jq -r '.[0].status'",
        ],
    ),
    (
        "deepnote notebooks inputs",
        &[
            "deepnote notebooks inputs NOTEBOOK_ID",
            "deepnote notebooks inputs NOTEBOOK_ID -o json | jq -r '.[].name'",
        ],
    ),
    (
        "deepnote notebooks update",
        &[
            "deepnote notebooks update NOTEBOOK_ID \"Daily load (v2)\"",
            "deepnote notebooks update NOTEBOOK_ID --name Init     # the project's init notebook",
        ],
    ),
    (
        "deepnote notebooks reorder",
        &[
            "deepnote notebooks reorder NOTEBOOK_ID BLOCK_A BLOCK_B   # to the top, A then B",
            "deepnote notebooks reorder NOTEBOOK_ID BLOCK_A --end",
            "deepnote notebooks reorder NOTEBOOK_ID BLOCK_A --after BLOCK_C",
        ],
    ),
    (
        "deepnote blocks",
        &[
            "deepnote blocks list NOTEBOOK_ID",
            "deepnote blocks create NOTEBOOK_ID --type sql --content-file query.sql",
        ],
    ),
    (
        "deepnote blocks list",
        &[
            "deepnote blocks list NOTEBOOK_ID",
            "deepnote blocks list NOTEBOOK_ID -o json | jq -r '.[] | select(.type == \"sql\") | .id'",
        ],
    ),
    (
        "deepnote blocks get",
        &["deepnote blocks get BLOCK_ID -o yaml"],
    ),
    (
        "deepnote blocks create",
        &[
            "deepnote blocks create NOTEBOOK_ID --content 'print(\"hello\")'",
            "deepnote blocks create NOTEBOOK_ID --type markdown --content '# Notes' --position 0",
            "deepnote blocks create NOTEBOOK_ID --type sql --content-file q.sql --integration ID",
        ],
    ),
    (
        "deepnote blocks update",
        &[
            "deepnote blocks update BLOCK_ID --content-file cell.py",
            "cat cell.py | deepnote blocks update BLOCK_ID --content-file -",
        ],
    ),
    (
        "deepnote blocks reorder",
        &[
            "deepnote blocks reorder NOTEBOOK_ID BLOCK_A BLOCK_B   # to the top, A then B",
            "deepnote blocks reorder NOTEBOOK_ID BLOCK_A --end",
            "deepnote blocks reorder NOTEBOOK_ID BLOCK_A --after BLOCK_C",
        ],
    ),
    (
        "deepnote blocks delete",
        &[
            "deepnote blocks delete BLOCK_ID              # asks on a terminal",
            "deepnote blocks delete BLOCK_ID --yes        # in a script",
        ],
    ),
    (
        "deepnote files",
        &[
            "deepnote files upload PROJECT_ID data/sales.csv",
            "deepnote files download PROJECT_ID sales.csv out/sales.csv",
        ],
    ),
    (
        "deepnote files upload",
        &[
            "deepnote files upload PROJECT_ID data/sales.csv               # as sales.csv",
            "deepnote files upload PROJECT_ID data/sales.csv inputs/q4.csv",
            "pg_dump mydb | deepnote files upload PROJECT_ID - dumps/mydb.sql",
        ],
    ),
    (
        "deepnote files download",
        &[
            "deepnote files download PROJECT_ID inputs/q4.csv              # to ./q4.csv",
            "deepnote files download PROJECT_ID results/model.pkl out/model.pkl",
            "deepnote files download PROJECT_ID results/summary.json - | jq .",
        ],
    ),
    (
        "deepnote files delete",
        &[
            "deepnote files delete PROJECT_ID inputs/q4.csv        # asks on a terminal",
            "deepnote files rm PROJECT_ID inputs/q4.csv --yes      # in a script; rm is delete",
        ],
    ),
    (
        "deepnote files copy",
        &["deepnote files copy SOURCE_PROJECT_ID inputs/q4.csv TARGET_PROJECT_ID   # or cp"],
    ),
    (
        "deepnote schedules",
        &[
            "deepnote schedules list NOTEBOOK_ID",
            "deepnote schedules set NOTEBOOK_ID --daily --at 09:00 --timezone Europe/Prague",
        ],
    ),
    (
        "deepnote schedules list",
        &[
            "deepnote schedules list NOTEBOOK_ID",
            "deepnote schedules list NOTEBOOK_ID -o json | jq -r '.[].cron'",
        ],
    ),
    (
        "deepnote schedules create",
        &[
            "deepnote schedules create NOTEBOOK_ID --cron '0 6 * * 1-5' --timezone UTC",
            "deepnote schedules create NOTEBOOK_ID --daily --at 18:30",
        ],
    ),
    (
        "deepnote schedules set",
        &[
            "deepnote schedules set NOTEBOOK_ID --daily --at 09:00 --timezone Europe/Prague",
            "deepnote schedules set NOTEBOOK_ID --cron '*/30 * * * *'",
        ],
    ),
    (
        "deepnote integrations",
        &[
            "deepnote integrations list",
            "deepnote integrations get INTEGRATION_ID",
        ],
    ),
    (
        "deepnote integrations list",
        &[
            "deepnote integrations list",
            "deepnote integrations list --type pgsql --type snowflake",
            "deepnote integrations list --name-contains sales -o json | jq -r '.[0].id'",
        ],
    ),
    (
        "deepnote integrations get",
        &[
            "deepnote integrations get INTEGRATION_ID",
            "deepnote integrations get INTEGRATION_ID --database sales --schema public -o json",
        ],
    ),
    (
        "deepnote machines",
        &[
            "deepnote machines types",
            "deepnote machines get PROJECT_ID",
        ],
    ),
    (
        "deepnote machines types",
        &["deepnote machines types -o json | jq -r '.[].id'"],
    ),
    (
        "deepnote machines get",
        &[
            "deepnote machines get PROJECT_ID",
            "deepnote machines get PROJECT_ID -o json | jq -r .status",
        ],
    ),
    (
        "deepnote machines set",
        &["deepnote machines set PROJECT_ID fjord"],
    ),
    (
        "deepnote sessions",
        &[
            "deepnote sessions create NOTEBOOK_ID -o json | jq -r .id",
            "deepnote sessions exec SESSION_ID --notebook NOTEBOOK_ID 'print(df.shape)'",
        ],
    ),
    (
        "deepnote sessions create",
        &[
            "deepnote sessions create NOTEBOOK_ID -i region=EMEA",
            "deepnote sessions create NOTEBOOK_ID --read-only --idle-shutdown 30m",
        ],
    ),
    (
        "deepnote sessions exec",
        &[
            "deepnote sessions exec SESSION_ID --notebook NOTEBOOK_ID 'print(df.shape)'",
            "deepnote sessions exec SESSION_ID --notebook NOTEBOOK_ID - < cell.py",
        ],
    ),
    (
        "deepnote search",
        &[
            "deepnote search revenue",
            "deepnote search \"SELECT * FROM sales\" --type blocks",
            "deepnote search churn --type projects --type notebooks -o json | jq -r '.[].id'",
        ],
    ),
    (
        "deepnote runs",
        &[
            "deepnote runs list NOTEBOOK_ID --limit 5",
            "deepnote runs get RUN_ID",
            "deepnote runs wait RUN_ID",
        ],
    ),
    (
        "deepnote runs list",
        &[
            "deepnote runs list NOTEBOOK_ID",
            "deepnote runs list NOTEBOOK_ID --limit 1 -o json | jq -r '.[0].status'",
        ],
    ),
    (
        "deepnote runs get",
        &[
            "deepnote runs get RUN_ID",
            "deepnote runs get RUN_ID --snapshot-out - > run.snapshot.deepnote",
        ],
    ),
    (
        "deepnote runs wait",
        &[
            "deepnote runs wait RUN_ID",
            "deepnote runs wait RUN_ID --timeout none --snapshot-out out/run.deepnote",
        ],
    ),
    (
        "deepnote me",
        &["deepnote me", "deepnote me -o json | jq -r .accessLevel"],
    ),
    (
        "deepnote execute",
        &["deepnote execute PROJECT_ID NOTEBOOK_ID"],
    ),
    (
        "deepnote auth",
        &["deepnote auth login", "deepnote auth status"],
    ),
    (
        "deepnote auth login",
        &[
            "deepnote auth login                                   # type the key, hidden",
            "vault read -field=key secret/deepnote | deepnote auth login",
            "deepnote --profile staging --base-url https://deepnote.internal auth login",
        ],
    ),
    ("deepnote auth status", &["deepnote auth status -o json"]),
    (
        "deepnote auth logout",
        &[
            "deepnote auth logout",
            "deepnote --profile staging auth logout",
        ],
    ),
    (
        "deepnote demo",
        &["deepnote demo", "deepnote demo -q && echo works"],
    ),
    (
        "deepnote emulator",
        &["deepnote emulator start --data-dir ~/.deepnote-emulator"],
    ),
    (
        "deepnote emulator start",
        &[
            "deepnote emulator start",
            "deepnote emulator start --port 0 --data-dir ./emulator-state",
            "export DEEPNOTE_BASE_URL=http://127.0.0.1:8765 \\",
            "       DEEPNOTE_API_KEY=deepnote-emulator-sample-key   # in another shell",
            "deepnote emulator start --dialect spec   # 200 on creates, as the original spec says",
        ],
    ),
    (
        "deepnote completions",
        &[
            "deepnote completions bash > ~/.local/share/bash-completion/completions/deepnote",
            "deepnote completions zsh > \"${fpath[1]}/_deepnote\"",
        ],
    ),
];

/// The Examples section for a command path, if it has one.
pub fn section(path: &str) -> Option<String> {
    let (_, lines) = EXAMPLES.iter().find(|(p, _)| *p == path)?;
    let mut text = String::from("Examples:");
    for line in *lines {
        text.push_str("\n  ");
        text.push_str(line);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    /// Examples are fixed text, so they cannot read the SDK's names; this keeps them the same.
    #[test]
    fn the_emulator_example_names_the_sdks_variables_and_the_sample_key() {
        let text = super::section("deepnote emulator start").unwrap();
        for needed in [
            format!("{}=http://127.0.0.1:", deepnote::client::BASE_URL_ENV),
            format!(
                "{}={}",
                deepnote::credentials::API_KEY_ENV,
                crate::local::SAMPLE_KEY
            ),
        ] {
            assert!(text.contains(&needed), "{needed} missing from:\n{text}");
        }
    }
}
