//! The references as they are in the tree: they merge, every operation survives, and a new
//! upstream that renames what the overlay refers to is refused with each dangling reference
//! named where it is written (the live reference used as a new upstream renames `Error` to
//! `ErrorResponse`).

use deepnote_spec::{Error, Sources};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_references_merge_with_every_operation() {
    let sources = Sources::read(&root()).unwrap();
    let merged = sources.merged().unwrap();
    let ids = |doc: &serde_json::Value| {
        deepnote_spec::operations(doc)
            .into_iter()
            .map(|o| o.id)
            .collect::<std::collections::BTreeSet<_>>()
    };
    let all = ids(&merged);
    assert_eq!(all.len(), 39);
    let (upstream, live) = (sources.upstream_amended(), sources.live_amended());
    assert!(ids(&upstream).is_subset(&all));
    assert!(ids(&live).is_subset(&all));
}

#[test]
fn a_new_upstream_that_renames_schemas_is_refused_naming_each_reference() {
    let root = root();
    let err = Sources::read_with(
        &root.join(deepnote_spec::LIVE),
        &root.join(deepnote_spec::LIVE),
        &root.join(deepnote_spec::OVERLAY),
    )
    .unwrap()
    .merged()
    .unwrap_err();
    let Error::Dangling(said) = err else {
        panic!("expected dangling references, got {err}")
    };
    // The overlay's `upstream` section refers to the original spec's `Error`.
    assert!(said.contains("#/components/schemas/Error "), "{said}");
    let overlay = std::fs::read_to_string(root.join(deepnote_spec::OVERLAY)).unwrap();
    let line = overlay
        .lines()
        .position(|l| l.contains("#/components/schemas/Error'"))
        .unwrap()
        + 1;
    assert!(
        said.contains(&format!("openapi/overlay.yml:{line}")),
        "{said}"
    );
}

#[test]
fn a_file_that_is_not_openapi_is_refused() {
    let dir = std::env::temp_dir().join(format!("deepnote-spec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.yml");
    std::fs::write(&bad, "just: [a, list]\n").unwrap();
    let root = root();
    let err = Sources::read_with(
        &bad,
        &root.join(deepnote_spec::LIVE),
        &root.join(deepnote_spec::OVERLAY),
    )
    .unwrap_err();
    assert!(matches!(err, Error::NotOpenApi(_)), "{err}");
    std::fs::write(&bad, "a: [unclosed\n").unwrap();
    let err = Sources::read_with(
        &bad,
        &root.join(deepnote_spec::LIVE),
        &root.join(deepnote_spec::OVERLAY),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Yaml { .. }), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
