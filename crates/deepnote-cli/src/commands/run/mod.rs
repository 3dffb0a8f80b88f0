//! `deepnote run NOTEBOOK`: start a run, then (unless `--no-wait`) watch it to its end.
//! Several notebooks go to [`batch`].

mod batch;
mod file_ids;
mod notebook_file;
mod project_create;

use crate::app::Context;
use crate::exit::CliResult;
use crate::inputs::{InputArg, parse_input};
use crate::snapshots::{DEFAULT_DIR, Target};
use crate::watch::WaitArgs;
use crate::{inputs, watch};
use clap::Args;
use deepnote::{Client, runs::StorageMode};
use std::path::PathBuf;

/// `deepnote run NOTEBOOK... ...`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The notebook's id, or a .deepnote file naming it (see --notebook, --push); several run
    /// together (see --concurrency)
    #[arg(value_name = "NOTEBOOK", required_unless_present = "from_file")]
    pub notebooks: Vec<String>,
    /// With a .deepnote file holding several notebooks: run the one of this name (or id)
    #[arg(long, value_name = "NAME")]
    pub notebook: Option<String>,
    /// With a .deepnote file: first send it to its project (the notebook there takes the
    /// file's version; the project is created, and its ids recorded in the file, when the
    /// workspace lacks it), then run. Blocks edited in Deepnote since the file was pulled are
    /// named and nothing is sent (exit 1), unless --yes (a terminal asks)
    #[arg(long)]
    pub push: bool,
    /// With --push: overwrite what changed in Deepnote since the file was pulled
    #[arg(long, short = 'y', requires = "push")]
    pub yes: bool,
    /// Also run the notebooks this file lists, one id a line (`#` starts a comment; `-`: stdin)
    #[arg(long, value_name = "FILE")]
    pub from_file: Option<PathBuf>,
    /// With several notebooks: how many run at a time (1-64)
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::builder::TypedValueParser::map(
              clap::value_parser!(u16).range(1..=64), usize::from))]
    pub concurrency: usize,
    /// An input block's value, NAME=VALUE (repeatable): true/false is sent as a boolean, a JSON
    /// array of strings as a list, anything else as a string (`n=3` sends "3"); a JSON object,
    /// null or a list of non-strings is refused
    #[arg(long = "input", short = 'i', value_name = "NAME=VALUE", value_parser = parse_input)]
    pub inputs: Vec<InputArg>,
    /// A JSON object of input values (`-` for stdin); --input overrides its entries
    #[arg(long, value_name = "PATH")]
    pub input_file: Option<PathBuf>,
    /// Run only this block (repeatable); a block run is always live
    #[arg(long = "block", value_name = "ID")]
    pub blocks: Vec<String>,
    /// With --block, also run the blocks that depend on them
    #[arg(long, requires = "blocks")]
    pub dependents: bool,
    /// Run detached, on a machine of its own: the default for a whole notebook (cannot be
    /// combined with --block)
    #[arg(long, conflicts_with_all = ["blocks", "live"])]
    pub detached: bool,
    /// Run the whole notebook live, in the project's session, instead of detached
    #[arg(long, conflicts_with = "storage_mode")]
    pub live: bool,
    /// How a detached run may use the project's storage (makes the run detached; cannot be
    /// combined with --block)
    #[arg(
        long,
        value_name = "MODE",
        conflicts_with = "blocks",
        value_parser = storage_modes()
    )]
    pub storage_mode: Option<StorageMode>,
    /// Print the started run and exit without waiting
    #[arg(long, conflicts_with_all = ["timeout", "snapshot_out"])]
    pub no_wait: bool,
    /// Do not save the snapshot. By default it is saved as Deepnote's CLI saves it:
    /// `snapshots/<slug>_<projectId>[_<notebookId>]_<timestamp>.snapshot.deepnote` and a
    /// `_latest` copy, under the current directory
    #[arg(long, conflicts_with = "snapshot_out")]
    pub no_snapshot: bool,
    /// Timeout and snapshot.
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `--storage-mode`: the SDK's modes, each as the API spells it with `-` for `_` (the API's
/// own spelling is accepted too).
fn storage_modes() -> impl clap::builder::TypedValueParser<Value = StorageMode> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let flag = |mode: StorageMode| mode.to_string().replace('_', "-");
    let values = STORAGE_MODES.iter().map(move |&(mode, help)| {
        let value = PossibleValue::new(flag(mode)).help(help);
        if flag(mode) == mode.to_string() {
            value
        } else {
            value.alias(mode.to_string())
        }
    });
    PossibleValuesParser::new(values).try_map(move |given| {
        STORAGE_MODES
            .iter()
            .map(|&(mode, _)| mode)
            .find(|&mode| flag(mode) == given || mode.to_string() == given)
            .ok_or_else(|| format!("`{given}` is not a storage mode"))
    })
}

/// Every storage mode, in the API's order, with what a run in it may do, for `--help`.
const STORAGE_MODES: &[(StorageMode, &str)] = &[
    (StorageMode::ReadWrite, "Read and write the project's files"),
    (StorageMode::ReadOnly, "Read the project's files only"),
];

/// Starts the run and, by default, waits for it.
pub async fn run(ctx: &mut Context, client: &Client, mut args: RunArgs) -> CliResult {
    notebook_file::resolve(ctx, client, &mut args).await?;
    let mut notebooks = batch::notebooks(&args)?;
    if notebooks.len() > 1 {
        return batch::run(ctx, client, &args, notebooks).await;
    }
    let notebook = notebooks.remove(0);
    let values = inputs::of(args.input_file.as_deref(), &args.inputs)?;
    let request = batch::request(&args, &notebook, &values);
    // The snapshot's destination is checked before the run starts, not after it ends.
    let snapshot = snapshot_target(&args);
    snapshot.prepare()?;
    let handle = match client.runs().start(&request).await {
        Ok(handle) => handle,
        Err(error) => {
            watch::report_not_started(&notebook, &error);
            return Err(crate::errors::about(subject(&notebook, &args), error));
        }
    };
    ctx.note(format!(
        "started run {} of notebook {}",
        handle.id(),
        notebook
    ));
    if args.no_wait {
        return Ok(ctx.out.item(&handle)?);
    }
    watch::wait_and_report(ctx, client, handle.wait(), &notebook, &args.wait, &snapshot).await
}

/// What a refused start concerns: the notebook, and the blocks `--block` named (the server's
/// "Block not found in notebook" names neither).
fn subject(notebook: &str, args: &RunArgs) -> String {
    if args.blocks.is_empty() {
        format!("notebook {notebook}")
    } else {
        format!("notebook {notebook} (--block {})", args.blocks.join(", "))
    }
}

/// `--snapshot-out`, else `--no-snapshot`, else Deepnote's `snapshots/` directory.
fn snapshot_target(args: &RunArgs) -> Target {
    let default = if args.no_snapshot || args.no_wait {
        Target::Nowhere
    } else {
        Target::Dir(DEFAULT_DIR.into())
    };
    Target::from_flag(args.wait.snapshot_out.as_deref(), default)
}

#[cfg(test)]
mod tests {
    use crate::cli::{Cli, Command};
    use crate::duration::Deadline;
    use clap::Parser;
    use std::time::Duration;

    #[test]
    fn run_flags_combine_as_the_api_allows() {
        let ok = Cli::try_parse_from([
            "deepnote",
            "run",
            "nb",
            "-i",
            "n=3",
            "--input",
            "s=x",
            "--block",
            "b1",
            "--dependents",
            "--timeout",
            "10m",
        ])
        .unwrap();
        let Command::Run(run) = ok.command else {
            panic!("not run")
        };
        assert_eq!(run.inputs.len(), 2);
        // Alone, a storage mode is a detached run's.
        let alone = Cli::try_parse_from(["deepnote", "run", "nb", "--storage-mode", "readonly"]);
        assert!(alone.is_ok());
        assert_eq!(run.wait.timeout, Deadline(Some(Duration::from_secs(600))));
        for bad in [
            &["deepnote", "run", "nb", "--detached", "--block", "b"][..],
            &["deepnote", "run", "nb", "--dependents"],
            // A storage mode implies detached, which a block run or a live run is not.
            &[
                "deepnote",
                "run",
                "nb",
                "--block",
                "b",
                "--storage-mode",
                "readonly",
            ],
            &[
                "deepnote",
                "run",
                "nb",
                "--live",
                "--storage-mode",
                "readonly",
            ],
            &["deepnote", "run", "nb", "--live", "--detached"],
            &["deepnote", "run", "nb", "--input", "obj={}"],
            &["deepnote", "run", "nb", "--no-wait", "--timeout", "1m"],
            &["deepnote", "run", "nb", "--input", "novalue"],
            &["deepnote", "projects", "list", "--page-size", "101"],
        ] {
            let err = Cli::try_parse_from(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
        }
    }
}
