//! `deepnote-emulator`: a local Deepnote API server. See `--help`.

use clap::Parser;
use deepnote_emulator::{
    Dialect, Emulator, EmulatorConfig, Faults, KeySpec, RateLimit, RateLimitHeaders,
};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// A faithful, stateful local Deepnote Public API server.
///
/// The API is served under /v2 (and the legacy execute under /v1); the control API under
/// /_emulator (no key needed unless --admin-token is given).
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to bind (0: a free one, printed at start).
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// An API key: KEY[:WORKSPACE[:USER[:LEVEL]]], LEVEL one of guest, restricted_user,
    /// viewer, editor, admin (default admin). Repeatable.
    #[arg(long = "key", env = "DEEPNOTE_EMULATOR_KEY", value_parser = KeySpec::parse_cli)]
    keys: Vec<KeySpec>,
    /// Load a data set at start: `sample` (a workspace with projects, notebooks and runs,
    /// reachable with the key deepnote-emulator-sample-key).
    #[arg(long, value_parser = ["sample"])]
    seed: Option<String>,
    /// Keep state in SQLite under this directory (survives restarts and kill -9).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Log level (error, warn, info, debug, trace); info logs every request (never its key).
    #[arg(long, default_value = "warn")]
    log: String,
    /// Require this bearer token on the control API.
    #[arg(long, env = "DEEPNOTE_EMULATOR_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Build snapshot download URLs with this host (e.g. localhost, another origin).
    #[arg(long)]
    download_host: Option<String>,
    /// Seed for generated ids (deterministic ids).
    #[arg(long)]
    id_seed: Option<u64>,
    /// Start with the virtual clock frozen.
    #[arg(long)]
    freeze_clock: bool,
    /// The API to speak: `live` (what the Deepnote service does today) or `spec` (strictly
    /// the original deepnote-openapi.yml with the project's overlay).
    #[arg(long, default_value = "live", value_parser = ["live", "spec"])]
    dialect: String,
    /// In the live dialect, the share (0..1) of answers that use the other shapes Deepnote's
    /// client tolerates (nested snapshot, `{"run": {"id"}}` from POST /runs, `id` for `runId`).
    #[arg(long, default_value_t = 0.0)]
    alternate_shapes: f64,
    /// Deliver run snapshots this many milliseconds after the terminal status.
    #[arg(long, default_value_t = 0)]
    snapshot_delay_ms: u64,
    /// A new Streamlit app is `starting` this many milliseconds (its project machine
    /// restarting, on the emulator's clock), then `running`.
    #[arg(long, default_value_t = 2000)]
    streamlit_start_ms: u64,
    /// Fault: allow N requests per window per API key, then 429 (`N/MILLISECONDS`, e.g.
    /// 60/60000 for Deepnote's 60-second window).
    #[arg(long, value_parser = parse_rate_limit)]
    rate_limit: Option<RateLimit>,
    /// With --rate-limit: a sliding window (the last MILLISECONDS) instead of a fixed one.
    #[arg(long)]
    rate_limit_sliding: bool,
    /// With --rate-limit: the headers answers carry, comma-separated: retry-after (or
    /// retry-after-date), reset (or reset-epoch), limit (RateLimit-Limit and -Remaining), none.
    #[arg(long, default_value = "retry-after,reset,limit", value_parser = RateLimitHeaders::parse)]
    rate_limit_headers: RateLimitHeaders,
    /// Fault: share of requests answered 500/502/503 before they run (0..1).
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Fault: share of requests whose connection is reset after they ran (0..1).
    #[arg(long, default_value_t = 0.0)]
    reset_rate: f64,
    /// Fault: resets send the head and half the body before dropping the connection.
    #[arg(long)]
    reset_mid_body: bool,
    /// Fault: milliseconds added to API requests (to a share of them with --latency-rate).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fault: share of API requests that get --latency-ms (0..1).
    #[arg(long, default_value_t = 1.0)]
    latency_rate: f64,
    /// Seed of the fault dice.
    #[arg(long)]
    fault_seed: Option<u64>,
}

fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    let (n, ms) = s.split_once('/').ok_or("expected N/MILLISECONDS")?;
    Ok(RateLimit::new(
        n.parse().map_err(|_| "N must be a number")?,
        Duration::from_millis(ms.parse().map_err(|_| "MILLISECONDS must be a number")?),
    ))
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let config = EmulatorConfig {
        host: args.host,
        port: args.port,
        keys: args.keys,
        seed_sample: args.seed.is_some(),
        data_dir: args.data_dir,
        faults: Faults {
            rate_limit: args.rate_limit.map(|rl| RateLimit {
                sliding: args.rate_limit_sliding,
                headers: args.rate_limit_headers,
                ..rl
            }),
            error_rate: args.error_rate,
            reset_rate: args.reset_rate,
            reset_mid_body: args.reset_mid_body,
            latency: Duration::from_millis(args.latency_ms),
            latency_rate: args.latency_rate,
            seed: args.fault_seed,
            ..Faults::default()
        },
        download_host: args.download_host,
        admin_token: args.admin_token,
        id_seed: args.id_seed,
        freeze_clock: args.freeze_clock,
        snapshot_delay: Duration::from_millis(args.snapshot_delay_ms),
        dialect: args.dialect.parse::<Dialect>().unwrap_or_default(),
        alternate_shapes: args.alternate_shapes,
        streamlit_start_delay: Duration::from_millis(args.streamlit_start_ms),
        ..EmulatorConfig::default()
    };
    let seeded = config.seed_sample;
    let emu = match Emulator::start(config).await {
        Ok(emu) => emu,
        Err(e) => {
            eprintln!("deepnote-emulator: {e}");
            std::process::exit(1);
        }
    };
    // Scripts take the URL as this line's last word; the dialect goes on a line of its own.
    println!("deepnote-emulator listening on {}", emu.base_url());
    println!("dialect: {}", emu.dialect());
    if seeded {
        println!("sample workspace loaded; key: {}", emu.sample_key());
    }
    tokio::select! {
        _ = shutdown_signal() => {}
        _ = emu.stop_requested() => {}
    }
    eprintln!("deepnote-emulator: stopping (finishing requests in flight)");
    emu.shutdown().await;
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
