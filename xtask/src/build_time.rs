//! `cargo xtask bench build-time`: clean debug build time of `deepnote-api` against a client
//! that openapi-generator's `rust` generator makes from the same spec, in one run, as ratios.
//!
//! Both are built from scratch into their own target directories, alternating, in each TLS
//! configuration: each side's default (native-tls for both), then both with rustls. Each build
//! is timed by the wall clock and by the CPU time of cargo and everything under it.
//!
//! Most of either build is the same work: the same crates, at the same versions, with the same
//! features. Whole-build times carry that shared part's noise, which on a shared VM is larger
//! than the difference being measured. So each build also records cargo's `--timings` report,
//! and each pair is compared on the units that differ between the two sides (a crate, build
//! script or feature set only one side compiles), where the difference actually lives.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
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
    let mut reports = Vec::new();
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
        let mut differing = Vec::new();
        for pair in 0..repeats {
            if pair % 2 == 0 {
                ours.push(build_ours()?);
                theirs.push(build_theirs()?);
            } else {
                theirs.push(build_theirs()?);
                ours.push(build_ours()?);
            }
            let (o, t) = (ours.last().unwrap(), theirs.last().unwrap());
            differing.push(Differing::between(&o.units, &t.units));
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
        reports.push((label, differing));
    }
    for (label, differing) in reports {
        report_differing(label, &differing);
    }
    Ok(())
}

/// The units one side compiles and the other does not, with what they took, per pair.
struct Differing {
    ours: Vec<(String, f64)>,
    theirs: Vec<(String, f64)>,
}

impl Differing {
    fn between(ours: &Units, theirs: &Units) -> Differing {
        let only = |a: &Units, b: &Units| {
            a.iter()
                .filter(|(key, _)| !b.contains_key(*key))
                .map(|(key, secs)| (key.clone(), *secs))
                .collect()
        };
        Differing {
            ours: only(ours, theirs),
            theirs: only(theirs, ours),
        }
    }

    fn sums(&self) -> (f64, f64) {
        let sum = |units: &[(String, f64)]| units.iter().map(|(_, s)| s).sum::<f64>();
        (sum(&self.ours), sum(&self.theirs))
    }
}

fn report_differing(label: &str, pairs: &[Differing]) {
    let sums: Vec<(f64, f64)> = pairs.iter().map(Differing::sums).collect();
    let per_pair: Vec<String> = sums.iter().map(|(o, t)| format!("{o:.1}/{t:.1}")).collect();
    println!(
        "\n{label}: units only one side compiles, seconds summed, ours/theirs per pair: {}",
        per_pair.join(" ")
    );
    println!(
        "median: ours {:.1} s, theirs {:.1} s; median of per-pair ratios {:.2}",
        median(sums.iter().map(|s| s.0).collect()),
        median(sums.iter().map(|s| s.1).collect()),
        median(sums.iter().map(|(o, t)| o / t).collect()),
    );
    // The units themselves, with their median time over the pairs.
    for (side, is_ours) in [("ours", true), ("theirs", false)] {
        let mut times: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for d in pairs {
            for (unit, secs) in if is_ours { &d.ours } else { &d.theirs } {
                times.entry(unit).or_default().push(*secs);
            }
        }
        let listed: Vec<String> = times
            .into_iter()
            .map(|(unit, secs)| format!("{unit} {:.2}", median(secs)))
            .collect();
        println!("only {side}: {}", listed.join("; "));
    }
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

/// Both sides build under cargo's default dev profile, as every row of BENCHMARKS.md's history
/// did: the workspace's own `[profile.dev]` (no debuginfo, optimised dependencies: a light
/// `cargo test`) would otherwise apply to our side only.
const DEFAULT_DEV_PROFILE: [&str; 3] = [
    "profile.dev.debug=true",
    "profile.dev.package.\"*\".debug=true",
    "profile.dev.package.\"*\".opt-level=0",
];

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
        .arg("--quiet")
        .arg("--timings");
    for setting in DEFAULT_DEV_PROFILE {
        cmd.args(["--config", setting]);
    }
    if let Some(features) = features {
        cmd.args(["--no-default-features", "--features", features]);
    }
    let cpu_before = children_cpu_seconds();
    let started = Instant::now();
    run_ok(&mut cmd)?;
    let wall = started.elapsed().as_secs_f64();
    let cpu = children_cpu_seconds() - cpu_before;
    let units = read_units(&target.join("cargo-timings/cargo-timing.html"))?;
    Ok(Timing { wall, cpu, units })
}

/// Seconds per compile unit, keyed by what makes two units the same work: crate, version,
/// kind of target (library, build script, running it) and features. The two clients' own
/// crates have different names, so they always count as differing.
type Units = BTreeMap<String, f64>;

/// Reads the unit table out of cargo's `--timings` HTML report (`const UNIT_DATA = [...]`;
/// cargo offers it as JSON only on nightly).
fn read_units(report: &Path) -> Result<Units> {
    let html =
        std::fs::read_to_string(report).with_context(|| format!("reading {}", report.display()))?;
    let start = html
        .find("const UNIT_DATA = ")
        .context("no UNIT_DATA in cargo's timings report")?
        + "const UNIT_DATA = ".len();
    let rest = &html[start..];
    let end = rest
        .find("];")
        .context("UNIT_DATA does not end in the report")?;
    let data: Vec<serde_json::Value> = serde_json::from_str(&rest[..=end])
        .context("UNIT_DATA in cargo's timings report is not the JSON expected")?;
    let mut units = Units::new();
    for unit in data {
        let text = |k: &str| unit[k].as_str().unwrap_or_default().trim().to_owned();
        let name = text("name");
        let kind = match text("target") {
            t if t.is_empty() => "lib".to_owned(),
            t => t,
        };
        let features: Vec<&str> = unit["features"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .collect();
        let key = format!(
            "{name} {} ({kind}) [{}]",
            text("version"),
            features.join(",")
        );
        *units.entry(key).or_default() += unit["duration"].as_f64().unwrap_or(0.0);
    }
    Ok(units)
}

/// One clean build: wall-clock seconds, and CPU seconds (user + system) of cargo and every
/// rustc and build script under it. CPU time is what the build costs; it moves far less than
/// wall time when other work on the machine takes turns on the cores.
struct Timing {
    wall: f64,
    cpu: f64,
    units: Units,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape cargo 1.95 writes: a JS array literal in a script, then more script.
    const REPORT: &str = r#"<script>
const UNIT_DATA = [
  {"i": 1, "name": "serde", "version": "1.0.0", "mode": "todo", "target": "",
   "features": ["default", "std"], "start": 0.1, "duration": 1.5, "sections": null},
  {"i": 2, "name": "mime", "version": "0.3.18", "mode": "todo", "target": "",
   "features": [], "start": 0.2, "duration": 0.25, "sections": [["frontend", {"start": 0.0, "end": 0.1}]]},
  {"i": 3, "name": "deepnote-oag", "version": "2.0.0", "mode": "todo", "target": "",
   "features": ["default"], "start": 3.0, "duration": 2.0, "sections": null}
];
const CONCURRENCY_DATA = [];
</script>"#;

    #[test]
    fn differing_units_are_those_one_side_lacks() {
        let dir = std::env::temp_dir().join(format!("xtask-units-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let report = dir.join("cargo-timing.html");
        std::fs::write(&report, REPORT).unwrap();
        let theirs = read_units(&report).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(theirs.len(), 3);
        assert_eq!(theirs["serde 1.0.0 (lib) [default,std]"], 1.5);

        let mut ours = Units::new();
        ours.insert("serde 1.0.0 (lib) [default,std]".into(), 1.7);
        ours.insert("serde 1.0.0 (lib) [std]".into(), 1.0); // other features: other work
        ours.insert("deepnote-api 0.1.0 (build-script) []".into(), 0.5);
        let d = Differing::between(&ours, &theirs);
        assert_eq!(d.sums(), (1.5, 2.25));
        assert_eq!(d.theirs.len(), 2);
    }

    #[test]
    fn a_report_without_unit_data_is_an_error() {
        let dir = std::env::temp_dir().join(format!("xtask-nounits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let report = dir.join("cargo-timing.html");
        std::fs::write(&report, "<html></html>").unwrap();
        let err = read_units(&report).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.to_string().contains("UNIT_DATA"), "{err}");
        assert!(read_units(&dir.join("missing.html")).is_err());
    }
}
