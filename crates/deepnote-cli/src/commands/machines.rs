//! `deepnote machines types|get|set`: machine types, and a project's machine.

use crate::app::Context;
use crate::exit::CliResult;
use crate::output::{Column, col};
use clap::Subcommand;
use deepnote::Client;

/// The table columns of the machine types.
pub const MACHINE_TYPE_COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("NAME", "/name"),
    col("VCPUS", "/vCpus"),
    col("MEMORY GIB", "/memoryGiB"),
    col("GPUS", "/gpuCount"),
    col("KIND", "/type"),
];

/// `deepnote machines ...`
#[derive(Debug, Subcommand)]
pub enum MachinesCommand {
    /// List the machine types projects can run on
    Types,
    /// Show a project's editor machine: status and type
    Get {
        /// The project's id
        project: String,
    },
    /// Change a project's machine type (the request's shape is inferred from Deepnote's
    /// machines guide, so the live API may refuse it)
    Set {
        /// The project's id
        project: String,
        /// The machine type's id, as `deepnote machines types` lists it
        machine_type: String,
    },
}

/// Runs one `machines` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: MachinesCommand) -> CliResult {
    match command {
        MachinesCommand::Types => {
            for machine_type in &client.machines().types().await? {
                ctx.out.list_item(machine_type)?;
            }
            Ok(ctx.out.finish_list(MACHINE_TYPE_COLUMNS, "machine types")?)
        }
        MachinesCommand::Get { project } => {
            Ok(ctx.out.item(&client.machines().get(project).await?)?)
        }
        MachinesCommand::Set {
            project,
            machine_type,
        } => {
            let machine = client.machines().set_type(project, machine_type).await?;
            Ok(ctx.out.item(&machine)?)
        }
    }
}
