//! `Client::from_env` and `Credentials`, alone in their own test binary: they change the
//! process environment, which no other thread may read meanwhile.

mod common;

use deepnote::{
    Client, Error,
    client::BASE_URL_ENV,
    credentials::{
        API_KEY_ENV, CONFIG_DIR_ENV, Credentials, KeySource, Profile, Profiles, TOKEN_ENV,
    },
};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

fn set(var: &str, value: Option<&str>) {
    // SAFETY: this binary's only test; the emulator's threads do not read the environment.
    unsafe {
        match value {
            Some(v) => std::env::set_var(var, v),
            None => std::env::remove_var(var),
        }
    }
}

fn temp_dir() -> PathBuf {
    deepnote_test_support::scratch::dir("from-env")
}

#[tokio::test]
async fn keys_are_found_the_way_deepnote_users_have_them() {
    let (emu, _) = common::sample().await;
    let dir = temp_dir();
    let config = dir.join("config");
    set(CONFIG_DIR_ENV, Some(config.to_str().unwrap()));
    for var in [API_KEY_ENV, TOKEN_ENV, BASE_URL_ENV] {
        set(var, None);
    }

    // Nothing anywhere: every source in order, and where a key is made.
    let err = Client::from_env().unwrap_err();
    let Error::NoApiKey { searched } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(searched.len(), 4, "{searched:?}");
    assert!(searched[0].contains("key file"), "{searched:?}");
    assert_eq!(searched[1], "$DEEPNOTE_API_KEY");
    assert_eq!(searched[2], "$DEEPNOTE_TOKEN");
    assert!(searched[3].contains("profile `default`"), "{searched:?}");
    assert!(
        searched[3].contains(config.to_str().unwrap()),
        "{searched:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("Settings & members > Security > API keys"),
        "{text}"
    );

    // DEEPNOTE_TOKEN, the name Deepnote's docs use, is enough.
    set(TOKEN_ENV, Some(emu.sample_key()));
    set(BASE_URL_ENV, Some(emu.base_url()));
    let found = Credentials::resolve().unwrap();
    assert_eq!(found.source(), &KeySource::Env(TOKEN_ENV));
    let client = Client::from_env().unwrap();
    assert!(client.me().get().await.is_ok());
    assert_eq!(client.base_urls().v2(), format!("{}/v2", emu.base_url()));
    assert_eq!(client.base_urls().v1(), format!("{}/v1", emu.base_url()));

    // A refused key says where it came from.
    set(TOKEN_ENV, Some("not-the-key"));
    let err = Client::from_env().unwrap().me().get().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("the key from $DEEPNOTE_TOKEN was refused"),
        "{text}"
    );
    assert!(!text.contains("not-the-key"), "{text}");

    // DEEPNOTE_API_KEY comes before DEEPNOTE_TOKEN.
    set(API_KEY_ENV, Some(emu.sample_key()));
    assert_eq!(
        Credentials::resolve().unwrap().source(),
        &KeySource::Env(API_KEY_ENV)
    );
    assert!(Client::from_env().unwrap().me().get().await.is_ok());

    // An explicit key file comes before both.
    let key_file = dir.join("key");
    std::fs::write(&key_file, format!("{}\n", emu.sample_key())).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let found = Credentials::resolver()
        .key_file(&key_file)
        .resolve()
        .unwrap();
    assert_eq!(found.source(), &KeySource::File(key_file.clone()));
    assert_eq!(found.api_key().expose_secret(), emu.sample_key());

    // With neither variable, the profile `deepnote auth login` writes, with its base URL.
    set(API_KEY_ENV, None);
    set(TOKEN_ENV, None);
    set(BASE_URL_ENV, None);
    let path = config.join(deepnote::credentials::CREDENTIALS_FILE);
    let mut profiles = Profiles::default();
    profiles.profiles.insert(
        "work".into(),
        Profile {
            api_key: emu.sample_key().into(),
            base_url: Some(emu.base_url().into()),
        },
    );
    profiles.save(&path).unwrap();
    // Not the profile asked for: still nothing.
    assert!(matches!(Client::from_env(), Err(Error::NoApiKey { .. })));
    let found = Credentials::resolver().profile("work").resolve().unwrap();
    assert_eq!(
        found.source(),
        &KeySource::Profile {
            name: "work".into(),
            path: path.clone()
        }
    );
    assert_eq!(found.base_url(), Some(emu.base_url()));
    let client = Client::from_credentials(found).unwrap();
    assert_eq!(client.base_urls().v2(), format!("{}/v2", emu.base_url()));
    assert!(client.me().get().await.is_ok());

    // A credentials file others may read is refused, not used.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = Credentials::resolver()
        .profile("work")
        .resolve()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("chmod 600")),
        "{err:?}"
    );

    // An empty variable is no key: the search goes on.
    set(API_KEY_ENV, Some(""));
    assert!(matches!(
        Credentials::resolver().config_dir(&dir).resolve(),
        Err(Error::NoApiKey { .. })
    ));
    std::fs::remove_dir_all(dir).unwrap();
}
