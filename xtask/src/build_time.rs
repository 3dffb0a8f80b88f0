//! `cargo xtask bench build-time`: clean debug build time of `deepnote-api` against a client
//! that openapi-generator's `rust` generator makes from the same spec, in one run, as ratios.
//!
//! Both are built from scratch into their own target directories, alternating, in each TLS
//! configuration: each side's default (native-tls for both), then both with rustls. Each build
//! is timed by the wall clock and by the CPU time of cargo and everything under it.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The openapi-generator-cli release (PyPI; it bundles the generator's jar) we compare with.
const GENERATOR: &str = "openapi-generator-cli==7.26.0";

pub fn run() -> Result<()> {
    let root = crate::workspace_root();
    let work = root.join("target/bench/build-time");
    std::fs::create_dir_all(&work)?;
    let other = generate_other_client(&root, &work)?;
    // Fetch once, so the timings are compilation only, never downloads (`cargo fetch` gets
    // every dependency of the lock file, whatever the features).
    for manifest in [root.join("Cargo.toml"), other.join("Cargo.toml")] {
        run_ok(
            crate::cargo()
                .args(["fetch", "--manifest-path"])
                .arg(manifest),
        )?;
    }

    // (label, our features, their features); None = the crate's defaults (native-tls on both).
    let configs: [(&str, Option<&str>, Option<&str>); 2] = [
        ("defaults (both native-tls)", None, None),
        ("both rustls (aws-lc-rs)", Some("rustls"), Some("rustls")),
    ];
    // One clean build takes 40-60 s and the machine's other work comes in bursts, so each
    // configuration is timed in several pairs, the order flipped each time, and the pairs'
    // ratios are summarised by their median.
    let repeats: usize = std::env::var("BUILD_TIME_REPEATS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3)
        .max(1);
    println!(
        "| configuration | ours: wall / CPU (s, median) | theirs: wall / CPU (s, median) | wall ratio per pair | median wall ratio | median CPU ratio |"
    );
    println!("|---|---|---|---|---|---|");
    let mut warmed = false;
    // BUILD_TIME_ONLY=defaults or =rustls times one configuration.
    let only = std::env::var("BUILD_TIME_ONLY").ok();
    let picked = configs
        .into_iter()
        .filter(|(label, ours, _)| match only.as_deref() {
            Some("defaults") => ours.is_none(),
            Some(name) => label.contains(name),
            None => true,
        });
    for (label, ours_features, theirs_features) in picked {
        let build_ours = || {
            clean_build(
                &work.join("ours"),
                &["build", "-p", "deepnote-api", "--manifest-path"],
                &root.join("Cargo.toml"),
                ours_features,
            )
        };
        let build_theirs = || {
            clean_build(
                &work.join("theirs"),
                &["build", "--manifest-path"],
                &other.join("Cargo.toml"),
                theirs_features,
            )
        };
        if !warmed {
            // Untimed: the first builds of a run read the toolchain and sources from disk.
            build_ours()?;
            build_theirs()?;
            warmed = true;
        }
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for pair in 0..repeats {
            if pair % 2 == 0 {
                ours.push(build_ours()?);
                theirs.push(build_theirs()?);
            } else {
                theirs.push(build_theirs()?);
                ours.push(build_ours()?);
            }
        }
        let ratio = |f: fn(&Timing) -> f64| -> Vec<f64> {
            ours.iter().zip(&theirs).map(|(o, t)| f(o) / f(t)).collect()
        };
        let (wall, cpu) = (ratio(|t| t.wall), ratio(|t| t.cpu));
        let shown: Vec<String> = wall.iter().map(|r| format!("{r:.2}")).collect();
        let med = |xs: &[Timing], f: fn(&Timing) -> f64| median(xs.iter().map(f).collect());
        println!(
            "| {label} | {:.1} / {:.1} | {:.1} / {:.1} | {} | {:.2} | {:.2} |",
            med(&ours, |t| t.wall),
            med(&ours, |t| t.cpu),
            med(&theirs, |t| t.wall),
            med(&theirs, |t| t.cpu),
            shown.join(" "),
            median(wall),
            median(cpu),
        );
    }
    Ok(())
}

/// Generate the other client with a pinned openapi-generator-cli from a venv under target/.
fn generate_other_client(root: &Path, work: &Path) -> Result<PathBuf> {
    let venv = work.join("venv");
    if !venv.join("bin/openapi-generator-cli").exists() {
        run_ok(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run_ok(Command::new(venv.join("bin/pip")).args(["install", "-q", GENERATOR]))?;
    }
    let out = work.join("openapi-generator-client");
    let _ = std::fs::remove_dir_all(&out);
    run_ok(
        Command::new(venv.join("bin/openapi-generator-cli"))
            .stdout(std::process::Stdio::null())
            .args([
                "generate",
                "-g",
                "rust",
                "--additional-properties=packageName=deepnote-oag",
            ])
            .arg("-i")
            .arg(root.join(crate::spec::SPEC))
            .arg("-o")
            .arg(&out),
    )?;
    // Its own workspace, so cargo does not take it for a member of ours.
    let manifest = out.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest)?;
    text.push_str("\n[workspace]\n");
    std::fs::write(&manifest, text)?;
    Ok(out)
}

fn clean_build(
    target: &Path,
    args: &[&str],
    manifest: &Path,
    features: Option<&str>,
) -> Result<Timing> {
    let _ = std::fs::remove_dir_all(target);
    let mut cmd = crate::cargo();
    cmd.args(args)
        .arg(manifest)
        .arg("--target-dir")
        .arg(target)
        .arg("--quiet");
    if let Some(features) = features {
        cmd.args(["--no-default-features", "--features", features]);
    }
    let cpu_before = children_cpu_seconds();
    let started = Instant::now();
    run_ok(&mut cmd)?;
    Ok(Timing {
        wall: started.elapsed().as_secs_f64(),
        cpu: children_cpu_seconds() - cpu_before,
    })
}

/// One clean build: wall-clock seconds, and CPU seconds (user + system) of cargo and every
/// rustc and build script under it. CPU time is what the build costs; it moves far less than
/// wall time when other work on the machine takes turns on the cores.
#[derive(Clone, Copy)]
struct Timing {
    wall: f64,
    cpu: f64,
}

/// User + system CPU time of all waited-for children (and theirs) so far.
fn children_cpu_seconds() -> f64 {
    // SAFETY: getrusage writes only into the zeroed struct we pass it.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn run_ok(cmd: &mut Command) -> Result<()> {
    let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}
