//! The Deepnote API's two references and the one document made of them.
//!
//! - `deepnote-openapi.yml` (the root): the original upstream spec, verbatim.
//! - `openapi/live.yml`: the live API as Deepnote's docs and client code show it, verbatim.
//! - `openapi/overlay.yml`: our own amendments, as RFC 7396 merge patches with one section per
//!   document: `upstream` (applied to the original spec), `live` (to the live reference) and
//!   `merged` (to the document codegen reads).
//!
//! [`merged()`] is what progenitor and the drift snapshots read: the live reference, with every
//! answer the original spec allows folded in ([`merge::references`]), then the rules every
//! operation needs to have one error type and accept any 2xx ([`rules`]). [`reference()`] gives
//! either reference alone (with its overlay section), which is what the emulator's
//! conformance runs judge each dialect against.
//!
//! This crate is the one implementation of all of it: `cargo xtask codegen`, the drift tests,
//! the emulator's tests and the conformance scripts (through `cargo xtask spec reference`) all
//! call it.

pub mod changes;
mod load;
pub mod merge;
pub mod operations;
pub mod patch;
pub mod refs;
pub mod rules;

pub use changes::{Changes, changes};
pub use load::{Error, Sources, read_yaml, read_yaml_text};
pub use operations::{OperationFacts, operations};

use serde_json::Value;
use std::path::Path;

/// The original upstream spec, relative to the workspace root.
pub const UPSTREAM: &str = "deepnote-openapi.yml";
/// The live reference, relative to the workspace root.
pub const LIVE: &str = "openapi/live.yml";
/// Our amendments, relative to the workspace root.
pub const OVERLAY: &str = "openapi/overlay.yml";

/// Which reference to read alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reference {
    /// The original spec with the overlay's `upstream` section.
    Upstream,
    /// The live reference with the overlay's `live` section.
    Live,
}

/// One reference with its overlay section applied; `$ref`s are left as they are.
pub fn reference(root: &Path, which: Reference) -> Result<Value, Error> {
    let sources = Sources::read(root)?;
    Ok(match which {
        Reference::Upstream => sources.upstream_amended(),
        Reference::Live => sources.live_amended(),
    })
}

/// The document codegen and the drift snapshots read.
pub fn merged(root: &Path) -> Result<Value, Error> {
    Sources::read(root)?.merged()
}

impl Sources {
    /// The original spec with the overlay's `upstream` section applied.
    pub fn upstream_amended(&self) -> Value {
        let mut doc = self.upstream.clone();
        patch::merge(&mut doc, section(&self.overlay, "upstream"));
        doc
    }

    /// The live reference with the overlay's `live` section applied.
    pub fn live_amended(&self) -> Value {
        let mut doc = self.live.clone();
        patch::merge(&mut doc, section(&self.overlay, "live"));
        doc
    }

    /// Both references merged, the overlay's `merged` section and the codegen rules applied.
    /// Fails, naming each one, when a `$ref` points at nothing (progenitor would panic).
    pub fn merged(&self) -> Result<Value, Error> {
        let upstream = self.upstream_amended();
        let live = self.live_amended();
        let [upstream_name, live_name, overlay_name] = &self.texts.names;
        for (name, doc, text) in [
            (upstream_name, &upstream, &self.texts.upstream),
            (live_name, &live, &self.texts.live),
        ] {
            let dangling = refs::dangling(doc);
            if !dangling.is_empty() {
                // The overlay first: a reference it writes is what a new file broke.
                return Err(Error::Dangling(refs::describe(
                    &dangling,
                    &[(overlay_name, &self.texts.overlay), (name, text)],
                )));
            }
        }
        let mut doc = merge::references(&upstream, &live);
        patch::merge(&mut doc, section(&self.overlay, "merged"));
        rules::apply(&mut doc);
        let dangling = refs::dangling(&doc);
        if !dangling.is_empty() {
            return Err(Error::Dangling(refs::describe(
                &dangling,
                &[(overlay_name, &self.texts.overlay)],
            )));
        }
        Ok(doc)
    }
}

fn section<'a>(overlay: &'a Value, name: &str) -> &'a Value {
    static EMPTY: Value = Value::Null;
    overlay.get(name).unwrap_or(&EMPTY)
}
