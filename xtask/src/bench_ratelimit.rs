//! `cargo xtask bench ratelimit [sync|sliding|many|list]...`: Deepnote's 60-second rate-limit
//! window on the emulator (`--rate-limit`, per key), ridden out by our CLI and, for `sync` and
//! `sliding`, by Deepnote's CLI 0.10.0 on the same emulator (its venv is the one
//! `official-cli.sh` makes, under the target directory; made here if missing).
//!
//! - `sync`: `deepnote sync pull` of 40 projects (41 with nothing else) under 20 requests per
//!   60 s, ours, then Deepnote's `deepnote sync` on the same workspace and window.
//! - `sliding`: the same under a sliding window (the last 60 s) instead of a fixed one.
//! - `many`: `deepnote run --from-file` of 200 short runs (20 notebooks, 10 each) under 100
//!   requests per 60 s: the SDK's `run_many`.
//! - `list`: `deepnote projects list` with each rate-limit header alone, after the window was
//!   spent by other requests of the same key: the floor is the time the window had left.
//!
//! Each row gives the requests the emulator saw, the 429s among them, the time, and the floor:
//! the requests it took (429s left out) over the rate (for `list`, the time the spent window
//! had left). These runs take minutes of real time.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WINDOW_MS: u64 = 60_000;

struct Row {
    case: String,
    client: &'static str,
    ok: bool,
    requests: usize,
    refused: usize,
    most_refused: usize,
    secs: f64,
    floor: f64,
}

struct Emu {
    child: Child,
    addr: String,
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn run(cases: &[&str]) -> Result<()> {
    let known = ["sync", "sliding", "many", "list"];
    if let Some(bad) = cases.iter().find(|c| !known.contains(c)) {
        bail!("unknown case {bad:?}; the cases are {}", known.join(", "));
    }
    let wants = |c: &str| cases.is_empty() || cases.contains(&c);
    let dir = crate::bench::build(
        &[
            ("deepnote-emulator", "deepnote-emulator"),
            ("deepnote-cli", "deepnote"),
        ],
        // The dev profile: the time is the limit's, not the clients' CPU.
        false,
    )?;
    let emulator = dir.join("deepnote-emulator");
    let ours = dir.join("deepnote");
    let work = crate::bench::target_dir().join("bench-ratelimit");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let mut rows = Vec::new();
    for (case, sliding) in [("sync", false), ("sliding", true)] {
        if wants(case) {
            let theirs = official_cli()?;
            rows.extend(sync(&emulator, &ours, &theirs, &work, sliding)?);
        }
    }
    if wants("many") {
        rows.push(many(&emulator, &ours, &work)?);
    }
    if wants("list") {
        rows.extend(list(&emulator, &ours, &work)?);
    }
    println!(
        "| Case | Client | Result | Requests | 429s | Most 429s for one request | Time | Floor | Time / floor |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.1} s | {:.1} s | {:.3} |",
            r.case,
            r.client,
            if r.ok { "ok" } else { "FAILED" },
            r.requests,
            r.refused,
            r.most_refused,
            r.secs,
            r.floor,
            r.secs / r.floor
        );
    }
    Ok(())
}

/// Deepnote's CLI 0.10.0 in the venv `official-cli.sh` uses, made if it is not there.
fn official_cli() -> Result<PathBuf> {
    let venv = crate::bench::target_dir().join("official-cli-venv");
    let cli = venv.join("bin/deepnote");
    if !cli.exists() {
        eprintln!(
            "bench: installing deepnote-cli 0.10.0 into {}",
            venv.display()
        );
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()?
            .success()
            && Command::new(venv.join("bin/pip"))
                .args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "deepnote-cli==0.10.0",
                ])
                .status()?
                .success();
        if !ok {
            bail!("cannot install deepnote-cli 0.10.0 into {}", venv.display());
        }
    }
    Ok(cli)
}

fn start(bin: &Path) -> Result<Emu> {
    let (child, addr) = crate::bench::start(bin)?;
    Ok(Emu { child, addr })
}

/// Set the rate limit (which restarts every key's window) and clear the journal.
fn limit(emu: &Emu, requests: u32, sliding: bool, headers: serde_json::Value) -> Result<()> {
    let faults = serde_json::json!({
        "rateLimit": {
            "requests": requests, "windowMs": WINDOW_MS, "sliding": sliding, "headers": headers
        }
    });
    crate::bench::request(&emu.addr, "PUT", "/_emulator/faults", &faults.to_string())?;
    crate::bench::request(&emu.addr, "DELETE", "/_emulator/journal", "")?;
    Ok(())
}

fn all_headers() -> serde_json::Value {
    serde_json::json!({"retryAfter": "seconds", "reset": "seconds", "limit": true})
}

/// The API requests the journal holds since it was cleared: how many, how many were 429s, and
/// the most 429s any one method and path met.
fn journal(emu: &Emu) -> Result<(usize, usize, usize)> {
    let entries = crate::bench::request(&emu.addr, "GET", "/_emulator/journal", "")?;
    let entries = entries
        .get("entries")
        .unwrap_or(&entries)
        .as_array()
        .context("the journal is a list")?
        .clone();
    let mut per = std::collections::HashMap::<String, usize>::new();
    let mut refused = 0;
    for e in &entries {
        if e["status"] == 429 {
            refused += 1;
            let key = format!("{} {}", e["method"], e["path"]);
            *per.entry(key).or_default() += 1;
        }
    }
    Ok((
        entries.len(),
        refused,
        per.values().copied().max().unwrap_or(0),
    ))
}

/// The floor the limit allows: `requests` at `per_window` a window (the measure; a
/// fixed window lets a burst finish one window sooner).
fn floor(requests: usize, per_window: u32) -> f64 {
    requests as f64 * WINDOW_MS as f64 / 1000.0 / f64::from(per_window)
}

fn ours(bin: &Path, emu: &Emu, work: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.current_dir(work)
        .env("DEEPNOTE_API_KEY", crate::bench::KEY)
        .env("DEEPNOTE_CONFIG_DIR", work.join("config"))
        .env_remove("DEEPNOTE_PROFILE")
        .args(["--base-url", &format!("http://{}", emu.addr)])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

fn timed(mut cmd: Command, log: &Path) -> Result<(bool, f64)> {
    let started = Instant::now();
    let out = cmd.output().context("starting the client")?;
    let secs = started.elapsed().as_secs_f64();
    std::fs::write(log, &out.stderr)?;
    Ok((out.status.success(), secs))
}

fn deepnote_files(dir: &Path) -> usize {
    let mut n = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                n += deepnote_files(&p);
            } else if p.extension().is_some_and(|x| x == "deepnote") {
                n += 1;
            }
        }
    }
    n
}

fn sync(
    emulator: &Path,
    ours_bin: &Path,
    theirs: &Path,
    work: &Path,
    sliding: bool,
) -> Result<Vec<Row>> {
    const PROJECTS: usize = 40;
    const RATE: u32 = 20;

    /// The row of one client's sync: its requests and 429s from the journal, the files it wrote.
    fn sync_row(
        emu: &Emu,
        dir: &Path,
        case: &str,
        client: &'static str,
        ok: bool,
        secs: f64,
    ) -> Result<Row> {
        let (requests, refused, most) = journal(emu)?;
        let files = deepnote_files(dir);
        Ok(Row {
            case: format!("{case} ({files} files)"),
            client,
            // Each project holds the notebook made here and the one a new project starts with.
            ok: ok && files >= PROJECTS,
            requests,
            refused,
            most_refused: most,
            secs,
            floor: floor(requests - refused, RATE),
        })
    }

    let emu = start(emulator)?;
    for i in 0..PROJECTS {
        let project = crate::bench::create_project(&emu.addr, &format!("Project {i:02}"))?;
        crate::bench::request(
            &emu.addr,
            "POST",
            "/v2/notebooks",
            &serde_json::json!({"projectId": project, "name": "Analysis"}).to_string(),
        )?;
    }
    let kind = if sliding { "sliding" } else { "fixed" };
    let case = if sliding {
        format!("`sync pull`, {PROJECTS} projects, {RATE} per sliding 60 s")
    } else {
        format!("`sync pull`, {PROJECTS} projects, {RATE} per 60 s")
    };
    let mut rows = Vec::new();

    eprintln!("bench: ours: deepnote sync pull ({PROJECTS} projects, {RATE}/60 s {kind})");
    limit(&emu, RATE, sliding, all_headers())?;
    let dir = work.join(format!("ours-sync-{kind}"));
    let (ok, secs) = timed(
        ours(
            ours_bin,
            &emu,
            work,
            &["sync", "pull", dir.to_str().unwrap_or(".")],
        ),
        &work.join(format!("ours-sync-{kind}.err")),
    )?;
    rows.push(sync_row(&emu, &dir, &case, "ours", ok, secs)?);

    eprintln!(
        "bench: Deepnote's CLI 0.10.0: deepnote sync ({PROJECTS} projects, {RATE}/60 s {kind})"
    );
    limit(&emu, RATE, sliding, all_headers())?;
    let dir = work.join(format!("theirs-sync-{kind}"));
    let home = work.join(format!("theirs-home-{kind}"));
    std::fs::create_dir_all(&home)?;
    let mut cmd = Command::new(theirs);
    cmd.current_dir(&home)
        .env_remove("DEEPNOTE_TOKEN")
        .env("HOME", &home)
        .env("NO_COLOR", "1")
        .env("NO_PROXY", "*")
        .arg("sync")
        .arg(&dir)
        .args(["--url", &format!("http://{}", emu.addr)])
        .args(["--token", crate::bench::KEY])
        .args(["--on-conflict", "skip", "-o", "json"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let (ok, secs) = timed(cmd, &work.join(format!("theirs-sync-{kind}.err")))?;
    rows.push(sync_row(
        &emu,
        &dir,
        &case,
        "Deepnote's CLI 0.10.0",
        ok,
        secs,
    )?);
    Ok(rows)
}

fn many(emulator: &Path, ours_bin: &Path, work: &Path) -> Result<Row> {
    const NOTEBOOKS: usize = 20;
    const EACH: usize = 10;
    const RATE: u32 = 100;
    let emu = start(emulator)?;
    let project = crate::bench::create_project(&emu.addr, "many")?;
    let mut ids = String::new();
    for i in 0..NOTEBOOKS {
        let created = crate::bench::request(
            &emu.addr,
            "POST",
            "/v2/notebooks",
            &serde_json::json!({"projectId": project, "name": format!("nb {i}")}).to_string(),
        )?;
        let id = created["notebook"]["id"]
            .as_str()
            .or_else(|| created["id"].as_str())
            .context("notebook id")?
            .to_string();
        for _ in 0..EACH {
            ids.push_str(&id);
            ids.push('\n');
        }
    }
    let list = work.join("many.txt");
    std::fs::write(&list, ids)?;
    let runs = NOTEBOOKS * EACH;
    eprintln!("bench: ours: deepnote run --from-file ({runs} runs, {RATE}/60 s)");
    limit(&emu, RATE, false, all_headers())?;
    let cmd = ours(
        ours_bin,
        &emu,
        work,
        &[
            "run",
            "--from-file",
            list.to_str().unwrap_or("many.txt"),
            "--no-snapshot",
            "--concurrency",
            "16",
            "--output",
            "json",
        ],
    );
    let (ok, secs) = timed(cmd, &work.join("many.err"))?;
    let (requests, refused, most) = journal(&emu)?;
    Ok(Row {
        case: format!("`run_many`, {runs} short runs, {RATE} per 60 s"),
        client: "ours",
        ok,
        requests,
        refused,
        // Every create has the same method and path: the count says nothing of one request.
        most_refused: most.min(refused),
        secs,
        floor: floor(requests - refused, RATE),
    })
}

fn list(emulator: &Path, ours_bin: &Path, work: &Path) -> Result<Vec<Row>> {
    const RATE: u32 = 5;
    let emu = start(emulator)?;
    let mut rows = Vec::new();
    for (name, headers) in [
        (
            "`Retry-After` seconds",
            serde_json::json!({"retryAfter": "seconds", "reset": "off", "limit": false}),
        ),
        (
            "`Retry-After` HTTP date",
            serde_json::json!({"retryAfter": "date", "reset": "off", "limit": false}),
        ),
        (
            "`RateLimit-Reset` seconds",
            serde_json::json!({"retryAfter": "off", "reset": "seconds", "limit": false}),
        ),
        (
            "`RateLimit-Reset` Unix time",
            serde_json::json!({"retryAfter": "off", "reset": "epoch", "limit": false}),
        ),
        (
            "`RateLimit-Limit`/`-Remaining`",
            serde_json::json!({"retryAfter": "off", "reset": "off", "limit": true}),
        ),
        ("all headers", all_headers()),
    ] {
        eprintln!("bench: ours: deepnote projects list, window spent, {name}");
        limit(&emu, RATE, false, headers)?;
        // Another client of the same key spends the window; it frees 60 s after the first.
        let spent = Instant::now();
        for _ in 0..RATE {
            crate::bench::request(&emu.addr, "GET", "/v2/me", "")?;
        }
        let cmd = ours(
            ours_bin,
            &emu,
            work,
            &["projects", "list", "--output", "json"],
        );
        let started = Instant::now();
        let (ok, secs) = timed(cmd, &work.join("list.err"))?;
        let left = Duration::from_millis(WINDOW_MS).saturating_sub(started - spent);
        let (requests, refused, most) = journal(&emu)?;
        rows.push(Row {
            case: format!("`projects list`, window spent, {name}"),
            client: "ours",
            ok,
            requests: requests - RATE as usize,
            refused,
            most_refused: most,
            secs,
            floor: left.as_secs_f64(),
        });
        // Let the window end before the next case's own.
        std::thread::sleep(Duration::from_millis(WINDOW_MS).saturating_sub(spent.elapsed()));
    }
    Ok(rows)
}
