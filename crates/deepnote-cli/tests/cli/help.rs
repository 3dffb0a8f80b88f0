//! The whole `--help` tree, snapshotted: a changed flag or text shows up in review.

fn walk(command: &mut clap::Command, path: &str, out: &mut Vec<(String, String)>) {
    let help = command.render_long_help().to_string();
    out.push((path.to_string(), help));
    let names: Vec<String> = command
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .map(|c| c.get_name().to_string())
        .collect();
    for name in names {
        let sub = command.find_subcommand_mut(&name).unwrap();
        walk(sub, &format!("{path} {name}"), out);
    }
}

#[test]
fn help_tree() {
    // A fixed width, so the snapshots do not depend on the terminal that runs the tests.
    let mut command = deepnote_cli::command().term_width(100);
    command.build();
    let mut pages = Vec::new();
    walk(&mut command, "deepnote", &mut pages);
    assert!(pages.len() >= 20, "only {} help pages", pages.len());
    for (path, help) in &pages {
        assert!(
            help.contains("\nExamples:\n  deepnote"),
            "{path} has no examples:\n{help}"
        );
        if path != "deepnote" {
            // The global options are listed once, in `deepnote --help`.
            assert!(
                !help.contains("--api-key-file"),
                "{path} repeats the global options"
            );
        }
    }
    let top = &pages[0].1;
    for global in [
        "--output",
        "--quiet",
        "--verbose",
        "--api-key-file",
        "--base-url",
        "--allow-http",
        "--profile",
        "--local",
    ] {
        assert!(top.contains(global), "deepnote --help lacks {global}");
    }
    for (path, help) in pages {
        let name = path.replace(' ', "_");
        insta::assert_snapshot!(name, help, &format!("{path} --help"));
    }
}
