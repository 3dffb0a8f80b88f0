//! `deepnote schedules list|create|set`.

use crate::app::Context;
use crate::cli::{ScheduleArgs, SchedulesCommand};
use crate::exit::{CliError, CliResult};
use crate::output::{Column, col};
use deepnote::Client;

/// The table columns of a schedule list.
pub const SCHEDULE_COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("CRON", "/cron"),
    col("TIMEZONE", "/timezone"),
    col("NEXT RUN", "/nextRunAt"),
];

/// Runs one `schedules` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: SchedulesCommand) -> CliResult {
    match command {
        SchedulesCommand::List { notebook } => {
            let schedules = client.schedules().list(notebook).await?;
            for schedule in &schedules {
                ctx.out.list_item(schedule)?;
            }
            Ok(ctx.out.finish_list(SCHEDULE_COLUMNS, "schedules")?)
        }
        SchedulesCommand::Create { notebook, when } => {
            let mut request = client.schedules().create(notebook, cron(&when)?);
            if let Some(tz) = when.timezone {
                request = request.timezone(tz);
            }
            Ok(ctx.out.item(&request.send().await?)?)
        }
        SchedulesCommand::Set { notebook, when } => {
            let mut request = client.schedules().set(notebook, cron(&when)?);
            if let Some(tz) = when.timezone {
                request = request.timezone(tz);
            }
            Ok(ctx.out.item(&request.send().await?)?)
        }
    }
}

/// The expression, already checked by clap's parsers.
fn cron(when: &ScheduleArgs) -> CliResult<&str> {
    when.cron()
        .map(deepnote::Cron::as_str)
        .ok_or_else(|| CliError::usage("give --cron EXPR or --daily --at HH:MM"))
}
