//! Which reference the emulator answers by: the live Deepnote API (default) or the original
//! June-2026 spec with the project's overlay.
//!
//! The two differ in answer shapes (201 creates, `{"project": ...}` envelopes, `completedAt`,
//! the snapshot flat on the run, `pagination` always present) and in what the service refuses
//! (detached runs with `blockIds`, undefined inputs, duplicate notebook names, ...). Clients
//! meant for the real service are judged by [`Dialect::Live`]; [`Dialect::Spec`] keeps the
//! original spec's behaviour for clients written strictly against it.

use std::fmt;
use std::str::FromStr;

/// The API the emulator speaks.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Dialect {
    /// What the live service does, per `openapi/live.yml` and Deepnote's own client code.
    #[default]
    Live,
    /// Strictly what `deepnote-openapi.yml` with `openapi/overlay.yml` describes.
    Spec,
}

impl Dialect {
    /// `live` or `spec`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Live => "live",
            Dialect::Spec => "spec",
        }
    }

    /// True for [`Dialect::Live`].
    pub fn is_live(self) -> bool {
        self == Dialect::Live
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "live" => Ok(Dialect::Live),
            "spec" => Ok(Dialect::Spec),
            other => Err(format!(
                "unknown dialect `{other}` (expected `live` or `spec`)"
            )),
        }
    }
}
