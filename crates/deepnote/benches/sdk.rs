//! The SDK's benchmarks, one run each, printed as ratios (see BENCHMARKS.md, section "SDK").
//!
//! `cargo bench -p deepnote --bench sdk` (add `-- overhead stream memory wait many files sync` to
//! pick).
//!
//! The servers run on a runtime of their own with one worker; the client on another with one
//! worker. A counting allocator measures the client's memory only: allocations on the server's
//! threads are not counted.

#[path = "sdk/files.rs"]
mod files;
#[path = "sdk/sync.rs"]
mod sync;

use deepnote::{
    Client, StreamExt,
    runs::{RunRequest, WaitPolicy},
};
use deepnote_emulator::{Behaviour, Emulator, Faults, Outcome, RateLimit};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::HashSet;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

struct Counting;

static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static UNCOUNTED: Cell<bool> = const { Cell::new(false) };
}

fn counted() -> bool {
    !UNCOUNTED.try_with(Cell::get).unwrap_or(true)
}

// SAFETY: every call is passed to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && counted() {
            let now = CURRENT.fetch_add(layout.size() as isize, Ordering::Relaxed)
                + layout.size() as isize;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        if counted() {
            CURRENT.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() {
    let picked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |name: &str| picked.is_empty() || picked.iter().any(|p| p == name);

    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .on_thread_start(|| UNCOUNTED.with(|u| u.set(true)))
        .build()
        .unwrap();
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();

    println!("# SDK benchmarks ({})", chrono_now());
    if wants("overhead") {
        let emu = servers.block_on(start(Emulator::builder().seed_sample()));
        client_rt.block_on(overhead(&emu));
    }
    if wants("stream") {
        let emu = servers.block_on(start(Emulator::builder().seed_sample()));
        client_rt.block_on(stream(&emu));
    }
    if wants("memory") {
        let base = servers.block_on(synthetic_server());
        client_rt.block_on(memory(&base));
    }
    if wants("wait") {
        let emu = servers.block_on(start(Emulator::builder().seed_sample()));
        client_rt.block_on(wait(&emu));
    }
    if wants("many") {
        let emu = servers.block_on(start(Emulator::builder().seed_sample()));
        client_rt.block_on(many(&emu));
    }
    if wants("files") {
        let base = servers.block_on(files::server());
        client_rt.block_on(files::files(&base));
    }
    if wants("sync") {
        let emu = servers.block_on(start(Emulator::builder().seed_sample()));
        client_rt.block_on(sync::sync(&emu));
    }
}

fn chrono_now() -> String {
    format!("{:?}", std::time::SystemTime::now())
}

async fn start(builder: deepnote_emulator::EmulatorBuilder) -> Emulator {
    builder.start().await.expect("the emulator starts")
}

fn client(emu: &Emulator) -> Client {
    Client::builder()
        .api_key(emu.sample_key())
        .base_url(emu.base_url())
        .build()
        .unwrap()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn percentile(mut xs: Vec<f64>, p: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let at = ((xs.len() as f64 - 1.0) * p).round() as usize;
    xs[at]
}

// ---- per-request overhead -------------------------------------------------------------------

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct BareProject {
    id: String,
    name: Option<String>,
    #[serde(rename = "projectType")]
    project_type: Option<String>,
    #[serde(rename = "folderId")]
    folder_id: Option<String>,
}

/// The emulator answers as the live API does, the project inside `{"project": ...}`.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct BareAnswer {
    project: BareProject,
}

/// Requests in one timed block, and block pairs in a run.
const BLOCK: usize = 50;
const BLOCKS: usize = 400;

async fn bare_block(bare: &reqwest::Client, url: &str, key: &str, n: usize) -> Duration {
    let t = Instant::now();
    for _ in 0..n {
        let p: BareAnswer = bare
            .get(url)
            .bearer_auth(key)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        std::hint::black_box(p);
    }
    t.elapsed()
}

async fn sdk_block(sdk: &Client, id: &str, n: usize) -> Duration {
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(sdk.projects().get(id).await.unwrap());
    }
    t.elapsed()
}

async fn overhead(emu: &Emulator) {
    const N: usize = 1000;
    const ROUNDS: usize = 15;
    let sdk = client(emu);
    // The same HTTP settings as the SDK's own client, so only the SDK's layers differ.
    let bare = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let id = deepnote_emulator::SAMPLE_PROJECT_ID;
    let url = format!("{}/v2/projects/{id}", emu.base_url());
    let key = emu.sample_key();

    let bare_round = || async { N as f64 / bare_block(&bare, &url, key, N).await.as_secs_f64() };
    let sdk_round = || async { N as f64 / sdk_block(&sdk, id, N).await.as_secs_f64() };
    // For profiling one side alone: BENCH_ONLY=sdk or BENCH_ONLY=bare.
    match std::env::var("BENCH_ONLY").as_deref() {
        Ok("sdk") => {
            for _ in 0..ROUNDS {
                println!("sdk {:.0} req/s", sdk_round().await);
            }
            return;
        }
        Ok("bare") => {
            for _ in 0..ROUNDS {
                println!("bare {:.0} req/s", bare_round().await);
            }
            return;
        }
        _ => {}
    }
    // Warm both connection pools. Then alternate short blocks, flipping the order each pair:
    // the machine's other work comes in bursts of tens of milliseconds, so a burst hits both
    // sides alike, and many pairs settle the ratio where a few long rounds could not.
    bare_block(&bare, &url, key, BLOCK * 10).await;
    sdk_block(&sdk, id, BLOCK * 10).await;
    let (mut bare_time, mut sdk_time) = (Duration::ZERO, Duration::ZERO);
    let mut ratios = Vec::with_capacity(BLOCKS);
    for pair in 0..BLOCKS {
        let (b, s) = if pair % 2 == 0 {
            let b = bare_block(&bare, &url, key, BLOCK).await;
            (b, sdk_block(&sdk, id, BLOCK).await)
        } else {
            let s = sdk_block(&sdk, id, BLOCK).await;
            (bare_block(&bare, &url, key, BLOCK).await, s)
        };
        bare_time += b;
        sdk_time += s;
        // Throughput ratio SDK / bare of this pair.
        ratios.push(b.as_secs_f64() / s.as_secs_f64());
    }
    let total = (BLOCK * BLOCKS) as f64;
    let (b, s) = (
        total / bare_time.as_secs_f64(),
        total / sdk_time.as_secs_f64(),
    );
    println!(
        "\n## Per-request overhead (GET /v2/projects/{{id}}, {BLOCKS} alternating pairs of {BLOCK}-request blocks)"
    );
    println!("bare reqwest + serde: {b:.0} req/s");
    println!("SDK:                  {s:.0} req/s");
    println!("ratio of throughputs: {:.3} (target >= 0.95)", s / b);
    let q = |p: f64| percentile(ratios.clone(), p);
    println!(
        "per-pair ratios: median {:.3}, quartiles {:.3}..{:.3}",
        q(0.5),
        q(0.25),
        q(0.75)
    );
    // The generated client alone, to tell the SDK's layer from deepnote-api's.
    if std::env::var("BENCH_LOWLEVEL").is_ok() {
        let (mut low_time, mut bare_time) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..BLOCKS {
            let t = Instant::now();
            for _ in 0..BLOCK {
                std::hint::black_box(sdk.api().get_project().project_id(id).send().await.unwrap());
            }
            low_time += t.elapsed();
            bare_time += bare_block(&bare, &url, key, BLOCK).await;
        }
        println!(
            "deepnote-api alone / bare, ratio of throughputs: {:.3}",
            bare_time.as_secs_f64() / low_time.as_secs_f64()
        );
    }
}

// ---- streaming ------------------------------------------------------------------------------

async fn stream(emu: &Emulator) {
    const ITEMS: usize = 10_000;
    const WORK: Duration = Duration::from_millis(5);
    let c = client(emu);
    futures_util::stream::iter(0..ITEMS)
        .map(|i| {
            let c = c.clone();
            async move { c.projects().create(format!("bench-{i:05}")).await.unwrap() }
        })
        .buffer_unordered(32)
        .for_each(|_| async {})
        .await;
    emu.set_faults(Faults {
        latency: Duration::from_millis(5),
        ..Faults::none()
    });

    let one_by_one = || async {
        let t = Instant::now();
        let (mut token, mut items) = (None, 0);
        loop {
            let mut list = c.projects().list().page_size(100);
            if let Some(t) = token.take() {
                list = list.page_token(t);
            }
            let page = list.send().await.unwrap();
            items += page.items.len();
            tokio::time::sleep(WORK).await;
            match page.next_page_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        (t.elapsed(), items)
    };
    let streamed = || async {
        let t = Instant::now();
        let mut pages = c.projects().list().page_size(100).pages();
        let mut items = 0;
        while let Some(page) = pages.next().await {
            items += page.unwrap().items.len();
            tokio::time::sleep(WORK).await;
        }
        (t.elapsed(), items)
    };
    let (mut seq, mut st) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let (d, n) = one_by_one().await;
        assert!(n >= ITEMS);
        seq.push(d.as_secs_f64());
        let (d, n) = streamed().await;
        assert!(n >= ITEMS);
        st.push(d.as_secs_f64());
    }
    emu.set_faults(Faults::none());
    let (seq, st) = (median(seq), median(st));
    println!(
        "\n## Streaming {ITEMS} projects, 100 a page, 5 ms server latency, 5 ms work per page"
    );
    println!("page by page: {seq:.3} s, stream (prefetch): {st:.3} s (medians of 3)");
    println!(
        "ratio stream / page by page: {:.3} (target <= 0.6, ideal 0.5)",
        st / seq
    );
}

// ---- memory ---------------------------------------------------------------------------------

/// A server of `/{total}/v2/projects` with `total` made-up projects, built on the fly.
async fn synthetic_server() -> String {
    use axum::extract::{Path, Query};
    use std::collections::HashMap;
    let app = axum::Router::new().route(
        "/{total}/v2/projects",
        axum::routing::get(
            |Path(total): Path<usize>, Query(q): Query<HashMap<String, String>>| async move {
                let size: usize = q.get("pageSize").and_then(|s| s.parse().ok()).unwrap_or(20);
                let from: usize = q.get("pageToken").and_then(|s| s.parse().ok()).unwrap_or(0);
                let to = (from + size).min(total);
                let projects: Vec<_> = (from..to)
                    .map(|i| {
                        serde_json::json!({"id": format!("00000000-0000-4000-8000-{i:012}"),
                        "name": format!("Synthetic project number {i}"), "projectType": "standard"})
                    })
                    .collect();
                let mut body = serde_json::json!({ "projects": projects, "pagination": {} });
                if to < total {
                    body["pagination"]["nextPageToken"] = serde_json::json!(to.to_string());
                }
                axum::Json(body)
            },
        ),
    );
    deepnote_test_support::loopback::serve(app).await
}

async fn memory(base: &str) {
    let peak_for = |total: usize| {
        let root = format!("{base}/{total}/v2");
        async move {
            let c = Client::builder()
                .api_key("bench")
                .base_urls(&root, &root)
                .build()
                .unwrap();
            // Warm the connection (its read buffer grows to fit a full page once), so that the
            // measurement holds only the stream's own memory.
            let warm: Vec<_> = c
                .projects()
                .list()
                .page_size(100)
                .stream()
                .take(300)
                .collect()
                .await;
            drop(warm);
            let before = CURRENT.load(Ordering::Relaxed);
            PEAK.store(before, Ordering::Relaxed);
            let mut items = c.projects().list().page_size(100).stream();
            let (mut n, mut bytes) = (0usize, 0usize);
            while let Some(p) = items.next().await {
                let p = p.unwrap();
                n += 1;
                bytes += p.name.len();
                if std::env::var("BENCH_TRACE").is_ok() && n % 10_000 == 0 {
                    eprintln!(
                        "  at {n}: live {:.1} KiB, peak {:.1} KiB",
                        (CURRENT.load(Ordering::Relaxed) - before) as f64 / 1024.0,
                        (PEAK.load(Ordering::Relaxed) - before) as f64 / 1024.0
                    );
                }
            }
            assert_eq!(n, total);
            std::hint::black_box(bytes);
            (PEAK.load(Ordering::Relaxed) - before) as f64
        }
    };
    // A peak is a rare overlap (the page the caller holds, the next one being decoded, the
    // connection's buffers), so both sizes get the same number of pages to meet it in: 100
    // runs of 1,000 items (10 pages each) against one run of 100,000 (1,000 pages), five times.
    let mut small = Vec::new();
    let mut large = Vec::new();
    for _ in 0..5 {
        let mut worst = 0.0f64;
        for _ in 0..100 {
            worst = worst.max(peak_for(1_000).await);
        }
        small.push(worst);
        large.push(peak_for(100_000).await);
    }
    let kib = |xs: &[f64]| {
        xs.iter()
            .map(|b| (b / 102.4).round() / 10.0)
            .collect::<Vec<_>>()
    };
    println!("\n## Peak client memory while streaming (100 a page)");
    println!("worst of 100 runs of 1,000 items, KiB: {:?}", kib(&small));
    println!("one run of 100,000 items, KiB:         {:?}", kib(&large));
    let (small, large) = (median(small), median(large));
    println!(
        "1,000 items: {:.1} KiB; 100,000 items: {:.1} KiB (medians)",
        small / 1024.0,
        large / 1024.0
    );
    println!(
        "ratio 100,000 / 1,000: {:.3} (target <= 1.10)",
        large / small
    );
}

// ---- waiting --------------------------------------------------------------------------------

async fn wait(emu: &Emulator) {
    const RUNS: usize = 20;
    let durations = [0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0];
    let c = client(emu);
    let mut notebooks = Vec::new();
    for &secs in &durations {
        let nb = c
            .notebooks()
            .create(deepnote_emulator::SAMPLE_PROJECT_ID)
            .name(format!("wait {secs}s"))
            .await
            .unwrap();
        let d = Duration::from_secs_f64(secs);
        emu.set_behaviour(&nb.id, Behaviour::new(d, Outcome::Success));
        notebooks.push((secs, nb.id));
    }
    // First without history (the notebooks have none yet, and it is turned off), then with
    // the history the first pass left: each wait of the second pass reads it once.
    for history in [false, true] {
        let mut tasks = Vec::new();
        for (secs, nb) in &notebooks {
            let d = Duration::from_secs_f64(*secs);
            for _ in 0..RUNS {
                let (c, nb, secs) = (c.clone(), nb.clone(), *secs);
                tasks.push(tokio::spawn(async move {
                    let t0 = Instant::now();
                    let handle = c.runs().create(nb).await.unwrap();
                    handle
                        .wait()
                        .policy(WaitPolicy::default())
                        .history(history)
                        .await
                        .unwrap();
                    // From the latest moment the run can have ended (it started after t0).
                    let late = t0.elapsed().saturating_sub(d);
                    (secs, handle.id().to_string(), late.as_secs_f64())
                }));
            }
        }
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        let journal = emu.journal();
        let label = if history {
            "with history"
        } else {
            "without history"
        };
        println!("\n## Waiting {label} ({RUNS} runs per duration, default WaitPolicy)");
        println!(
            "| run length | p95 end-to-return | target | GETs per wait (median) | target (Deepnote's CLI: 1 + every 2 s) |"
        );
        println!("|---|---|---|---|---|");
        for (secs, _) in &notebooks {
            let secs = *secs;
            let mine: Vec<_> = results.iter().filter(|r| r.0 == secs).collect();
            let lates: Vec<f64> = mine.iter().map(|r| r.2).collect();
            // The run's reads, and the one history read of each wait that makes one.
            let gets: Vec<f64> = mine
                .iter()
                .map(|r| {
                    let reads = journal
                        .iter()
                        .filter(|e| e.method == "GET" && e.path.contains(&r.1))
                        .count();
                    (reads + usize::from(history)) as f64
                })
                .collect();
            let cli = (secs / 2.0).ceil() + 1.0;
            let (share, times) = if history { (0.05, 2.0) } else { (0.1, 3.0) };
            let target = (0.25f64).max(share * secs);
            println!(
                "| {secs} s | {:.0} ms | {:.0} ms | {:.0} | {:.0} |",
                percentile(lates, 0.95) * 1000.0,
                target * 1000.0,
                median(gets),
                times * cli
            );
        }
    }
    let history_reads = journal_history_reads(emu);
    println!("history reads in all: {history_reads} (one per wait of the second pass)");
}

/// The requests for notebooks' run histories.
fn journal_history_reads(emu: &Emulator) -> usize {
    emu.journal()
        .iter()
        .filter(|e| {
            let path = e.path.split('?').next().unwrap_or_default();
            e.method == "GET" && path.starts_with("/v2/notebooks/") && path.ends_with("/runs")
        })
        .count()
}

// ---- many runs ------------------------------------------------------------------------------

async fn many(emu: &Emulator) {
    const RUNS: usize = 1000;
    let concurrency: usize = std::env::var("BENCH_CONCURRENCY")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(250);
    let nb = deepnote_emulator::SAMPLE_NOTEBOOK_ID;
    emu.set_behaviour(nb, Behaviour::new(Duration::from_secs(1), Outcome::Success));
    let c = client(emu);
    emu.clear_journal();
    emu.set_faults(Faults {
        rate_limit: Some(RateLimit::new(200, Duration::from_secs(1))),
        ..Faults::none()
    });
    let t = Instant::now();
    let outcomes = c
        .runs()
        // `region` is the sample notebook's text input: an input it does not define would be
        // refused before sending.
        .run_many((0..RUNS).map(|i| RunRequest::new(nb).input("region", i)))
        .concurrency(concurrency)
        .collect()
        .await;
    let took = t.elapsed();
    emu.set_faults(Faults::none());
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    let journal = emu.journal();
    let api: Vec<_> = journal
        .iter()
        .filter(|e| e.path.starts_with("/v2/"))
        .collect();
    let created: Vec<_> = api
        .iter()
        .filter(|e| e.method == "POST" && e.applied)
        .filter_map(|e| e.created.clone())
        .collect();
    let unique: HashSet<_> = created.iter().collect();
    let limited = api.iter().filter(|e| e.status == 429).count();
    let reads = api
        .iter()
        .filter(|e| e.method == "GET" && e.status == 200)
        .count();
    println!(
        "\n## run_many: {RUNS} runs of 1 s, server limited to 200 requests/s, concurrency {concurrency}"
    );
    println!(
        "wall time: {:.2} s (target <= 12 s; floor 10 s)",
        took.as_secs_f64()
    );
    println!(
        "failures: {failed}; runs created: {} ({} distinct)",
        created.len(),
        unique.len()
    );
    println!(
        "requests per run: {:.2} ({} creates, {reads} status reads, {limited} answered 429; journal {} entries)",
        api.len() as f64 / RUNS as f64,
        created.len(),
        api.len()
    );
}
