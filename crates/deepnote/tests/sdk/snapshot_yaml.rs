//! The snapshot parser on untrusted text: real `.deepnote` shapes parse, what is not a document
//! is an error, and hostile YAML (alias bombs, deep nesting, huge text) is refused within
//! bounds, never a panic.

use deepnote::{
    Error,
    runs::{MAX_SNAPSHOT_BYTES, Snapshot, SnapshotDocument},
};
use proptest::prelude::*;
use std::time::{Duration, Instant};

fn parse(text: &str) -> deepnote::Result<SnapshotDocument> {
    Snapshot::from_text(text).parse()
}

/// The features real snapshots have (Deepnote's examples and its own CLI's output): unquoted
/// timestamps, folded and literal block scalars, numbers where text is expected, nulls where
/// collections are expected, and nested output data.
const REAL_SHAPES: &str = r#"environment:
  hash: sha256:abc
  python: {version: 3.11.9}
execution:
  finishedAt: 2026-03-31T09:00:05.000Z
  startedAt: 2026-03-31T09:00:00.000Z
  summary: {blocksExecuted: 3, blocksFailed: 1, blocksSucceeded: 2, totalDurationMs: 812}
  triggeredBy: api
metadata:
  createdAt: 2026-03-31T09:00:00.000Z
  snapshotHash: sha256:806a0200
version: 1.0.0
project:
  id: 9b1f7c00-0000-4a00-9000-000000000001
  name: Sales performance
  initNotebookId: null
  notebooks:
    - id: 20250101
      name: Main
      executionMode: block
      blocks:
        - id: b1
          blockGroup: g1
          sortingKey: "000000"
          type: markdown
          content: >-
            Edit the inputs, then **Run**: the notebook
            recomputes a small dashboard.
          metadata: {}
        - id: b2
          blockGroup: g2
          sortingKey: a1
          type: code
          executionCount: 2
          content: |-
            for i in range(2):
                print(i)
          outputs:
            - output_type: stream
              name: stdout
              text: |
                0
                1
            - output_type: display_data
              data:
                application/json: {a: {b: {c: {d: {e: {f: {g: [1, [2, [3, [4]]]]}}}}}}}
        - id: b3
          blockGroup: g3
          sortingKey: a2
          type: code
          executionCount: 3.0
          outputs:
            - output_type: error
              ename: ZeroDivisionError
              evalue: division by zero
              traceback: ["Traceback ...", "ZeroDivisionError: division by zero"]
        - id: b4
          blockGroup: g4
          sortingKey: a3
          type: input-slider
          metadata: null
          outputs: null
          executionCount: null
"#;

#[test]
fn real_document_shapes_parse() {
    let doc = parse(REAL_SHAPES).unwrap();
    assert_eq!(doc.version, Some(serde_json::json!("1.0.0")));
    assert_eq!(
        doc.metadata["createdAt"],
        serde_json::json!("2026-03-31T09:00:00.000Z")
    );
    assert_eq!(doc.project.name, "Sales performance");
    let notebook = &doc.project.notebooks[0];
    assert_eq!(notebook.id, "20250101");
    let blocks = &notebook.blocks;
    assert_eq!(blocks.len(), 4);
    assert!(
        blocks[0]
            .content
            .as_deref()
            .unwrap()
            .starts_with("Edit the inputs")
    );
    assert_eq!(
        blocks[1].content.as_deref(),
        Some("for i in range(2):\n    print(i)")
    );
    assert_eq!(blocks[1].stream_text(), "0\n1\n");
    assert_eq!(blocks[1].execution_count, Some(2));
    assert_eq!(blocks[2].execution_count, Some(3));
    assert_eq!(
        blocks[2].error_text().as_deref(),
        Some("ZeroDivisionError: division by zero")
    );
    assert_eq!(
        doc.first_error().as_deref(),
        Some("ZeroDivisionError: division by zero")
    );
    assert!(blocks[3].outputs.is_empty());
    assert_eq!(blocks[3].execution_count, None);
}

#[test]
fn what_is_not_a_document_is_an_error() {
    for text in [
        "",
        "   \n",
        "{}",
        "hello",
        "- a\n- b\n",
        "project: 3\n",
        "version: 1\nmetadata: {}\n",
        "project: [\n",
        "\u{0}\u{1}",
        "key: value\nkey: again\nproject: {}\n",
    ] {
        match parse(text) {
            Err(Error::Decode(message)) => {
                assert!(
                    message.contains(".deepnote document"),
                    "{text:?}: {message}"
                )
            }
            other => panic!("{text:?} gave {other:?}"),
        }
    }
}

#[test]
fn a_billion_laughs_is_refused_quickly() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut previous = "a";
    for name in names {
        text.push_str(&format!(
            "{name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"
        ));
        previous = name;
    }
    text.push_str(&format!("project:\n  name: *{previous}\n"));
    let started = Instant::now();
    let result = parse(&text);
    assert!(matches!(result, Err(Error::Decode(_))), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    for depth in [10_000, 100_000] {
        let flow = format!(
            "project:\n  x: {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert!(
            matches!(parse(&flow), Err(Error::Decode(_))),
            "flow {depth}"
        );
        let mut block = String::from("project:\n");
        for level in 0..depth.min(2_000) {
            block.push_str(&" ".repeat(level + 1));
            block.push_str("- \n");
        }
        assert!(
            matches!(parse(&block), Err(Error::Decode(_))),
            "block {depth}"
        );
    }
}

#[test]
fn text_past_the_size_limit_is_refused_before_parsing() {
    let mut text = String::from("project:\n  name: x\n# ");
    text.push_str(&"x".repeat(MAX_SNAPSHOT_BYTES));
    let started = Instant::now();
    match parse(&text) {
        Err(Error::Decode(message)) => assert!(message.contains("bytes"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(1));
}

/// Fragments YAML is made of, so that the generated text reaches deep into the parser rather
/// than failing on its first byte.
fn yamlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("project:".to_string()),
        Just("notebooks:".to_string()),
        Just("blocks:".to_string()),
        Just("- ".to_string()),
        Just("  ".to_string()),
        Just("\n".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(": ".to_string()),
        Just("|-\n".to_string()),
        Just(">\n".to_string()),
        Just("!!str ".to_string()),
        Just("<<: ".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("---\n".to_string()),
        Just("%YAML 1.2\n".to_string()),
        "[a-z0-9 ]{0,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        let _ = parse(&text);
    }

    #[test]
    fn arbitrary_yaml_never_panics(text in yamlish()) {
        if let Ok(doc) = parse(&text) {
            // A success is a document: it had a project.
            prop_assert!(text.contains("project"));
            let _ = doc.first_error();
        }
    }
}
