//! The whole `--help` tree, snapshotted: a changed flag or text shows up in review.

use clap::CommandFactory;
use deepnote_cli::cli::Cli;

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
    let mut command = Cli::command().term_width(100);
    command.build();
    let mut pages = Vec::new();
    walk(&mut command, "deepnote", &mut pages);
    assert!(pages.len() >= 20, "only {} help pages", pages.len());
    for (path, help) in pages {
        let name = path.replace(' ', "_");
        insta::assert_snapshot!(name, help, &format!("{path} --help"));
    }
}
