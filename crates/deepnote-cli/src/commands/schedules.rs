//! `deepnote schedules list|create|set`.

use crate::app::Context;
use crate::exit::{CliError, CliResult};
use crate::output::{Column, col};
use clap::{Args, Subcommand};
use deepnote::Client;

/// The table columns of a schedule list.
pub const SCHEDULE_COLUMNS: &[Column] = &[
    col("ID", "/id"),
    col("CRON", "/cron"),
    col("TIMEZONE", "/timezone"),
    col("NEXT RUN", "/nextRunAt"),
];

/// `deepnote schedules ...`
#[derive(Debug, Subcommand)]
pub enum SchedulesCommand {
    /// List a notebook's schedules
    List {
        /// The notebook's id
        notebook: String,
    },
    /// Add a schedule to a notebook, next to any it has: --cron EXPR, or --daily --at HH:MM
    Create {
        /// The notebook's id
        notebook: String,
        /// When it runs.
        #[command(flatten)]
        when: ScheduleArgs,
    },
    /// Set a notebook's one schedule, creating or replacing it (what Deepnote's own CLI's
    /// `schedule` does): --cron EXPR, or --daily --at HH:MM
    Set {
        /// The notebook's id
        notebook: String,
        /// When it runs.
        #[command(flatten)]
        when: ScheduleArgs,
    },
}

/// When a schedule runs: a cron expression, or every day at a time.
#[derive(Debug, Args, Clone)]
#[group(skip)]
pub struct ScheduleArgs {
    /// A five-field cron expression: minute hour day-of-month month day-of-week
    #[arg(long, value_name = "EXPR", value_parser = parse_cron,
          required_unless_present = "daily", conflicts_with = "daily")]
    pub cron: Option<deepnote::schedules::Cron>,
    /// Every day, at --at
    #[arg(long, requires = "at")]
    pub daily: bool,
    /// With --daily: the time of day, HH:MM (24-hour)
    #[arg(long, value_name = "HH:MM", requires = "daily", value_parser = parse_daily)]
    pub at: Option<deepnote::schedules::Cron>,
    /// The IANA time zone the time is read in, such as Europe/Prague [default: the server's,
    /// UTC]; checked against the IANA database before anything is sent
    #[arg(long, value_name = "TZ", value_parser = parse_timezone)]
    pub timezone: Option<deepnote::schedules::TimeZone>,
}

impl ScheduleArgs {
    /// The cron expression these flags give (clap has checked that one of them is there).
    pub fn cron(&self) -> Option<&deepnote::schedules::Cron> {
        self.cron.as_ref().or(self.at.as_ref())
    }
}

fn parse_cron(text: &str) -> Result<deepnote::schedules::Cron, String> {
    deepnote::schedules::Cron::parse(text).map_err(|e| e.to_string())
}

fn parse_daily(text: &str) -> Result<deepnote::schedules::Cron, String> {
    deepnote::schedules::Cron::daily_at(text).map_err(|e| e.to_string())
}

fn parse_timezone(text: &str) -> Result<deepnote::schedules::TimeZone, String> {
    deepnote::schedules::TimeZone::parse(text).map_err(|e| e.to_string())
}

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
        .map(deepnote::schedules::Cron::as_str)
        .ok_or_else(|| CliError::usage("give --cron EXPR or --daily --at HH:MM"))
}
