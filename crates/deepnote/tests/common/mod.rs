//! Shared by the integration tests: an in-process emulator and a client pointed at it.
#![allow(dead_code)]

use deepnote::Client;
use deepnote_emulator::{Emulator, EmulatorBuilder, JournalEntry};

#[allow(unused_imports)]
pub use deepnote_emulator::{SAMPLE_NOTEBOOK_ID, SAMPLE_PROJECT_ID};

/// An emulator with the sample workspace, and a client with its admin key.
pub async fn sample() -> (Emulator, Client) {
    start(Emulator::builder().seed_sample()).await
}

pub async fn start(builder: EmulatorBuilder) -> (Emulator, Client) {
    let emu = builder
        .seed_sample()
        .start()
        .await
        .expect("emulator starts");
    let client = client_for(&emu, emu.sample_key());
    (emu, client)
}

pub fn client_for(emu: &Emulator, key: &str) -> Client {
    Client::builder()
        .api_key(key)
        .base_url(emu.base_url())
        .build()
        .expect("client builds")
}

/// The journal entries of API requests whose path starts with `prefix` and method is `method`.
pub fn requests(emu: &Emulator, method: &str, prefix: &str) -> Vec<JournalEntry> {
    emu.journal()
        .into_iter()
        .filter(|e| e.method == method && e.path.starts_with(prefix))
        .collect()
}

/// Serve `app` on a free loopback port; the URL of its root.
pub async fn stub(app: axum::Router) -> String {
    deepnote_test_support::loopback::serve(app).await
}

/// A client for a stub server, without retries so each answer is seen as it is.
pub fn stub_client(base: &str) -> Client {
    Client::builder()
        .api_key("stub-key-0123456789")
        .base_url(base)
        .retry_policy(deepnote::client::RetryPolicy::none())
        .build()
        .unwrap()
}
