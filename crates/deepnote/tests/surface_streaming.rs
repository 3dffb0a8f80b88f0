//! A 64 MiB upload and a 64 MiB download through the SDK while this test binary's peak heap
//! stays small: the bytes are streamed, never held whole, on either side (the stub counts and
//! hashes them as they arrive, or makes them as they leave).
//!
//! Measured with a counting global allocator, so this file holds one test: two at once would
//! count each other's allocations.

mod surface_support;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use deepnote::StreamExt;
use std::alloc::{GlobalAlloc, Layout, System};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use surface_support::PROJECT;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is to the system allocator.
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SIZE: u64 = 64 * 1024 * 1024;
/// What the transfers may add to the heap: a few chunks and buffers, far below the 64 MiB.
const ALLOWED: usize = 8 * 1024 * 1024;

/// Byte `i` of the test file.
fn byte(i: u64) -> u8 {
    (i % 251) as u8
}

/// FNV-1a, to compare what arrived with what was sent without keeping either.
#[derive(Clone, Copy)]
struct Fnv(u64);
impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn update(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
    }
}

/// The test file, made as it is read.
struct Pattern {
    at: u64,
}
impl AsyncRead for Pattern {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = (buf.remaining() as u64).min(SIZE - self.at) as usize;
        let start = self.at;
        let chunk: Vec<u8> = (0..n as u64).map(|i| byte(start + i)).collect();
        buf.put_slice(&chunk);
        self.at += n as u64;
        Poll::Ready(Ok(()))
    }
}

/// A writer that only hashes.
struct Hashing(Fnv, u64);
impl AsyncWrite for Hashing {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        b: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.0.update(b);
        self.1 += b.len() as u64;
        Poll::Ready(Ok(b.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

fn pattern_hash(mut h: Fnv) -> Fnv {
    let mut i = 0;
    let mut chunk = Vec::with_capacity(1 << 16);
    while i < SIZE {
        chunk.clear();
        let n = (1u64 << 16).min(SIZE - i);
        chunk.extend((0..n).map(|k| byte(i + k)));
        h.update(&chunk);
        i += n;
    }
    h
}

#[derive(Default)]
struct Received {
    content_type: String,
    content_length: String,
    bytes: u64,
    hash: u64,
    chunks: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_mib_up_and_down_with_a_small_heap() {
    let received: Arc<Mutex<Received>> = Arc::default();
    let log = received.clone();
    let app = Router::new()
        .route(
            "/v2/files",
            axum::routing::post(move |headers: HeaderMap, body: Body| {
                let log = log.clone();
                async move {
                    let mut stream = body.into_data_stream();
                    let (mut hash, mut bytes, mut chunks) = (Fnv::new(), 0u64, 0u64);
                    while let Some(chunk) = stream.next().await {
                        let chunk = chunk.unwrap();
                        hash.update(&chunk);
                        bytes += chunk.len() as u64;
                        chunks += 1;
                    }
                    let text = |k: &str| {
                        headers
                            .get(k)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string()
                    };
                    *log.lock().unwrap() = Received {
                        content_type: text("content-type"),
                        content_length: text("content-length"),
                        bytes,
                        hash: hash.0,
                        chunks,
                    };
                    (
                        StatusCode::CREATED,
                        axum::Json(serde_json::json!({"file": {"path": "big.bin", "size": SIZE}})),
                    )
                }
            }),
        )
        .route(
            "/v2/files/download",
            axum::routing::get(|| async {
                let chunks = futures_util::stream::unfold(0u64, |at| async move {
                    if at >= SIZE {
                        return None;
                    }
                    let n = (1u64 << 16).min(SIZE - at);
                    let chunk: Vec<u8> = (0..n).map(|k| byte(at + k)).collect();
                    Some((Ok::<_, std::io::Error>(chunk), at + n))
                });
                Body::from_stream(chunks).into_response()
            }),
        );
    let base = deepnote_test_support::loopback::serve(app).await;
    let client = deepnote::Client::builder()
        .api_key("surface-key-0123456789")
        .base_url(&base)
        .build()
        .unwrap();
    // Warm up the connection pool and the runtime so their one-off allocations are not counted.
    let _ = client.files().delete(PROJECT, "warm-up").await;

    let baseline = NOW.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let progress = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    let (p, c) = (progress.clone(), calls.clone());
    let file = client
        .files()
        .upload(PROJECT, "big.bin")
        .progress(move |n| {
            assert!(n > p.swap(n, Ordering::Relaxed), "totals only grow");
            c.fetch_add(1, Ordering::Relaxed);
        })
        .from_reader(Pattern { at: 0 }, Some(SIZE))
        .await
        .unwrap();
    let up_peak = PEAK.load(Ordering::Relaxed) - baseline;
    assert_eq!(file.size, Some(SIZE));
    assert_eq!(progress.load(Ordering::Relaxed), SIZE);
    assert!(
        calls.load(Ordering::Relaxed) > 100,
        "progress is reported chunk by chunk"
    );

    let got = std::mem::take(&mut *received.lock().unwrap());
    let boundary = got
        .content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap()
        .to_string();
    let mut expected = Fnv::new();
    expected.update(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"projectId\"\r\n\r\n{PROJECT}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"path\"\r\n\r\nbig.bin\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    let mut expected = pattern_hash(expected);
    expected.update(format!("\r\n--{boundary}--\r\n").as_bytes());
    assert_eq!(got.content_length, got.bytes.to_string());
    assert!(got.bytes > SIZE);
    assert_eq!(got.hash, expected.0, "every byte arrived, in order");
    assert!(got.chunks > 1);

    let baseline = NOW.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    let last = Arc::new(AtomicU64::new(0));
    let l = last.clone();
    let mut sink = Hashing(Fnv::new(), 0);
    let n = client
        .files()
        .download(PROJECT, "big.bin")
        .progress(move |n| {
            assert!(n > l.swap(n, Ordering::Relaxed), "totals only grow");
        })
        .to_writer(&mut sink)
        .await
        .unwrap();
    let down_peak = PEAK.load(Ordering::Relaxed) - baseline;
    assert_eq!((n, sink.1), (SIZE, SIZE));
    assert_eq!(last.load(Ordering::Relaxed), SIZE);
    assert_eq!(sink.0.0, pattern_hash(Fnv::new()).0);

    println!("peak heap above baseline: upload {up_peak} B, download {down_peak} B");
    assert!(up_peak < ALLOWED, "upload peak {up_peak} B");
    assert!(down_peak < ALLOWED, "download peak {down_peak} B");
}
