//! API keys, access levels, and which operation needs which level.
//!
//! | Operation                                   | Lowest level      |
//! |---------------------------------------------|-------------------|
//! | `GET /me`                                   | guest             |
//! | `GET /projects`, `GET /projects/{id}`       | restricted_user   |
//! | `GET /notebooks/{id}`, `GET .../runs`       | restricted_user   |
//! | `GET /runs/{id}`                            | restricted_user   |
//! | `POST /projects`, `DELETE /projects/{id}`   | editor            |
//! | `POST /notebooks`, `DELETE /notebooks/{id}` | editor            |
//! | `POST /runs`, v1 execute                    | editor            |
//! | every other read (blocks, schedules, ...)   | restricted_user   |
//! | every other write (blocks, schedules, ...)  | editor            |
//!
//! A guest can only introspect its key; restricted users and viewers read; editors and admins
//! also create, delete and run. Keys are compared in constant time (over SHA-256 digests, so
//! neither content nor length leaks through timing), and never logged.

use crate::error::Refusal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// A key's access level in its workspace, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May only introspect its own key (`/me`).
    Guest,
    /// Reads projects, notebooks and runs.
    RestrictedUser,
    /// Reads projects, notebooks and runs.
    Viewer,
    /// Reads, creates, deletes and runs.
    Editor,
    /// Everything.
    Admin,
}

impl Role {
    /// The wire name, as `/me` reports it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Guest => "guest",
            Role::RestrictedUser => "restricted_user",
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "guest" => Role::Guest,
            "restricted_user" => Role::RestrictedUser,
            "viewer" => Role::Viewer,
            "editor" => Role::Editor,
            "admin" => Role::Admin,
            other => return Err(format!("unknown access level `{other}`")),
        })
    }
}

/// The API's operations, as the access table above names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `GET /me`
    GetMe,
    /// `GET /projects`, `GET /projects/{id}`, `GET /notebooks/{id}`, `GET .../runs`, `GET /runs/{id}`
    Read,
    /// `POST /projects`, `POST /notebooks`
    Create,
    /// `PATCH` of notebooks, blocks and machines, reordering blocks, imports, schedules
    Update,
    /// `DELETE /projects/{id}`, `DELETE /notebooks/{id}`, `DELETE /blocks/{id}`, `DELETE /files`
    Delete,
    /// `POST /runs`, v1 execute
    Run,
}

impl Op {
    /// The lowest access level allowed to perform this operation.
    pub fn required(self) -> Role {
        match self {
            Op::GetMe => Role::Guest,
            Op::Read => Role::RestrictedUser,
            Op::Create | Op::Update | Op::Delete | Op::Run => Role::Editor,
        }
    }
}

/// An API key the emulator accepts, with who it belongs to.
///
/// Its `Debug` output leaves the secret out, so it never reaches a log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeySpec {
    /// The secret sent as `Authorization: Bearer <key>`.
    pub key: String,
    /// The workspace the key belongs to; it sees only this workspace's projects.
    pub workspace_id: String,
    /// The workspace's display name.
    pub workspace_name: String,
    /// The user that created the key.
    pub user_id: String,
    /// The key's access level.
    pub access: Role,
}

impl std::fmt::Debug for KeySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySpec")
            .field("key_id", &self.key_id())
            .field("workspace_id", &self.workspace_id)
            .field("user_id", &self.user_id)
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

impl KeySpec {
    /// A key for workspace `default-workspace`, user `default-user`, with admin access.
    pub fn new(key: impl Into<String>) -> Self {
        KeySpec {
            key: key.into(),
            workspace_id: "default-workspace".into(),
            workspace_name: "Default workspace".into(),
            user_id: "default-user".into(),
            access: Role::Admin,
        }
    }

    /// Set the workspace (its name defaults to the id).
    pub fn workspace(mut self, id: impl Into<String>) -> Self {
        self.workspace_id = id.into();
        self.workspace_name = self.workspace_id.clone();
        self
    }

    /// Set the workspace's display name.
    pub fn workspace_name(mut self, name: impl Into<String>) -> Self {
        self.workspace_name = name.into();
        self
    }

    /// Set the user that owns the key.
    pub fn user(mut self, id: impl Into<String>) -> Self {
        self.user_id = id.into();
        self
    }

    /// Set the access level.
    pub fn access(mut self, level: Role) -> Self {
        self.access = level;
        self
    }

    /// A stable, non-secret id for the key: a prefix of its digest.
    pub fn key_id(&self) -> String {
        let d = Sha256::digest(self.key.as_bytes());
        crate::codec::hex(&d[..8])
    }

    /// Parse `KEY[:WORKSPACE[:USER[:LEVEL]]]`, the binary's `--key` syntax.
    pub fn parse_cli(s: &str) -> Result<Self, String> {
        let mut parts = s.split(':');
        let key = parts.next().filter(|k| !k.is_empty()).ok_or("empty key")?;
        let mut spec = KeySpec::new(key);
        if let Some(ws) = parts.next().filter(|p| !p.is_empty()) {
            spec = spec.workspace(ws);
        }
        if let Some(user) = parts.next().filter(|p| !p.is_empty()) {
            spec = spec.user(user);
        }
        if let Some(level) = parts.next().filter(|p| !p.is_empty()) {
            spec = spec.access(level.parse()?);
        }
        if parts.next().is_some() {
            return Err("expected KEY[:WORKSPACE[:USER[:LEVEL]]]".into());
        }
        Ok(spec)
    }
}

/// The keys the emulator accepts.
#[derive(Debug, Default, Clone)]
pub(crate) struct Keys {
    entries: Vec<([u8; 32], Arc<KeySpec>)>,
}

impl Keys {
    /// Accept this key too (a key with the same secret replaces the old one).
    pub fn add(&mut self, spec: KeySpec) {
        let digest: [u8; 32] = Sha256::digest(spec.key.as_bytes()).into();
        self.entries.retain(|(d, _)| d != &digest);
        self.entries.push((digest, Arc::new(spec)));
    }

    /// The key an `Authorization` header value names, or 401.
    pub fn authenticate(&self, header: Option<&str>) -> Result<Arc<KeySpec>, Refusal> {
        let presented = header
            .and_then(|h| {
                let (scheme, rest) = h.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|k| !k.is_empty())
            .ok_or(Refusal::Unauthorized)?;
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        // Look at every key whatever matches, so timing does not tell how many keys exist
        // before the right one.
        let mut found = None;
        for (d, spec) in &self.entries {
            if bool::from(d.ct_eq(&digest)) {
                found = Some(spec.clone());
            }
        }
        found.ok_or(Refusal::Unauthorized)
    }
}

/// 403 unless `key` may perform `op`.
pub(crate) fn authorize(key: &KeySpec, op: Op) -> Result<(), Refusal> {
    if key.access >= op.required() {
        Ok(())
    } else {
        Err(Refusal::Forbidden(format!(
            "access level `{}` may not perform this operation (needs `{}`)",
            key.access.as_str(),
            op.required().as_str()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_key_syntax() {
        let k = KeySpec::parse_cli("secret:ws-1:u-1:viewer").unwrap();
        assert_eq!(
            (
                k.key.as_str(),
                k.workspace_id.as_str(),
                k.user_id.as_str(),
                k.access
            ),
            ("secret", "ws-1", "u-1", Role::Viewer)
        );
        assert_eq!(KeySpec::parse_cli("only").unwrap().access, Role::Admin);
        assert!(KeySpec::parse_cli("").is_err());
        assert!(KeySpec::parse_cli("k:w:u:overlord").is_err());
        assert!(KeySpec::parse_cli("k:w:u:admin:extra").is_err());
    }

    #[test]
    fn authentication_needs_the_exact_bearer_key() {
        let mut keys = Keys::default();
        keys.add(KeySpec::new("abc"));
        assert!(keys.authenticate(Some("Bearer abc")).is_ok());
        assert!(keys.authenticate(Some("bearer abc")).is_ok());
        for bad in [
            None,
            Some("abc"),
            Some("Bearer ab"),
            Some("Bearer abcd"),
            Some("Basic abc"),
            Some("Bearer "),
        ] {
            assert!(keys.authenticate(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn levels_are_ordered_as_the_table_says() {
        let k = |level| KeySpec::new("k").access(level);
        assert!(authorize(&k(Role::Guest), Op::GetMe).is_ok());
        assert!(authorize(&k(Role::Guest), Op::Read).is_err());
        assert!(authorize(&k(Role::RestrictedUser), Op::Read).is_ok());
        assert!(authorize(&k(Role::Viewer), Op::Create).is_err());
        assert!(authorize(&k(Role::Editor), Op::Run).is_ok());
        assert!(authorize(&k(Role::Admin), Op::Delete).is_ok());
    }
}
