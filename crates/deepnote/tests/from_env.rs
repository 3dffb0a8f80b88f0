//! `Client::from_env`, alone in its own test binary: it changes the process environment, which
//! no other thread may read meanwhile.

mod common;

use deepnote::{Client, Error};

#[tokio::test]
async fn from_env_reads_the_key_and_the_base() {
    let (emu, _) = common::sample().await;
    // SAFETY: this binary's only test; the emulator's threads do not read the environment.
    unsafe {
        std::env::remove_var(deepnote::API_KEY_ENV);
    }
    assert!(matches!(Client::from_env(), Err(Error::Config(m)) if m.contains("DEEPNOTE_API_KEY")));
    unsafe {
        std::env::set_var(deepnote::API_KEY_ENV, emu.sample_key());
        std::env::set_var(deepnote::BASE_URL_ENV, emu.base_url());
    }
    let client = Client::from_env().unwrap();
    assert!(client.me().get().await.is_ok());
    assert_eq!(client.base_urls().v2(), format!("{}/v2", emu.base_url()));
    assert_eq!(client.base_urls().v1(), format!("{}/v1", emu.base_url()));
}
