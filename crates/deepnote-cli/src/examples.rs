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
        "deepnote projects create",
        &[
            "deepnote projects create \"Q4 report\"",
            "deepnote projects create \"Q4 report\" -o json | jq -r .firstNotebookId",
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
            "deepnote notebooks runs NOTEBOOK_ID --limit 5",
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
        "deepnote runs",
        &["deepnote runs get RUN_ID", "deepnote runs wait RUN_ID"],
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
