//! Reading the three files.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// Why the references could not be read or merged.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not YAML.
    #[error("parsing {path} as YAML: {message}")]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A file is not an OpenAPI document.
    #[error("{0} is not an OpenAPI document (no `openapi` or `paths`)")]
    NotOpenApi(PathBuf),
    /// `$ref`s that point at nothing, each with where it is written.
    #[error("dangling references (each would make the generator panic):\n{0}")]
    Dangling(String),
}

/// The two references and the overlay, parsed, with their texts (for line numbers).
#[derive(Clone, Debug)]
pub struct Sources {
    /// The original upstream spec.
    pub upstream: Value,
    /// The live reference.
    pub live: Value,
    /// The overlay (sections `upstream`, `live`, `merged`).
    pub overlay: Value,
    pub(crate) texts: Texts,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Texts {
    pub(crate) upstream: String,
    pub(crate) live: String,
    pub(crate) overlay: String,
}

impl Sources {
    /// Read the three files under the workspace root.
    pub fn read(root: &Path) -> Result<Sources, Error> {
        Sources::read_with(
            &root.join(crate::UPSTREAM),
            &root.join(crate::LIVE),
            &root.join(crate::OVERLAY),
        )
    }

    /// Read the three files from these paths (a spec update tries a new file before copying
    /// it in).
    pub fn read_with(upstream: &Path, live: &Path, overlay: &Path) -> Result<Sources, Error> {
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })
        };
        let texts = Texts {
            upstream: read(upstream)?,
            live: read(live)?,
            overlay: read(overlay)?,
        };
        let upstream_doc = read_yaml_text(&texts.upstream, upstream)?;
        let live_doc = read_yaml_text(&texts.live, live)?;
        for (doc, path) in [(&upstream_doc, upstream), (&live_doc, live)] {
            if doc.get("openapi").is_none() || doc.get("paths").is_none() {
                return Err(Error::NotOpenApi(path.to_path_buf()));
            }
        }
        Ok(Sources {
            upstream: upstream_doc,
            live: live_doc,
            overlay: read_yaml_text(&texts.overlay, overlay)?,
            texts,
        })
    }
}

/// A YAML file as JSON.
pub fn read_yaml(path: &Path) -> Result<Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    read_yaml_text(&text, path)
}

/// YAML text as JSON; `path` names it in errors.
pub fn read_yaml_text(text: &str, path: &Path) -> Result<Value, Error> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_saphyr::from_str(text).map_err(|e| Error::Yaml {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}
