//! The caller's identity: its key, user, workspace and access level.

use crate::client::Client;
use crate::error::Result;
use serde_json::{Map, Value};

pub use deepnote_api::AccessLevel;

/// Who is calling: the key, the user who made it, its workspace, and the access level there.
///
/// It serializes with the API's field names, in the API's order (`apiKey`, `user`,
/// `workspace`, `accessLevel`).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Me {
    /// What the server says about the key (its name, ID; never the secret itself).
    pub api_key: Map<String, Value>,
    /// The user who created the key.
    pub user: Map<String, Value>,
    /// The workspace the key belongs to.
    pub workspace: Map<String, Value>,
    /// The caller's access level in the workspace, when the server said.
    pub access_level: Option<AccessLevel>,
}

impl Me {
    /// The workspace's ID, when the server gave one.
    pub fn workspace_id(&self) -> Option<&str> {
        self.workspace.get("id").and_then(Value::as_str)
    }

    /// The workspace's name, when the server gave one.
    pub fn workspace_name(&self) -> Option<&str> {
        self.workspace.get("name").and_then(Value::as_str)
    }
}

/// The identity operation; from [`Client::me`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> deepnote::Result<()> {
/// # let emu = deepnote_emulator::Emulator::builder().seed_sample().start().await.unwrap();
/// # let client = deepnote::Client::builder()
/// #     .api_key(emu.sample_key())
/// #     .base_url(emu.base_url())
/// #     .build()?;
/// # let project = deepnote_emulator::SAMPLE_PROJECT_ID;
/// # let notebook = deepnote_emulator::SAMPLE_NOTEBOOK_ID;
/// let me = client.me().get().await?;
/// println!("{:?} ({:?})", me.workspace_name(), me.access_level);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct MeApi<'a> {
    pub(crate) client: &'a Client,
}

impl<'a> MeApi<'a> {
    /// The calling key, its user, workspace and access level.
    pub async fn get(&self) -> Result<Me> {
        let me = self.client.send(self.client.api().get_me().send()).await?;
        let mut me = Me {
            access_level: me.access_level,
            api_key: as_map(me.api_key),
            user: as_map(me.user),
            workspace: as_map(me.workspace),
        };
        // A server that echoes the secret would put it in every Debug of `Me`.
        let secret = self.client.inner.key.expose_secret();
        for map in [&mut me.api_key, &mut me.user, &mut me.workspace] {
            scrub(map, secret);
        }
        Ok(me)
    }
}

/// A part of the answer as the JSON object it came as (empty when it was absent).
fn as_map<T: serde::Serialize>(part: Option<T>) -> Map<String, Value> {
    match part.map(serde_json::to_value) {
        Some(Ok(Value::Object(map))) => map,
        _ => Map::new(),
    }
}

fn scrub(map: &mut Map<String, Value>, secret: &str) {
    for value in map.values_mut() {
        match value {
            Value::String(s) if s.contains(secret) => *s = s.replace(secret, "***"),
            Value::Object(inner) => scrub(inner, secret),
            _ => {}
        }
    }
}
