//! A serde value that keeps the order of an object's fields. `serde_json::Value` sorts them
//! (its map is a `BTreeMap` unless a crate-wide feature says otherwise), and the CLI prints
//! the API's fields in the API's order in every format, tables included.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// A JSON-shaped value whose objects keep their fields in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Tree {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as JSON holds it.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// An array.
    Seq(Vec<Tree>),
    /// An object, its fields in order.
    Map(Vec<(String, Tree)>),
}

impl Tree {
    /// Any serialisable value, its fields in the order it serialises them.
    pub fn from_serialize<T: Serialize>(item: &T) -> serde_json::Result<Tree> {
        // JSON text keeps the order the value wrote its fields in; reading it back into a
        // `Tree` keeps it again.
        serde_json::from_str(&serde_json::to_string(item)?)
    }

    /// The field `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Map(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl Serialize for Tree {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Tree::Null => s.serialize_unit(),
            Tree::Bool(b) => s.serialize_bool(*b),
            Tree::Number(n) => n.serialize(s),
            Tree::String(text) => s.serialize_str(text),
            Tree::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Tree::Map(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_none<E>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        Tree::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Tree, E> {
        Ok(Tree::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Tree, E> {
        Ok(Tree::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Tree, E> {
        Ok(Tree::Number(n.into()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Tree, E> {
        serde_json::Number::from_f64(n)
            .map(Tree::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }
    fn visit_str<E>(self, text: &str) -> Result<Tree, E> {
        Ok(Tree::String(text.to_string()))
    }
    fn visit_string<E>(self, text: String) -> Result<Tree, E> {
        Ok(Tree::String(text))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Tree::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut fields = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Tree>()? {
            fields.push((k, v));
        }
        Ok(Tree::Map(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct View {
        zeta: u32,
        alpha: Option<&'static str>,
        mid: Vec<f64>,
    }

    #[test]
    fn fields_keep_their_order_through_json() {
        let tree = Tree::from_serialize(&View {
            zeta: 1,
            alpha: None,
            mid: vec![0.5],
        })
        .unwrap();
        assert_eq!(
            serde_json::to_string(&tree).unwrap(),
            r#"{"zeta":1,"alpha":null,"mid":[0.5]}"#
        );
        assert_eq!(tree.get("zeta"), Some(&Tree::Number(1.into())));
    }
}
