//! Search across the workspace's projects, notebooks, blocks and integrations. Deepnote's
//! reference does not expand the results' inner shape, so each hit keeps its raw object and
//! the fields every resource is likely to carry are read from it.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{NotebookId, ProjectId};
use serde_json::{Map, Value};

/// A kind of resource search can look in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchType {
    /// Projects (at most 100 hits).
    Projects,
    /// Notebooks (at most 100 hits).
    Notebooks,
    /// Blocks (at most 200 hits: 100 text, 100 code or SQL).
    Blocks,
    /// Integrations.
    Integrations,
}

impl SearchType {
    fn as_str(self) -> &'static str {
        match self {
            SearchType::Projects => "projects",
            SearchType::Notebooks => "notebooks",
            SearchType::Blocks => "blocks",
            SearchType::Integrations => "integrations",
        }
    }
}

/// One thing search found.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SearchHit {
    /// Its ID, when the server sent one.
    pub id: Option<String>,
    /// Its name (or a block's content), when the server sent one.
    pub name: Option<String>,
    /// The project it is in (or is), when the server said.
    pub project_id: Option<ProjectId>,
    /// The notebook it is in, when the server said.
    pub notebook_id: Option<NotebookId>,
    /// The hit as the server sent it.
    pub raw: Map<String, Value>,
}

impl serde::Serialize for SearchHit {
    /// The hit as the server sent it, the fields this crate reads first.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use crate::raw_fields::opt;
        let known = [
            ("id", opt(&self.id)),
            ("name", opt(&self.name)),
            ("projectId", opt(&self.project_id)),
            ("notebookId", opt(&self.notebook_id)),
        ];
        crate::raw_fields::serialize(s, &known, &self.raw)
    }
}

impl SearchHit {
    fn from_value(value: Value) -> Option<SearchHit> {
        let Value::Object(raw) = value else {
            return None;
        };
        let text = |k: &str| raw.get(k).and_then(|v| v.as_str()).map(str::to_string);
        Some(SearchHit {
            id: text("id"),
            name: text("name")
                .or_else(|| text("title"))
                .or_else(|| text("content")),
            project_id: text("projectId").map(ProjectId::new),
            notebook_id: text("notebookId").map(NotebookId::new),
            raw,
        })
    }
}

/// What a search found, by kind. Serialized as the API's `results` lists, with
/// `partialFailure`.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchResults {
    /// Projects found.
    pub projects: Vec<SearchHit>,
    /// Notebooks found.
    pub notebooks: Vec<SearchHit>,
    /// Blocks found.
    pub blocks: Vec<SearchHit>,
    /// Integrations found.
    pub integrations: Vec<SearchHit>,
    /// Lists of other kinds the server answered with, by their key.
    #[serde(flatten)]
    pub other: Map<String, Value>,
    /// The kinds that could not be searched, as the server said (`partialFailure`): the
    /// results are then incomplete, not failed.
    pub partial_failure: Option<Map<String, Value>>,
}

impl SearchResults {
    /// True when some kind could not be searched.
    pub fn is_partial(&self) -> bool {
        self.partial_failure.is_some()
    }
}

/// The search operation; from [`Client::search`].
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
/// let results = client.search().query("sales").await?;
/// for project in &results.projects {
///     println!("{:?}", project.name);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SearchApi<'a> {
    pub(crate) client: &'a Client,
}

impl SearchApi<'_> {
    /// Search for `query` (refused before sending when blank).
    pub fn query(&self, query: impl Into<String>) -> Search {
        Search {
            client: self.client.clone(),
            query: query.into(),
            types: Vec::new(),
        }
    }
}

/// A search; from [`SearchApi::query`]. Await it or `send`.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct Search {
    client: Client,
    query: String,
    types: Vec<SearchType>,
}

impl Search {
    /// Look only in these kinds (all by default).
    pub fn types(mut self, types: impl IntoIterator<Item = SearchType>) -> Self {
        for t in types {
            if !self.types.contains(&t) {
                self.types.push(t);
            }
        }
        self
    }

    /// Search.
    pub async fn send(self) -> Result<SearchResults> {
        if self.query.trim().is_empty() {
            return Err(Error::InvalidArgument("the search query is empty".into()));
        }
        let mut call = self.client.api().search().q(self.query.as_str());
        if !self.types.is_empty() {
            let types: Vec<&str> = self.types.iter().map(|t| t.as_str()).collect();
            call = call.types(types.join(","));
        }
        let answer = self.client.send(call.send()).await?;
        let mut results = SearchResults {
            partial_failure: answer.partial_failure.map(|p| p.0),
            ..SearchResults::default()
        };
        for (kind, value) in answer.results.0 {
            let list = match kind.as_str() {
                "projects" => &mut results.projects,
                "notebooks" => &mut results.notebooks,
                "blocks" => &mut results.blocks,
                "integrations" => &mut results.integrations,
                _ => {
                    results.other.insert(kind, value);
                    continue;
                }
            };
            let Value::Array(items) = value else {
                return Err(Error::Decode(format!(
                    "search results for {kind} are not a list"
                )));
            };
            list.extend(items.into_iter().filter_map(SearchHit::from_value));
        }
        Ok(results)
    }
}

crate::into_future::send_on_await!(Search => SearchResults);
