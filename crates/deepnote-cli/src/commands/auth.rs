//! `deepnote auth login|status|logout`: the key stored in the user's config directory.

use crate::app::Context;
use crate::exit::{CliError, CliResult};
use crate::profile;
use clap::Subcommand;
use deepnote::{
    api::ApiKey,
    credentials::{Profile, Profiles},
};
use serde_json::json;
use std::io::{IsTerminal, Read};

/// `deepnote auth ...`
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Read an API key from stdin (hidden when typed) and store it in the profile
    Login {
        /// Store the key without checking it against the API first
        #[arg(long)]
        no_verify: bool,
    },
    /// Say which key would be used and where it comes from (never the key itself)
    Status,
    /// Remove the profile's stored key
    Logout,
}

/// Runs one `auth` subcommand.
pub fn run(ctx: &mut Context, command: AuthCommand) -> CliResult {
    match command {
        AuthCommand::Login { no_verify } => login(ctx, !no_verify),
        AuthCommand::Status => status(ctx),
        AuthCommand::Logout => logout(ctx),
    }
}

/// Reads the key without echo on a terminal, or whole from a pipe
/// (`vault read -field=key ... | deepnote auth login`), checks it with `GET /me` (a typo is
/// caught now, not in the next cron run), and stores it with mode 0600.
fn login(ctx: &mut Context, verify: bool) -> CliResult {
    let typed = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Deepnote API key (input hidden): ")
            .map_err(|e| CliError::usage(format!("cannot read the key from the terminal: {e}")))?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::usage(format!("cannot read the key from stdin: {e}")))?;
        text
    };
    let key = ApiKey::new(&typed).map_err(|e| CliError::usage(format!("the API key: {e}")))?;
    if verify {
        let who = verify_key(&key, ctx.global.base_url.as_deref())?;
        ctx.note(who);
    }
    let path = profile::credentials_path()?;
    let mut credentials = Profiles::load(&path)?;
    let name = ctx.global.profile.clone();
    credentials.profiles.insert(
        name.clone(),
        Profile {
            api_key: key.expose_secret().to_string(),
            base_url: ctx.global.base_url.clone(),
        },
    );
    credentials.save(&path)?;
    ctx.note(format!(
        "stored the key for profile `{name}` in {}",
        path.display()
    ));
    Ok(())
}

fn status(ctx: &mut Context) -> CliResult {
    let found = profile::find_key(ctx.global.api_key_file.as_deref(), &ctx.global.profile)?;
    let base_url = ctx
        .global
        .base_url
        .clone()
        .or(found.base_url().map(str::to_string));
    ctx.out.item(&json!({
        "keySource": found.source().to_string(),
        "baseUrl": base_url.unwrap_or_else(|| deepnote::api::DEFAULT_HOST.into()),
    }))?;
    Ok(())
}

fn logout(ctx: &mut Context) -> CliResult {
    let path = profile::credentials_path()?;
    let mut credentials = Profiles::load(&path)?;
    let name = &ctx.global.profile;
    if credentials.profiles.remove(name).is_none() {
        ctx.note(format!("profile `{name}` holds no key; nothing to remove"));
        return Ok(());
    }
    credentials.save(&path)?;
    ctx.note(format!("removed profile `{name}` from {}", path.display()));
    Ok(())
}

/// One `GET /me` with the key; says whose it is.
fn verify_key(key: &ApiKey, base_url: Option<&str>) -> CliResult<String> {
    let client = crate::connect::build(key, base_url)?;
    let me = crate::app::runtime(false)?.block_on(client.me().get())?;
    Ok(format!(
        "the key works: {} of workspace {:?}",
        me.access_level
            .as_ref()
            .map_or("unknown access", |a| a.as_str()),
        me.workspace_name().unwrap_or("(unnamed)")
    ))
}
