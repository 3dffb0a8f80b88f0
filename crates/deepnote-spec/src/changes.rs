//! What a new reference changes in the merged document, said so a maintainer knows what to
//! follow up: per changed operation its evidence, tags, responses (statuses and their headers),
//! parameters and body; per changed schema its fields and required list; and the shared
//! responses and headers. `cargo xtask spec update` prints it (and `cargo xtask spec changes`
//! for two files, changing nothing).

use crate::merge::{operations_of, resolved};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The changes between two merged documents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Operation ids only `after` has.
    pub operations_added: Vec<String>,
    /// Operation ids only `before` has.
    pub operations_removed: Vec<String>,
    /// Per operation both have, what changed in it (never empty).
    pub operations_changed: Vec<(String, Vec<String>)>,
    /// Document tags only `after` has.
    pub tags_added: Vec<String>,
    /// Document tags only `before` has.
    pub tags_removed: Vec<String>,
    /// Schemas only `after` has.
    pub schemas_added: Vec<String>,
    /// Schemas only `before` has.
    pub schemas_removed: Vec<String>,
    /// Per schema both have, what changed in it (never empty).
    pub schemas_changed: Vec<(String, Vec<String>)>,
    /// Per shared kind (`responses`, `headers`, `parameters`): what was added, removed and
    /// changed among `components.<kind>`, as lines.
    pub components: Vec<String>,
}

impl Changes {
    /// The report, one line per item, indented under its heading.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let list = |out: &mut Vec<String>, title: &str, items: &[String]| {
            if !items.is_empty() {
                out.push(format!("  {title}: {}", items.join(", ")));
            }
        };
        let detail = |out: &mut Vec<String>, title: &str, items: &[(String, Vec<String>)]| {
            if !items.is_empty() {
                out.push(format!("  {title} ({}):", items.len()));
                for (name, what) in items {
                    out.push(format!("    {name}: {}", what.join("; ")));
                }
            }
        };
        list(&mut out, "operations added", &self.operations_added);
        list(&mut out, "operations removed", &self.operations_removed);
        detail(&mut out, "operations changed", &self.operations_changed);
        list(&mut out, "tags added", &self.tags_added);
        list(&mut out, "tags removed", &self.tags_removed);
        list(&mut out, "schemas added", &self.schemas_added);
        list(&mut out, "schemas removed", &self.schemas_removed);
        detail(&mut out, "schemas changed", &self.schemas_changed);
        out.extend(self.components.iter().map(|l| format!("  {l}")));
        out
    }
}

/// What changed from `before` to `after` (two merged documents).
pub fn changes(before: &Value, after: &Value) -> Changes {
    let ops = |doc: &Value| -> BTreeMap<String, Value> {
        operations_of(doc)
            .into_iter()
            .filter_map(|(_, _, op)| {
                let id = op.get("operationId")?.as_str()?.to_string();
                Some((id, op.clone()))
            })
            .collect()
    };
    let (old_ops, new_ops) = (ops(before), ops(after));
    let (ops_added, ops_removed) = key_diff(&old_ops, &new_ops);
    let operations_changed = old_ops
        .iter()
        .filter_map(|(id, old)| {
            let what = operation_changes(before, old, after, new_ops.get(id)?);
            (!what.is_empty()).then(|| (id.clone(), what))
        })
        .collect();

    let tags = |doc: &Value| -> BTreeSet<String> {
        doc["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["name"].as_str().map(str::to_string))
            .collect()
    };
    let (old_tags, new_tags) = (tags(before), tags(after));

    let components = |doc: &Value, kind: &str| -> BTreeMap<String, Value> {
        doc["components"][kind]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let (old_s, new_s) = (components(before, "schemas"), components(after, "schemas"));
    let (schemas_added, schemas_removed) = key_diff(&old_s, &new_s);
    let schemas_changed = old_s
        .iter()
        .filter_map(|(name, old)| {
            let what = schema_changes(old, new_s.get(name)?);
            (!what.is_empty()).then(|| (name.clone(), what))
        })
        .collect();

    let mut shared = Vec::new();
    for kind in ["responses", "headers", "parameters"] {
        let (old, new) = (components(before, kind), components(after, kind));
        let (added, removed) = key_diff(&old, &new);
        if !added.is_empty() {
            shared.push(format!("shared {kind} added: {}", added.join(", ")));
        }
        if !removed.is_empty() {
            shared.push(format!("shared {kind} removed: {}", removed.join(", ")));
        }
        let changed: Vec<String> = old
            .iter()
            .filter_map(|(name, o)| {
                let n = new.get(name)?;
                if o == n {
                    return None;
                }
                let mut what = Vec::new();
                if kind == "responses" {
                    let (h_old, h_new) = (header_names(before, o), header_names(after, n));
                    let (add, rem) = set_diff(&h_old, &h_new);
                    if !add.is_empty() || !rem.is_empty() {
                        what.push(format!("headers {}", signed(&add, &rem)));
                    }
                }
                let rest = other_keys(o, n, &["headers"]);
                if !rest.is_empty() {
                    what.push(rest.join(", "));
                }
                Some(format!("{name} ({})", what.join("; ")))
            })
            .collect();
        if !changed.is_empty() {
            shared.push(format!("shared {kind} changed: {}", changed.join(", ")));
        }
    }

    Changes {
        operations_added: ops_added,
        operations_removed: ops_removed,
        operations_changed,
        tags_added: new_tags.difference(&old_tags).cloned().collect(),
        tags_removed: old_tags.difference(&new_tags).cloned().collect(),
        schemas_added,
        schemas_removed,
        schemas_changed,
        components: shared,
    }
}

/// What changed in one operation; empty when nothing did (shared responses resolved, so a
/// header added to a shared 429 shows on every operation answering it).
fn operation_changes(before: &Value, old: &Value, after: &Value, new: &Value) -> Vec<String> {
    let mut what = Vec::new();
    let evidence = |op: &Value| {
        op.get("x-evidence")
            .and_then(Value::as_str)
            .unwrap_or("docs")
            .to_string()
    };
    if evidence(old) != evidence(new) {
        what.push(format!("evidence {} -> {}", evidence(old), evidence(new)));
    }
    let strings = |op: &Value, key: &str| -> BTreeSet<String> {
        op[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let (add, rem) = set_diff(&strings(old, "tags"), &strings(new, "tags"));
    if !add.is_empty() || !rem.is_empty() {
        what.push(format!("tags {}", signed(&add, &rem)));
    }

    let responses = |op: &Value| -> BTreeMap<String, Value> {
        op["responses"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let (old_r, new_r) = (responses(old), responses(new));
    let (add, rem) = key_diff(&old_r, &new_r);
    if !add.is_empty() || !rem.is_empty() {
        let added: Vec<String> = add
            .iter()
            .map(|code| {
                let headers = header_names(after, &new_r[code]);
                match headers.is_empty() {
                    true => format!("+{code}"),
                    false => format!(
                        "+{code} (headers {})",
                        headers.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                }
            })
            .chain(rem.iter().map(|c| format!("-{c}")))
            .collect();
        what.push(format!("responses {}", added.join(" ")));
    }
    for (code, o) in &old_r {
        let Some(n) = new_r.get(code) else { continue };
        let (ro, rn) = (resolved(before, o), resolved(after, n));
        let (add, rem) = set_diff(&header_names(before, o), &header_names(after, n));
        if !add.is_empty() || !rem.is_empty() {
            what.push(format!("{code} headers {}", signed(&add, &rem)));
        }
        let rest = other_keys(ro, rn, &["headers"]);
        if !rest.is_empty() {
            what.push(format!("{code} {}", rest.join(", ")));
        }
    }

    let params = |doc: &Value, op: &Value| -> BTreeMap<String, Value> {
        op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| resolved(doc, p))
            .map(|p| {
                let name = format!(
                    "{} {}",
                    p["in"].as_str().unwrap_or("?"),
                    p["name"].as_str().unwrap_or("?")
                );
                (name, p.clone())
            })
            .collect()
    };
    let (old_p, new_p) = (params(before, old), params(after, new));
    let (add, rem) = key_diff(&old_p, &new_p);
    let changed: Vec<String> = old_p
        .iter()
        .filter(|(k, v)| new_p.get(*k).is_some_and(|n| n != *v))
        .map(|(k, _)| format!("~{k}"))
        .collect();
    if !add.is_empty() || !rem.is_empty() || !changed.is_empty() {
        let mut all: Vec<String> = add.iter().map(|p| format!("+{p}")).collect();
        all.extend(rem.iter().map(|p| format!("-{p}")));
        all.extend(changed);
        what.push(format!("parameters {}", all.join(", ")));
    }
    if old.get("requestBody") != new.get("requestBody") {
        what.push("request body".into());
    }
    let handled = [
        "x-evidence",
        "tags",
        "responses",
        "parameters",
        "requestBody",
    ];
    let rest = other_keys(old, new, &handled);
    if !rest.is_empty() {
        what.push(format!("also {}", rest.join(", ")));
    }
    what
}

/// What changed in one schema: its fields (`properties`), `required`, and anything else.
fn schema_changes(old: &Value, new: &Value) -> Vec<String> {
    let mut what = Vec::new();
    let empty = Map::new();
    let fields = |s: &Value| -> BTreeMap<String, Value> {
        s["properties"]
            .as_object()
            .unwrap_or(&empty)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let (old_f, new_f) = (fields(old), fields(new));
    let (add, rem) = key_diff(&old_f, &new_f);
    let changed: Vec<String> = old_f
        .iter()
        .filter_map(|(k, o)| {
            let n = new_f.get(k)?;
            (o != n).then(|| format!("~{k} ({})", other_keys(o, n, &[]).join(", ")))
        })
        .collect();
    if !add.is_empty() || !rem.is_empty() || !changed.is_empty() {
        let mut all: Vec<String> = add.iter().map(|f| format!("+{f}")).collect();
        all.extend(rem.iter().map(|f| format!("-{f}")));
        all.extend(changed);
        what.push(format!("fields {}", all.join(", ")));
    }
    let required = |s: &Value| -> BTreeSet<String> {
        s["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let (add, rem) = set_diff(&required(old), &required(new));
    if !add.is_empty() || !rem.is_empty() {
        what.push(format!("required {}", signed(&add, &rem)));
    }
    let rest = other_keys(old, new, &["properties", "required"]);
    if !rest.is_empty() {
        what.push(format!("also {}", rest.join(", ")));
    }
    what
}

/// The header names of a response (resolving a shared one).
fn header_names(doc: &Value, response: &Value) -> BTreeSet<String> {
    resolved(doc, response)["headers"]
        .as_object()
        .map(|h| h.keys().cloned().collect())
        .unwrap_or_default()
}

/// The keys of two objects whose values differ (or that only one has), but `skip`.
fn other_keys(old: &Value, new: &Value, skip: &[&str]) -> Vec<String> {
    let empty = Map::new();
    let (o, n) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    let mut out: Vec<String> = keys
        .into_iter()
        .filter(|k| !skip.contains(&k.as_str()) && o.get(*k) != n.get(*k))
        .cloned()
        .collect();
    if out.is_empty() && old != new && !old.is_object() {
        out.push("value".into());
    }
    out
}

fn key_diff<V>(old: &BTreeMap<String, V>, new: &BTreeMap<String, V>) -> (Vec<String>, Vec<String>) {
    let added = new
        .keys()
        .filter(|k| !old.contains_key(*k))
        .cloned()
        .collect();
    let removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    (added, removed)
}

fn set_diff(old: &BTreeSet<String>, new: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    (
        new.difference(old).cloned().collect(),
        old.difference(new).cloned().collect(),
    )
}

/// `+a +b -c`.
fn signed(added: &[String], removed: &[String]) -> String {
    added
        .iter()
        .map(|a| format!("+{a}"))
        .chain(removed.iter().map(|r| format!("-{r}")))
        .collect::<Vec<_>>()
        .join(" ")
}
