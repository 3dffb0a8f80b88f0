//! `cargo xtask bench wait`: how `deepnote run NB` waits for a run, against Deepnote's own CLI
//! (`deepnote-cli` from PyPI) on the same emulator (issue 14, "Kind to the server").
//!
//! For each run length (5 s, 15 s, 60 s) and each client (Deepnote's CLI; ours on a notebook
//! with no runs; ours on a notebook whose earlier runs took the same time) it runs one process
//! per sample, each on a notebook of its own, and measures:
//! - the GET requests that process made for its run: the emulator's journal entries naming the
//!   run or its notebook (status polls, the notebook's run history, the snapshot);
//! - the lag from the run's end (its creation time plus its behaviour's duration, both the
//!   emulator's, whose clock is the wall clock) to the process's exit.
//!
//! The samples run concurrently so a 60 s cell takes about two minutes, not twenty: their
//! starts are spread out (the three clients interleaved) so that at most a few processes
//! start or finish at any moment, and the machine's CPU is sampled through each cell so a
//! saturated machine shows in the report rather than in the lags.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The Deepnote CLI release compared against; `crates/deepnote-emulator/official-cli.sh`
/// installs it (and pins the same version).
const OFFICIAL_VERSION: &str = "0.10.0";
/// Finished runs a "with history" notebook has before its sample starts.
const HISTORY_RUNS: usize = 5;

/// Who waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Client {
    /// Deepnote's CLI: `deepnote run --cloud --notebook-id NB`.
    Official,
    /// Ours, on a notebook that has never run.
    Fresh,
    /// Ours, on a notebook with [`HISTORY_RUNS`] finished runs of the same length.
    History,
}

impl Client {
    const ALL: [Client; 3] = [Client::Official, Client::Fresh, Client::History];

    fn label(self) -> &'static str {
        match self {
            Client::Official => "Deepnote's CLI",
            Client::Fresh => "ours, no history",
            Client::History => "ours, with history",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Client::Official => "official",
            Client::Fresh => "fresh",
            Client::History => "history",
        }
    }

    /// The issue's target for this client at run length `len`: (p95 lag bound, GETs allowed
    /// as a multiple of Deepnote's CLI's mean).
    fn target(self, len: Duration) -> Option<(Duration, f64)> {
        let floor = Duration::from_millis(250);
        match self {
            Client::Official => None,
            Client::Fresh => Some((floor.max(len / 10), 3.0)),
            Client::History => Some((floor.max(len / 20), 2.0)),
        }
    }
}

/// What the command line asks for.
struct Options {
    lengths: Vec<u64>,
    samples: usize,
    /// The dev profile's binaries instead of release ones (quicker to build; for trying the
    /// harness, not for the recorded numbers).
    dev: bool,
    /// The gap between sample starts, instead of [`spacing`]'s (a gap longer than a run makes
    /// the samples one at a time: the check that concurrency does not distort).
    gap: Option<Duration>,
}

fn options(args: &[&str]) -> Result<Options> {
    let mut o = Options {
        lengths: vec![5, 15, 60],
        samples: 20,
        dev: false,
        gap: None,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().copied().context(format!("{arg} needs a value"));
        match *arg {
            "--dev" => o.dev = true,
            "--gap-ms" => {
                o.gap = Some(Duration::from_millis(
                    value()?.parse().context("--gap-ms MILLISECONDS")?,
                ))
            }
            "--samples" => o.samples = value()?.parse().context("--samples N")?,
            "--lengths" => {
                o.lengths = value()?
                    .split(',')
                    .map(|s| s.trim().parse::<u64>())
                    .collect::<Result<_, _>>()
                    .context("--lengths S,S,... (seconds)")?
            }
            other => bail!(
                "unknown option {other}; usage: bench wait [--samples N] [--lengths 5,15,60] [--dev]"
            ),
        }
    }
    if o.samples == 0 || o.lengths.is_empty() || o.lengths.contains(&0) {
        bail!("--samples and every length must be at least 1");
    }
    Ok(o)
}

/// One process, one run.
struct Sample {
    client: Client,
    /// When it started, from the cell's start.
    start_ms: i64,
    notebook: String,
    /// Milliseconds since the epoch when the process ended.
    exit_ms: i64,
    exit_ok: bool,
    stdout: String,
    dir: PathBuf,
}

/// One measured sample.
struct Measured {
    client: Client,
    lag_ms: i64,
    gets: usize,
    /// From the run's end to the sample's last GET (the poll that saw the end, or the
    /// snapshot fetched after it): what the wait itself cost, without the process's exit.
    last_get_ms: i64,
    /// When the sample started, from the cell's start.
    start_ms: i64,
}

/// The binaries and where samples work.
struct Setup {
    emulator: PathBuf,
    ours: PathBuf,
    official: PathBuf,
    work: PathBuf,
}

pub fn run(args: &[&str]) -> Result<()> {
    let o = options(args)?;
    let release = crate::bench::build(
        &[
            ("deepnote-emulator", "deepnote-emulator"),
            ("deepnote-cli", "deepnote"),
        ],
        !o.dev,
    )?;
    let official = crate::bench::target_dir().join("official-cli-venv/bin/deepnote");
    let version = Command::new(&official)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if version != OFFICIAL_VERSION {
        bail!(
            "Deepnote's CLI {OFFICIAL_VERSION} is not in {} (found {version:?}); \
             crates/deepnote-emulator/official-cli.sh installs it",
            official.display()
        );
    }
    let work = crate::bench::target_dir().join("bench/wait");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let setup = Setup {
        emulator: release.join("deepnote-emulator"),
        ours: release.join("deepnote"),
        official,
        work,
    };

    raise_priority();
    let (mut emulator, addr) = crate::bench::start(&setup.emulator)?;
    let result = measure(&setup, &addr, &o);
    let _ = emulator.kill();
    let _ = emulator.wait();
    let (cells, cpu) = result?;
    print_report(&o, &cells, &cpu);
    Ok(())
}

/// Every cell's samples by length, and each cell's CPU reading.
type Cells = Vec<(u64, Vec<Measured>)>;

fn measure(setup: &Setup, addr: &str, o: &Options) -> Result<(Cells, Vec<(u64, Cpu)>)> {
    let clock = crate::bench::request(addr, "GET", "/_emulator/clock", "")?;
    if clock["offsetMs"] != json!(0) || clock["frozen"] != json!(false) {
        bail!("the emulator's clock is not the wall clock: {clock}");
    }
    // Every cell's notebooks and histories first: the longer cells' histories finish while
    // the shorter cells run.
    let mut prepared = Vec::new();
    for &len in &o.lengths {
        prepared.push((len, prepare_cell(addr, len, o.samples)?));
    }
    let mut cells = Vec::new();
    let mut cpus = Vec::new();
    for (len, (notebooks, history_done_ms)) in prepared {
        let wait = history_done_ms + 500 - now_ms();
        if wait > 0 {
            eprintln!("bench: waiting {wait} ms for the {len} s histories to finish");
            std::thread::sleep(Duration::from_millis(wait as u64));
        }
        crate::bench::request(addr, "DELETE", "/_emulator/journal", "")?;
        let gap = o.gap.unwrap_or_else(|| spacing(len, notebooks.len()));
        let (samples, cpu) = run_cell(setup, addr, len, gap, notebooks)?;
        let journal = crate::bench::request(addr, "GET", "/_emulator/journal", "")?;
        std::fs::write(
            setup.work.join(format!("{len}s-journal.json")),
            serde_json::to_string_pretty(&journal)?,
        )?;
        let measured = measure_cell(addr, &samples, &journal)?;
        write_csv(&setup.work.join(format!("{len}s.csv")), &measured)?;
        cells.push((len, measured));
        cpus.push((len, cpu));
    }
    Ok((cells, cpus))
}

/// Notebooks for one cell, each with its run length set (and the history notebooks with
/// their earlier runs started); the sample order, and when the last history run ends.
fn prepare_cell(addr: &str, len: u64, samples: usize) -> Result<(Vec<(Client, String)>, i64)> {
    let project = crate::bench::create_project(addr, &format!("wait {len}s"))?;
    let behaviour = json!({ "durationMs": len * 1000, "outcome": "success" }).to_string();
    let mut order = Vec::new();
    let mut done = 0;
    // Interleaved, so each client meets the same load over the cell.
    for i in 0..samples {
        for client in Client::ALL {
            let created = crate::bench::request(
                addr,
                "POST",
                "/v2/notebooks",
                &json!({ "projectId": project, "name": format!("{} {i}", client.slug()) })
                    .to_string(),
            )?;
            let notebook = created["notebook"]["id"]
                .as_str()
                .context("notebook id")?
                .to_string();
            crate::bench::request(
                addr,
                "PUT",
                &format!("/_emulator/behaviours/{notebook}"),
                &behaviour,
            )?;
            if client == Client::History {
                for _ in 0..HISTORY_RUNS {
                    crate::bench::request(
                        addr,
                        "POST",
                        "/v2/runs",
                        &json!({ "notebookId": notebook }).to_string(),
                    )?;
                }
                done = now_ms() + (len * 1000) as i64;
            }
            order.push((client, notebook));
        }
    }
    Ok((order, done))
}

/// The gap between sample starts: the cell's samples spread over about the run length, but
/// never closer than 0.5 s (Deepnote's CLI spends ~0.6 s of CPU starting its Node runtime).
fn spacing(len: u64, count: usize) -> Duration {
    (Duration::from_secs(len) / count.max(1) as u32).max(Duration::from_millis(500))
}

fn run_cell(
    setup: &Setup,
    addr: &str,
    len: u64,
    gap: Duration,
    notebooks: Vec<(Client, String)>,
) -> Result<(Vec<Sample>, Cpu)> {
    eprintln!(
        "bench: {len} s runs: {} processes, one every {} ms",
        notebooks.len(),
        gap.as_millis()
    );
    let cpu = CpuMonitor::start();
    let begin = Instant::now();
    let mut threads = Vec::new();
    for (i, (client, notebook)) in notebooks.into_iter().enumerate() {
        let dir = setup.work.join(format!("{len}s/{}-{i}", client.slug()));
        std::fs::create_dir_all(dir.join("home"))?;
        let mut cmd = command(setup, addr, client, &notebook, &dir);
        let at = begin + gap * i as u32;
        threads.push(std::thread::spawn(move || -> Result<Sample> {
            std::thread::sleep(at.saturating_duration_since(Instant::now()));
            let status = cmd.status().context("starting a client")?;
            let exit_ms = now_ms();
            let stdout = std::fs::read_to_string(dir.join("stdout")).unwrap_or_default();
            Ok(Sample {
                client,
                start_ms: (gap * i as u32).as_millis() as i64,
                notebook,
                exit_ms,
                exit_ok: status.success(),
                stdout,
                dir,
            })
        }));
    }
    let mut samples = Vec::new();
    for t in threads {
        samples.push(
            t.join()
                .map_err(|_| anyhow::anyhow!("a sample thread panicked"))??,
        );
    }
    Ok((samples, cpu.stop()))
}

/// The process for one sample, in a directory of its own (the snapshot lands there), with
/// nothing from the caller's environment deciding what it sends.
fn command(setup: &Setup, addr: &str, client: Client, notebook: &str, dir: &Path) -> Command {
    let url = format!("http://{addr}");
    let mut cmd = match client {
        Client::Official => {
            let mut c = Command::new(&setup.official);
            c.args(["run", "--cloud", "--notebook-id", notebook, "--url", &url])
                .args(["--token", crate::bench::KEY, "-o", "json"])
                .env("NO_PROXY", "*");
            c
        }
        Client::Fresh | Client::History => {
            let mut c = Command::new(&setup.ours);
            c.args(["--base-url", &url, "run", notebook, "-o", "json"])
                .env("DEEPNOTE_API_KEY", crate::bench::KEY)
                .env("DEEPNOTE_CONFIG_DIR", dir.join("home"));
            c
        }
    };
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("DEEPNOTE_") && k != "DEEPNOTE_API_KEY" {
            cmd.env_remove(&k);
        }
    }
    let file = |name: &str| {
        std::fs::File::create(dir.join(name))
            .map(Stdio::from)
            .unwrap_or_else(|_| Stdio::null())
    };
    cmd.current_dir(dir)
        .env("HOME", dir.join("home"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(file("stdout"))
        .stderr(file("stderr"));
    cmd
}

/// Lag and GETs of each sample, from the emulator's run records and journal.
fn measure_cell(addr: &str, samples: &[Sample], journal: &Value) -> Result<Vec<Measured>> {
    let entries = journal.as_array().context("the journal is a list")?;
    // Per notebook: how many GETs, and when the last one arrived.
    let mut gets: HashMap<&str, (usize, i64)> = HashMap::new();
    let mut out = Vec::new();
    let run_ids: Vec<String> = samples
        .iter()
        .map(|s| {
            let v: Value = serde_json::from_str(&s.stdout).unwrap_or(Value::Null);
            // Both CLIs print `runId`; `id` in case an output ever names it so.
            v["runId"]
                .as_str()
                .or_else(|| v["id"].as_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    for e in entries.iter().filter(|e| e["method"] == "GET") {
        let path = e["path"].as_str().unwrap_or_default();
        for (s, run) in samples.iter().zip(&run_ids) {
            let nb_path = format!("/notebooks/{}", s.notebook);
            if (!run.is_empty() && path.contains(run.as_str())) || path.contains(&nb_path) {
                let g = gets.entry(s.notebook.as_str()).or_default();
                g.0 += 1;
                g.1 = g.1.max(e["at"].as_str().and_then(rfc3339_ms).unwrap_or(0));
            }
        }
    }
    for (s, run) in samples.iter().zip(&run_ids) {
        // A sample that did not wait its run to a success measures nothing; it is counted
        // out (the Samples column) and named, not averaged in.
        if !s.exit_ok || run.is_empty() {
            eprintln!(
                "bench: {} on notebook {} did not report a successful run (see {})",
                s.client.label(),
                s.notebook,
                s.dir.display()
            );
            continue;
        }
        let record = crate::bench::request(addr, "GET", &format!("/_emulator/runs/{run}"), "")?;
        let created = record["createdAt"].as_i64().context("createdAt")?;
        let duration = record["behaviour"]["durationMs"]
            .as_i64()
            .context("durationMs")?;
        if record["status"] != "success" {
            eprintln!("bench: run {run} ended {}", record["status"]);
            continue;
        }
        out.push(Measured {
            client: s.client,
            lag_ms: s.exit_ms - (created + duration),
            gets: gets.get(s.notebook.as_str()).map_or(0, |g| g.0),
            last_get_ms: gets.get(s.notebook.as_str()).map_or(0, |g| g.1) - (created + duration),
            start_ms: s.start_ms,
        });
    }
    Ok(out)
}

/// Runs this process (and so the emulator and every client it starts) ahead of other work on
/// the machine, when allowed: the clients need little CPU, but they need it on time, and a
/// shared machine's builds would otherwise show up as lag.
fn raise_priority() {
    // SAFETY: setpriority changes only the scheduling priority of this process.
    if unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, -10) } != 0 {
        eprintln!(
            "bench: could not raise the priority (nice -10 needs root); other work on the \
             machine may show up as lag"
        );
    }
}

/// Every sample of a cell, for a closer look than the table's.
fn write_csv(path: &Path, samples: &[Measured]) -> Result<()> {
    let mut text = String::from("client,start_ms,lag_ms,last_get_ms,gets\n");
    for s in samples {
        text.push_str(&format!(
            "{},{},{},{},{}\n",
            s.client.slug(),
            s.start_ms,
            s.lag_ms,
            s.last_get_ms,
            s.gets
        ));
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the epoch of the journal's timestamps (`2026-12-02T00:24:32.573Z`).
fn rfc3339_ms(t: &str) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss, ms) = (num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + ms)
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// How busy the machine was during a cell: every core, everyone's work (other builds too).
struct Cpu {
    mean: f64,
    max: f64,
    /// CPU seconds the cell's client processes used, and the cell's wall time.
    clients: f64,
    wall: f64,
}

/// Samples `/proc/stat` every second while a cell runs.
struct CpuMonitor {
    running: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<f64>>,
    begin: Instant,
    children: f64,
}

fn proc_stat() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = text
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    Some((total, total - idle))
}

/// CPU seconds of this process's reaped children.
fn children_cpu() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct it is given and nothing else.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return 0.0;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

impl CpuMonitor {
    fn start() -> CpuMonitor {
        let running = Arc::new(AtomicBool::new(true));
        let flag = running.clone();
        let thread = std::thread::spawn(move || {
            let mut busy = Vec::new();
            let mut last = proc_stat();
            while flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_secs(1));
                let now = proc_stat();
                if let (Some((t0, b0)), Some((t1, b1))) = (last, now)
                    && t1 > t0
                {
                    busy.push((b1 - b0) as f64 / (t1 - t0) as f64);
                }
                last = now;
            }
            busy
        });
        CpuMonitor {
            running,
            thread,
            begin: Instant::now(),
            children: children_cpu(),
        }
    }

    fn stop(self) -> Cpu {
        self.running.store(false, Ordering::Relaxed);
        let busy = self.thread.join().unwrap_or_default();
        let mean = busy.iter().sum::<f64>() / busy.len().max(1) as f64;
        Cpu {
            mean,
            max: busy.iter().copied().fold(0.0, f64::max),
            clients: children_cpu() - self.children,
            wall: self.begin.elapsed().as_secs_f64(),
        }
    }
}

fn print_report(o: &Options, cells: &Cells, cpus: &[(u64, Cpu)]) {
    println!(
        "| Run | Client | Samples | Lag p50 | Lag p95 | of which after the last GET (p50) | GETs per run (mean) | Target (p95 lag, GETs) | Result |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---|---|");
    let mut failed = 0;
    for (len, samples) in cells {
        let length = Duration::from_secs(*len);
        let mean_gets = |client: Client| {
            let g: Vec<usize> = samples
                .iter()
                .filter(|s| s.client == client)
                .map(|s| s.gets)
                .collect();
            g.iter().sum::<usize>() as f64 / g.len().max(1) as f64
        };
        let official = mean_gets(Client::Official);
        for client in Client::ALL {
            let mut lags: Vec<i64> = samples
                .iter()
                .filter(|s| s.client == client)
                .map(|s| s.lag_ms)
                .collect();
            lags.sort_unstable();
            let mut exits: Vec<i64> = samples
                .iter()
                .filter(|s| s.client == client)
                .map(|s| s.lag_ms - s.last_get_ms)
                .collect();
            exits.sort_unstable();
            let exit = percentile(&exits, 50.0);
            let (p50, p95) = (percentile(&lags, 50.0), percentile(&lags, 95.0));
            let gets = mean_gets(client);
            let (target, result) = match client.target(length) {
                None => ("(reference)".to_string(), String::new()),
                Some((lag, times)) => {
                    let lag_ok = p95 <= lag.as_millis() as i64;
                    let gets_ok = gets <= times * official;
                    if !(lag_ok && gets_ok) {
                        failed += 1;
                    }
                    (
                        format!(
                            "<= {} ms, <= {times}x = {:.1}",
                            lag.as_millis(),
                            times * official
                        ),
                        format!(
                            "lag {}, GETs {}",
                            if lag_ok { "pass" } else { "FAIL" },
                            if gets_ok { "pass" } else { "FAIL" }
                        ),
                    )
                }
            };
            println!(
                "| {len} s | {} | {}/{} | {p50} ms | {p95} ms | {exit} ms | {gets:.1} | {target} | {result} |",
                client.label(),
                lags.len(),
                o.samples
            );
        }
    }
    println!();
    for (len, cpu) in cpus {
        println!(
            "- {len} s cell: machine CPU (2 cores, everyone's work) mean {:.0}%, busiest second {:.0}%; \
             the clients used {:.1} CPU-s in {:.0} s wall ({:.0}% of one core)",
            cpu.mean * 100.0,
            cpu.max * 100.0,
            cpu.clients,
            cpu.wall,
            100.0 * cpu.clients / cpu.wall.max(1e-9)
        );
    }
    println!(
        "- Deepnote's CLI is deepnote-cli {OFFICIAL_VERSION} (PyPI); {} samples per client and \
         length, {HISTORY_RUNS} earlier runs per history notebook; {failed} cell(s) miss a target",
        o.samples
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_timestamps_read_as_epoch_milliseconds() {
        assert_eq!(rfc3339_ms("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(
            rfc3339_ms("2026-12-02T00:24:32.573Z"),
            Some(1_796_171_072_573)
        );
        assert_eq!(
            rfc3339_ms("2024-02-29T12:00:00.001Z"),
            Some(1_709_208_000_001)
        );
        assert_eq!(rfc3339_ms("yesterday"), None);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let twenty: Vec<i64> = (1..=20).collect();
        assert_eq!(percentile(&twenty, 50.0), 10);
        // With 20 samples the p95 is the 19th: one slow sample in 20 does not set it.
        assert_eq!(percentile(&twenty, 95.0), 19);
        assert_eq!(percentile(&[7], 95.0), 7);
        assert_eq!(percentile(&[], 95.0), 0);
    }

    #[test]
    fn targets_are_the_issues() {
        let s = Duration::from_secs;
        let ms = Duration::from_millis;
        assert_eq!(Client::History.target(s(5)), Some((ms(250), 2.0)));
        assert_eq!(Client::History.target(s(60)), Some((ms(3000), 2.0)));
        assert_eq!(Client::Fresh.target(s(5)), Some((ms(500), 3.0)));
        assert_eq!(Client::Fresh.target(s(15)), Some((ms(1500), 3.0)));
        assert_eq!(Client::Official.target(s(5)), None);
    }

    #[test]
    fn samples_start_at_least_half_a_second_apart() {
        assert_eq!(spacing(5, 60), Duration::from_millis(500));
        assert_eq!(spacing(60, 60), Duration::from_secs(1));
    }

    #[test]
    fn options_parse_and_refuse_nonsense() {
        let o = options(&["--samples", "3", "--lengths", "5,15", "--dev"]).unwrap();
        assert_eq!(
            (o.samples, o.lengths, o.dev, o.gap),
            (3, vec![5, 15], true, None)
        );
        let o = options(&["--gap-ms", "8000"]).unwrap();
        assert_eq!(o.gap, Some(Duration::from_secs(8)));
        assert!(options(&["--lengths", "0"]).is_err());
        assert!(options(&["--samples"]).is_err());
        assert!(options(&["--fast"]).is_err());
    }
}
