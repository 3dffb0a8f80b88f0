//! `cargo xtask bench emulator`: throughput, latency and memory of the emulator under wrk.
//!
//! Builds the release binary, and for each case (GET /v2/projects/{id}, POST /v2/runs at 64
//! and 1,000 connections, 10 s each) starts a fresh emulator, drives it with wrk, reads its
//! peak RSS (VmHWM), stops it, and prints a Markdown table for BENCHMARKS.md.

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The key every bench emulator accepts (an admin of workspace `ws-bench`).
pub(crate) const KEY: &str = "bench-key";
const DURATION: &str = "10s";
const CONNECTIONS: [u32; 2] = [64, 1000];

struct Row {
    case: String,
    connections: u32,
    rps: f64,
    p50: String,
    p99: String,
    errors: u64,
    peak_rss_mib: f64,
}

/// The target directory (`$CARGO_TARGET_DIR` or `target/`).
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("target"))
}

/// Build binaries, each `(package, bin)`, in release or the dev profile; their directory.
pub(crate) fn build(bins: &[(&str, &str)], release: bool) -> Result<PathBuf> {
    let names: Vec<&str> = bins.iter().map(|(_, bin)| *bin).collect();
    let profile = if release { "release" } else { "debug" };
    eprintln!("bench: building {profile} {}", names.join(", "));
    let mut cmd = crate::cargo();
    cmd.current_dir(crate::workspace_root()).arg("build");
    if release {
        cmd.arg("--release");
    }
    for (package, bin) in bins {
        cmd.args(["-p", package, "--bin", bin]);
    }
    if !cmd.status()?.success() {
        bail!("cargo build failed");
    }
    Ok(target_dir().join(profile))
}

/// Build the release emulator; the binary and a scratch directory.
fn prepare() -> Result<(PathBuf, PathBuf)> {
    which("wrk").context("wrk is not installed (apt-get install -y wrk)")?;
    let bin = build(&[("deepnote-emulator", "deepnote-emulator")], true)?.join("deepnote-emulator");
    let work = target_dir().join("bench");
    std::fs::create_dir_all(&work)?;
    Ok((bin, work))
}

pub fn emulator() -> Result<()> {
    let (bin, work) = prepare()?;
    let mut rows = Vec::new();
    for case in ["GET /v2/projects/{id}", "POST /v2/runs"] {
        for connections in CONNECTIONS {
            rows.push(run_case(&bin, &work, case, connections)?);
        }
    }
    println!("| Case | Connections | Requests/s | p50 | p99 | Errors | Peak RSS |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| `{}` | {} | {:.0} | {} | {} | {} | {:.1} MiB |",
            r.case, r.connections, r.rps, r.p50, r.p99, r.errors, r.peak_rss_mib
        );
    }
    Ok(())
}

fn which(cmd: &str) -> Result<()> {
    let ok = Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .stdout(Stdio::null())
        .status()?
        .success();
    if ok { Ok(()) } else { bail!("{cmd} not found") }
}

/// Start the emulator with the open-files limit raised, and return it with its address.
pub(crate) fn start(bin: &Path) -> Result<(Child, String)> {
    let mut child = Command::new("sh")
        .args([
            "-c",
            "ulimit -n \"$(ulimit -Hn)\"; exec \"$0\" --port 0 --log warn --key \"$1\"",
        ])
        .arg(bin)
        .arg(format!("{KEY}:ws-bench:u-bench:admin"))
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the emulator")?;
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().context("stdout")?);
    stdout.read_line(&mut line)?;
    // The emulator prints more lines (its dialect, ...); a closed pipe would fail it.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let addr = line
        .split("http://")
        .nth(1)
        .map(|s| s.trim().to_string())
        .context("no listening line from the emulator")?;
    Ok((child, addr))
}

/// A minimal HTTP/1.1 request (xtask carries no HTTP client); returns the body (null when
/// empty), or an error on a 4xx or 5xx answer.
pub(crate) fn request(
    addr: &str,
    method: &str,
    path: &str,
    body: &str,
) -> Result<serde_json::Value> {
    let mut s = TcpStream::connect(addr)?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut resp = String::new();
    s.read_to_string(&mut resp)?;
    let (head, body) = resp
        .split_once("\r\n\r\n")
        .context("malformed HTTP answer")?;
    let status = head.split_whitespace().nth(1).unwrap_or_default();
    if !status.starts_with('2') {
        bail!("{method} {path} answered {status}: {body}");
    }
    if body.trim().is_empty() {
        return Ok(serde_json::Value::Null);
    }
    Ok(serde_json::from_str(body)?)
}

/// Creates a project named `name`; its id.
pub(crate) fn create_project(addr: &str, name: &str) -> Result<String> {
    let created = request(
        addr,
        "POST",
        "/v2/projects",
        &serde_json::json!({ "name": name }).to_string(),
    )?;
    // The live dialect answers `{"project": {...}}`, the spec dialect the project itself.
    let project = created.get("project").unwrap_or(&created);
    Ok(project["id"].as_str().context("project id")?.to_string())
}

/// A project and a notebook in it.
fn setup(addr: &str) -> Result<(String, String)> {
    let project = create_project(addr, "bench")?;
    let notebook = request(
        addr,
        "POST",
        "/v2/notebooks",
        &format!(r#"{{"projectId":"{project}"}}"#),
    )?["notebook"]["id"]
        .as_str()
        .context("notebook id")?
        .to_string();
    Ok((project, notebook))
}

fn rss_kib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
}

const LOAD_CONNECTIONS: u32 = 1000;
const LOAD_DURATION: u64 = 30;

/// `cargo xtask bench load`: 1,000 connections for 30 s of mixed traffic against one
/// emulator (4 in 10 requests read a project, 2 a page of the project list, 1 starts a run,
/// 3 read a run), with its resident memory sampled every second. Fails if any request failed.
pub fn load() -> Result<()> {
    let (bin, work) = prepare()?;
    let (mut child, addr) = start(&bin)?;
    let (project, notebook) = setup(&addr)?;
    for i in 0..200 {
        request(
            &addr,
            "POST",
            "/v2/projects",
            &format!(r#"{{"name":"p{i}"}}"#),
        )?;
    }
    let mut runs = Vec::new();
    for _ in 0..20 {
        let body = format!(r#"{{"notebookId":"{notebook}"}}"#);
        let id = request(&addr, "POST", "/v2/runs", &body)?["runId"]
            .as_str()
            .context("run id")?
            .to_string();
        runs.push(format!("\"{id}\""));
    }
    let script = work.join("mixed.lua");
    std::fs::write(
        &script,
        format!(
            r#"local project = "{project}"
local runs = {{{runs}}}
local body = '{{"notebookId":"{notebook}"}}'
local json = {{["Authorization"] = "Bearer {KEY}", ["Content-Type"] = "application/json"}}
local plain = {{["Authorization"] = "Bearer {KEY}"}}
local n = 0
request = function()
  n = n + 1
  local k = n % 10
  if k < 4 then
    return wrk.format("GET", "/v2/projects/" .. project, plain)
  elseif k < 6 then
    return wrk.format("GET", "/v2/projects?pageSize=20", plain)
  elseif k < 7 then
    return wrk.format("POST", "/v2/runs", json, body)
  else
    return wrk.format("GET", "/v2/runs/" .. runs[(n % #runs) + 1], plain)
  end
end
"#,
            runs = runs.join(", ")
        ),
    )?;
    let pid = child.id();
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        std::thread::spawn(move || {
            let mut samples = Vec::new();
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                samples.push(rss_kib(pid, "VmRSS:") / 1024.0);
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            samples
        })
    };
    let wrk = format!(
        "ulimit -n \"$(ulimit -Hn)\"; exec timeout {} wrk -t2 -c{LOAD_CONNECTIONS} \
         -d{LOAD_DURATION}s --timeout 5s --latency -s '{}' 'http://{addr}/'",
        LOAD_DURATION + 30,
        script.display()
    );
    eprintln!("bench: mixed traffic, {LOAD_CONNECTIONS} connections, {LOAD_DURATION} s");
    let out = Command::new("sh").args(["-c", &wrk]).output()?;
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let samples = sampler.join().unwrap_or_default();
    let peak = rss_kib(pid, "VmHWM:") / 1024.0;
    let state = request(&addr, "GET", "/_emulator/state", "")?;
    let _ = child.kill();
    let _ = child.wait();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    eprintln!("{text}");
    if !out.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let errors = errors(&text);
    let every_5s: Vec<String> = samples
        .iter()
        .step_by(5)
        .map(|m| format!("{m:.0}"))
        .collect();
    println!(
        "| Connections | Duration | Requests | Requests/s | p50 | p99 | Errors | Runs stored | RSS every 5 s (MiB) | Peak RSS |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
    println!(
        "| {LOAD_CONNECTIONS} | {LOAD_DURATION} s | {} | {} | {} | {} | {errors} | {} | {} | {peak:.1} MiB |",
        text.lines()
            .find(|l| l.contains("requests in"))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("?"),
        field(&text, "Requests/sec:"),
        percentile(&text, "50%"),
        percentile(&text, "99%"),
        state["runs"],
        every_5s.join(", "),
    );
    if errors > 0 {
        bail!("{errors} requests failed under load");
    }
    Ok(())
}

fn run_case(bin: &Path, work: &Path, case: &str, connections: u32) -> Result<Row> {
    let (mut child, addr) = start(bin)?;
    let (project, notebook) = setup(&addr)?;
    let script = work.join("post-run.lua");
    std::fs::write(
        &script,
        format!(
            "wrk.method = \"POST\"\nwrk.body = '{{\"notebookId\":\"{notebook}\"}}'\n\
             wrk.headers[\"Content-Type\"] = \"application/json\"\n"
        ),
    )?;
    let url = match case {
        "POST /v2/runs" => format!("http://{addr}/v2/runs"),
        _ => format!("http://{addr}/v2/projects/{project}"),
    };
    let mut wrk = format!(
        "ulimit -n \"$(ulimit -Hn)\"; exec wrk -t2 -c{connections} -d{DURATION} --latency \
         -H 'Authorization: Bearer {KEY}'"
    );
    if case.starts_with("POST") {
        wrk.push_str(&format!(" -s '{}'", script.display()));
    }
    wrk.push_str(&format!(" '{url}'"));
    eprintln!("bench: {case} at {connections} connections");
    let out = Command::new("sh").args(["-c", &wrk]).output()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    eprintln!("{text}");
    let peak = std::fs::read_to_string(format!("/proc/{}/status", child.id()))?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    let _ = child.kill();
    let _ = child.wait();
    if !out.status.success() {
        bail!("wrk failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(Row {
        case: case.to_string(),
        connections,
        rps: field(&text, "Requests/sec:").parse().unwrap_or(0.0),
        p50: percentile(&text, "50%"),
        p99: percentile(&text, "99%"),
        errors: errors(&text),
        peak_rss_mib: peak / 1024.0,
    })
}

fn field(text: &str, name: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(name))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

fn percentile(text: &str, p: &str) -> String {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(p).map(|v| v.trim().to_string()))
        .unwrap_or_else(|| "?".into())
}

/// Socket errors plus non-2xx answers.
fn errors(text: &str) -> u64 {
    let mut n = 0;
    let socket = field(text, "Socket errors:");
    for part in socket.split(',') {
        if let Some(v) = part.split_whitespace().last() {
            n += v.parse::<u64>().unwrap_or(0);
        }
    }
    n + field(text, "Non-2xx or 3xx responses:")
        .parse::<u64>()
        .unwrap_or(0)
}
