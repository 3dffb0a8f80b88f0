//! What the generated table of operations says about each one ([`crate::OPERATIONS`]).

/// Which base an operation lives under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    /// `https://api.deepnote.com/v2`: every operation but one.
    V2,
    /// `https://api.deepnote.com/v1`: the legacy execute call.
    V1,
}

/// How an operation's success answer may differ in wrapping between the references. The
/// generated types describe the live reference's shape; the hooks turn the other into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Envelope {
    /// The type is `{"<key>": {...}}`; a bare object (the other reference's shape) is wrapped.
    Wrap(&'static str),
    /// The type is bare; an answer `{"<key>": {...}}` is unwrapped.
    Unwrap(&'static str),
}

/// One operation of the merged references.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The spec's `operationId`, e.g. `createRun`.
    pub id: &'static str,
    /// The generated method of [`crate::Client`], e.g. `create_run` (for a generated one).
    pub method: &'static str,
    /// `GET`, `POST`, ...
    pub http_method: &'static str,
    /// The path under its base, e.g. `/runs/{runId}`.
    pub path: &'static str,
    /// Its base.
    pub base: Base,
    /// How it is known (`x-evidence`): `docs` for operations seen whole on Deepnote's
    /// reference pages; `client`, `client-branch`, `guide-inferred`, ... for weaker evidence.
    pub evidence: &'static str,
    /// Described by the original spec (`deepnote-openapi.yml`).
    pub upstream: bool,
    /// Described by the live reference (`openapi/live.yml`).
    pub live: bool,
    /// The success statuses the references name; any other 2xx is accepted too.
    pub success: &'static [u16],
    /// How its answer's wrapping may differ between the references.
    pub envelope: Option<Envelope>,
    /// Its success body is binary (a ZIP, a file), handed over as a stream, never buffered.
    pub streamed: bool,
    /// It has a generated method; `false` for requests progenitor cannot build (multipart and
    /// ZIP uploads), which are written by hand.
    pub generated: bool,
    /// The reference marks it deprecated.
    pub deprecated: bool,
}

impl Operation {
    /// The operation progenitor names `method` (as hooks see it in `OperationInfo`).
    pub fn by_method(method: &str) -> Option<&'static Operation> {
        crate::OPERATIONS.iter().find(|o| o.method == method)
    }

    /// The operation with this `operationId`.
    pub fn by_id(id: &str) -> Option<&'static Operation> {
        crate::OPERATIONS.iter().find(|o| o.id == id)
    }
}
