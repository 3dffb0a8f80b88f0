//! `files`: a 1 GiB upload and a 1 GiB download through the SDK against a bare reqwest stream
//! of the same bytes to the same loopback server, with the client's peak heap (issue 11:
//! peak <= 32 MiB, throughput >= 0.8x bare).

use super::{CURRENT, PEAK, median};
use deepnote::{Client, StreamExt};
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, ReadBuf};

const SIZE: u64 = 1 << 30;
const CHUNK: usize = 64 * 1024;
const PROJECT: &str = "0c3f2b1e-7d4a-4b8e-9f10-2a3b4c5d6e7f";

fn chunk() -> bytes::Bytes {
    bytes::Bytes::from((0..CHUNK).map(|i| (i % 251) as u8).collect::<Vec<u8>>())
}

/// `SIZE` bytes made of one repeated chunk: a reader, as the SDK takes a file.
struct Repeat {
    chunk: bytes::Bytes,
    left: u64,
}

impl AsyncRead for Repeat {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = (buf.remaining() as u64).min(self.left).min(CHUNK as u64) as usize;
        let chunk = self.chunk.clone();
        buf.put_slice(&chunk[..n]);
        self.left -= n as u64;
        Poll::Ready(Ok(()))
    }
}

/// The same bytes as a stream of chunks, as a bare reqwest upload sends them.
fn repeat_stream() -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send {
    let chunk = chunk();
    futures_util::stream::unfold(0u64, move |sent| {
        let chunk = chunk.clone();
        async move {
            (sent < SIZE).then(|| {
                let n = (SIZE - sent).min(CHUNK as u64) as usize;
                (Ok(chunk.slice(..n)), sent + n as u64)
            })
        }
    })
}

/// A server that swallows uploads (counting them) and serves `SIZE`-byte downloads.
pub async fn server() -> String {
    use axum::body::Body;
    let app = axum::Router::new()
        .route(
            "/v2/files",
            axum::routing::post(|body: Body| async move {
                let mut stream = body.into_data_stream();
                let mut n = 0u64;
                while let Some(c) = stream.next().await {
                    n += c.map(|c| c.len() as u64).unwrap_or(0);
                }
                (
                    axum::http::StatusCode::CREATED,
                    axum::Json(serde_json::json!({"file": {"path": "big.bin", "size": n}})),
                )
            }),
        )
        .route(
            "/v2/files/download",
            axum::routing::get(|| async { Body::from_stream(repeat_stream()) }),
        );
    deepnote_test_support::loopback::serve(app).await
}

/// Seconds and peak heap (bytes above the start) of one run of `f`.
async fn measure<F: std::future::Future<Output = u64>>(f: F) -> (f64, f64) {
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let t = Instant::now();
    let n = f.await;
    let secs = t.elapsed().as_secs_f64();
    assert!(n >= SIZE, "moved {n} bytes");
    (secs, (PEAK.load(Ordering::Relaxed) - before) as f64)
}

pub async fn files(base: &str) {
    let sdk = Client::builder()
        .api_key("bench-key-0123456789")
        .base_url(base)
        .timeout(std::time::Duration::from_secs(600))
        .build()
        .unwrap();
    let bare = reqwest::Client::new();
    let (up_url, down_url) = (
        format!("{base}/v2/files"),
        format!("{base}/v2/files/download?projectId={PROJECT}&path=big.bin"),
    );
    let sdk_up = || async {
        let f = sdk
            .files()
            .upload(PROJECT, "big.bin")
            .progress(|n| {
                std::hint::black_box(n);
            })
            .from_reader(
                Repeat {
                    chunk: chunk(),
                    left: SIZE,
                },
                Some(SIZE),
            )
            .await
            .unwrap();
        f.size.unwrap_or(0)
    };
    let bare_up = || async {
        let r = bare
            .post(&up_url)
            .bearer_auth("bench-key-0123456789")
            .body(reqwest::Body::wrap_stream(repeat_stream()))
            .send()
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        v["file"]["size"].as_u64().unwrap_or(0)
    };
    let sdk_down = || async {
        sdk.files()
            .download(PROJECT, "big.bin")
            .progress(|n| {
                std::hint::black_box(n);
            })
            .to_writer(tokio::io::sink())
            .await
            .unwrap()
    };
    let bare_down = || async {
        let r = bare
            .get(&down_url)
            .bearer_auth("bench-key-0123456789")
            .send()
            .await
            .unwrap();
        let mut body = r.bytes_stream();
        let mut n = 0u64;
        while let Some(c) = body.next().await {
            n += c.unwrap().len() as u64;
        }
        n
    };
    // Warm the pools, then interleave the runs so that the machine's noise falls on both.
    let _ = sdk.files().delete(PROJECT, "warm-up").await;
    let _ = bare.get(&down_url).send().await;
    let (mut su, mut bu, mut sd, mut bd) = (vec![], vec![], vec![], vec![]);
    let (mut peak_up, mut peak_down) = (0f64, 0f64);
    for _ in 0..3 {
        let (t, p) = measure(sdk_up()).await;
        su.push(t);
        peak_up = peak_up.max(p);
        bu.push(measure(bare_up()).await.0);
        let (t, p) = measure(sdk_down()).await;
        sd.push(t);
        peak_down = peak_down.max(p);
        bd.push(measure(bare_down()).await.0);
    }
    let gib_s = |secs: f64| SIZE as f64 / secs / (1u64 << 30) as f64;
    let (su, bu, sd, bd) = (median(su), median(bu), median(sd), median(bd));
    println!("\n## 1 GiB file upload and download (loopback, medians of 3)");
    println!(
        "| | SDK | bare reqwest stream | ratio (target >= 0.8) | SDK peak heap (target <= 32 MiB) |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| upload | {:.2} GiB/s | {:.2} GiB/s | {:.3} | {:.2} MiB |",
        gib_s(su),
        gib_s(bu),
        bu / su,
        peak_up / (1u64 << 20) as f64
    );
    println!(
        "| download | {:.2} GiB/s | {:.2} GiB/s | {:.3} | {:.2} MiB |",
        gib_s(sd),
        gib_s(bd),
        bd / sd,
        peak_down / (1u64 << 20) as f64
    );
}
