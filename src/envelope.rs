//! Evening out answers the two references wrap differently ([`crate::Envelope`]), once, for
//! every operation the table marks: progenitor decodes one shape per operation, and the
//! generated types describe the live reference's.

use crate::Envelope;
use reqwest::header::{CONTENT_LENGTH, HeaderMap};

/// The body in the shape the generated type decodes; any other body is left as it came (and
/// fails to decode as it would have).
pub(crate) fn even_out(
    envelope: Envelope,
    body: bytes::Bytes,
    headers: &mut HeaderMap,
) -> bytes::Bytes {
    let Ok(serde_json::Value::Object(mut answer)) = serde_json::from_slice(&body) else {
        return body;
    };
    let evened = match envelope {
        // `{...}` -> `{"key": {...}}`: an object that is not already the envelope.
        Envelope::Wrap(key) => {
            if answer.is_empty() || answer.get(key).is_some_and(|v| v.is_object()) {
                return body;
            }
            serde_json::json!({ key: answer })
        }
        // `{"key": {...}}` -> `{...}`; fields beside the envelope are kept where the inner
        // object lacks them.
        Envelope::Unwrap(key) => {
            let Some(serde_json::Value::Object(mut inner)) = answer.remove(key) else {
                return body;
            };
            for (k, v) in answer {
                inner.entry(k).or_insert(v);
            }
            serde_json::Value::Object(inner)
        }
    };
    headers.remove(CONTENT_LENGTH);
    bytes::Bytes::from(evened.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn run(envelope: Envelope, body: Value) -> Value {
        let out = even_out(
            envelope,
            bytes::Bytes::from(body.to_string()),
            &mut HeaderMap::new(),
        );
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn wraps_a_bare_object_and_leaves_an_envelope_alone() {
        let wrap = Envelope::Wrap("project");
        assert_eq!(
            run(wrap, json!({"id": "p"})),
            json!({"project": {"id": "p"}})
        );
        let already = json!({"project": {"id": "p"}});
        assert_eq!(run(wrap, already.clone()), already);
        assert_eq!(run(wrap, json!({})), json!({}));
    }

    #[test]
    fn unwraps_an_envelope_and_leaves_a_bare_object_alone() {
        let unwrap = Envelope::Unwrap("run");
        assert_eq!(
            run(
                unwrap,
                json!({"run": {"id": "r", "status": "pending"}, "extra": 1})
            ),
            json!({"id": "r", "status": "pending", "extra": 1})
        );
        let bare = json!({"runId": "r"});
        assert_eq!(run(unwrap, bare.clone()), bare);
    }

    #[test]
    fn a_body_that_is_not_an_object_is_left_as_it_came() {
        for text in ["[1]", "not json", ""] {
            let body = bytes::Bytes::from(text);
            let out = even_out(
                Envelope::Wrap("project"),
                body.clone(),
                &mut HeaderMap::new(),
            );
            assert_eq!(out, body);
        }
    }
}
