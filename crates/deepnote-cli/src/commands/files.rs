//! `deepnote files upload|download|delete|copy` (`rm` and `cp` too): streamed both ways, with a progress bar on a
//! terminal fed by the SDK's progress callbacks.

use crate::app::Context;
use crate::exit::{CliError, CliResult};
use crate::progress::{Mode, Transfer};
use clap::Subcommand;
use deepnote::Client;
use std::path::{Path, PathBuf};

/// `deepnote files ...`
#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// Upload a local file into a project (streamed; the server never overwrites: a taken path
    /// gets a unique one, which is printed)
    Upload {
        /// The project's id
        project: String,
        /// The local file (`-`: stdin)
        #[arg(value_name = "LOCAL")]
        local_path: PathBuf,
        /// Its path in the project [default: the local file's name]
        remote: Option<String>,
    },
    /// Download a project's file (streamed; the local file is replaced only once complete)
    Download {
        /// The project's id
        project: String,
        /// Its path in the project
        remote: String,
        /// Where to write it: a file, a directory (under its name) or `-` (stdout) [default: its
        /// name, in the current directory]
        #[arg(value_name = "LOCAL")]
        local_path: Option<PathBuf>,
    },
    /// Delete a project's file (asks first on a terminal; --yes elsewhere)
    #[command(visible_alias = "rm")]
    Delete {
        /// The project's id
        project: String,
        /// Its path in the project
        remote: String,
        /// Delete without asking (needed when stdin is not a terminal)
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Copy a file from one project into another, at the same path
    #[command(visible_alias = "cp")]
    Copy {
        /// The project the file is in
        source: String,
        /// Its path there
        remote: String,
        /// The project to copy it into
        target: String,
    },
}

/// Runs one `files` subcommand.
pub async fn run(ctx: &mut Context, client: &Client, command: FilesCommand) -> CliResult {
    match command {
        FilesCommand::Upload {
            project,
            local_path,
            remote,
        } => upload(ctx, client, project, &local_path, remote).await,
        FilesCommand::Download {
            project,
            remote,
            local_path,
        } => download(ctx, client, project, remote, local_path).await,
        FilesCommand::Delete {
            project,
            remote,
            yes,
        } => {
            crate::confirm::delete(&format!("file {remote} of project {project}"), yes)?;
            client.files().delete(project.as_str(), &remote).await?;
            ctx.note(format!("deleted {remote} from project {project}"));
            Ok(())
        }
        FilesCommand::Copy {
            source,
            remote,
            target,
        } => {
            let answer = client
                .files()
                .copy(source.as_str(), &remote, target.as_str())
                .await?;
            ctx.note(format!("copied {remote} from project {source} to {target}"));
            Ok(ctx.out.item(&answer)?)
        }
    }
}

fn stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

async fn upload(
    ctx: &mut Context,
    client: &Client,
    project: String,
    local: &Path,
    remote: Option<String>,
) -> CliResult {
    let remote = match remote {
        Some(remote) => remote,
        None if stdio(local) => {
            return Err(CliError::usage(
                "uploading stdin needs the file's path in the project: \
                 `deepnote files upload PROJECT - REMOTE`",
            ));
        }
        None => file_name(local)?,
    };
    let size = if stdio(local) {
        None
    } else {
        // Checked here, so a missing file is a usage error before any request.
        let meta = std::fs::metadata(local)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", local.display())))?;
        if !meta.is_file() {
            return Err(CliError::usage(format!(
                "{} is not a file",
                local.display()
            )));
        }
        Some(meta.len())
    };
    let mut bar = Transfer::start(
        Mode::detect(ctx.global.quiet),
        &format!("upload {remote}"),
        size,
    );
    let mut request = client.files().upload(project, remote.as_str());
    if let Some(callback) = bar.callback() {
        request = request.progress(callback);
    }
    let result = if stdio(local) {
        request.from_reader(tokio::io::stdin(), None).await
    } else {
        request.from_path(local).await
    };
    bar.finish();
    let file = result?;
    if file.path != remote {
        ctx.note(format!(
            "note: {remote} was taken in the project, so the server stored the file as {} \
             (it never overwrites; `deepnote files rm` first to replace)",
            file.path
        ));
    }
    Ok(ctx.out.item(&file)?)
}

async fn download(
    ctx: &mut Context,
    client: &Client,
    project: String,
    remote: String,
    local: Option<PathBuf>,
) -> CliResult {
    let local = match local {
        // Into a directory, as `cp` does: under the remote file's name.
        Some(dir) if dir.is_dir() => dir.join(file_name(Path::new(&remote))?),
        Some(local) => local,
        None => PathBuf::from(file_name(Path::new(&remote))?),
    };
    let mut bar = Transfer::start(
        Mode::detect(ctx.global.quiet),
        &format!("download {remote}"),
        None,
    );
    let mut request = client.files().download(project, remote.as_str());
    if let Some(callback) = bar.callback() {
        request = request.progress(callback);
    }
    let result = if stdio(&local) {
        request.to_writer(tokio::io::stdout()).await
    } else {
        request.to_path(&local).await
    };
    bar.finish();
    let size = result?;
    if !stdio(&local) {
        ctx.note(format!(
            "downloaded {remote} ({size} bytes) to {}",
            local.display()
        ));
    }
    Ok(())
}

/// The last part of a path, as the default name on the other side.
fn file_name(path: &Path) -> CliResult<String> {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            CliError::usage(format!(
                "{} names no file; give the path on the other side too",
                path.display()
            ))
        })
}
