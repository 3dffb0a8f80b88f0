//! A parsed `.deepnote` document, read from untrusted text with limits: a snapshot comes from
//! the server (or a URL it named), so its size, nesting and alias expansion are bounded, and
//! whatever breaks a bound is an error, never a panic or unbounded memory.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// The largest snapshot text parsed. Deepnote's snapshots carry outputs (images included) and
/// can be large; past this the text is refused rather than held several times over.
pub const MAX_SNAPSHOT_BYTES: usize = 64 * 1024 * 1024;
/// The deepest nesting of mappings and lists parsed: outputs hold nested JSON data, but
/// nothing real comes near this.
const MAX_DEPTH: usize = 256;

/// Parses the YAML text of a `.deepnote` document (a snapshot, or a whole project file).
pub(crate) fn parse(text: &str) -> Result<SnapshotDocument> {
    let refuse =
        |why: String| Error::Decode(format!("the snapshot is not a .deepnote document: {why}"));
    if text.len() > MAX_SNAPSHOT_BYTES {
        return Err(refuse(format!(
            "{} bytes, more than the {MAX_SNAPSHOT_BYTES} this client reads",
            text.len()
        )));
    }
    if text.trim().is_empty() {
        return Err(refuse("the text is empty".into()));
    }
    let mut aliases = serde_saphyr::options::AliasLimits::default();
    // A billion laughs replays a few anchors without end: a real document replays few.
    aliases.max_total_replayed_events = 100_000;
    aliases.max_replay_stack_depth = 16;
    aliases.max_alias_expansions_per_anchor = 1_000;
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_total_scalar_bytes: MAX_SNAPSHOT_BYTES,
            max_nodes: 4_000_000,
            max_events: 8_000_000,
            max_aliases: 10_000,
            max_anchors: 10_000,
        },
        alias_limits: aliases,
    };
    serde_saphyr::from_str_with_options::<SnapshotDocument>(text, options)
        .map_err(|e| refuse(first_line(&e.to_string())))
}

/// The parser's message can quote a snippet of the input; one line says enough.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    line.chars().take(300).collect()
}

/// `null` (or nothing) where a collection is expected is an empty one.
fn nullable<'de, D, T>(d: D) -> std::result::Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A parsed `.deepnote` document.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SnapshotDocument {
    /// The format's version.
    #[serde(default)]
    pub version: Option<Value>,
    /// Document metadata (`createdAt`, `snapshotHash`, ...).
    #[serde(default, deserialize_with = "nullable")]
    pub metadata: Map<String, Value>,
    /// The project, its notebooks and their blocks: the one part every document has.
    pub project: SnapshotProject,
}

/// The project of a snapshot.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SnapshotProject {
    /// The project's ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// The project's name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Its notebooks.
    #[serde(default, deserialize_with = "nullable")]
    pub notebooks: Vec<SnapshotNotebook>,
}

/// A notebook of a snapshot.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SnapshotNotebook {
    /// The notebook's ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// The notebook's name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Its blocks, in order.
    #[serde(default, deserialize_with = "nullable")]
    pub blocks: Vec<SnapshotBlock>,
}

/// A block of a snapshot.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SnapshotBlock {
    /// The block's ID.
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    /// Its kind: `code`, `markdown`, an input kind, ...
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub block_type: String,
    /// Its source.
    #[serde(default)]
    pub content: Option<String>,
    /// Its position key.
    #[serde(default)]
    pub sorting_key: Option<String>,
    /// How many times it ran, for executed blocks.
    #[serde(default, deserialize_with = "execution_count")]
    pub execution_count: Option<u64>,
    /// Its Jupyter-style outputs.
    #[serde(default, deserialize_with = "nullable")]
    pub outputs: Vec<Value>,
}

/// Deepnote's schema allows any number or null here; a count is a whole number from 0.
fn execution_count<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        _ => None,
    })
}

impl SnapshotBlock {
    /// The text of its `stream` outputs (what the code printed), joined.
    pub fn stream_text(&self) -> String {
        let mut text = String::new();
        for output in self.outputs_of_type("stream") {
            push_text(&mut text, output.get("text"));
        }
        text
    }

    /// Its first `error` output as `ename: evalue` (the exception and its message), if any.
    pub fn error_text(&self) -> Option<String> {
        self.outputs_of_type("error").next().map(|output| {
            let field = |key: &str| output.get(key).and_then(Value::as_str).unwrap_or_default();
            match (field("ename"), field("evalue")) {
                ("", "") => "an error output".to_string(),
                (name, "") => name.to_string(),
                ("", value) => value.to_string(),
                (name, value) => format!("{name}: {value}"),
            }
        })
    }

    fn outputs_of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.outputs
            .iter()
            .filter(move |o| o.get("output_type").and_then(Value::as_str) == Some(kind))
    }
}

impl SnapshotDocument {
    /// The first error output of any block, in document order, as `ename: evalue`: why a run
    /// failed when Deepnote reported no reason.
    pub fn first_error(&self) -> Option<String> {
        self.project
            .notebooks
            .iter()
            .flat_map(|n| &n.blocks)
            .find_map(SnapshotBlock::error_text)
    }
}

fn push_text(text: &mut String, value: Option<&Value>) {
    match value {
        Some(Value::String(s)) => text.push_str(s),
        Some(Value::Array(lines)) => lines
            .iter()
            .filter_map(Value::as_str)
            .for_each(|l| text.push_str(l)),
        _ => {}
    }
}
