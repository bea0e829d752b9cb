//! Where each node of a YAML (or JSON) document is written, from the parser's own
//! spans: a tree of mapping keys, sequence items and scalars, each with its exact
//! line, column and byte range, so a check can point at the node it is about.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::fmt;

/// A place in a source text: 1-based line and column, and the byte range it covers
/// (`len` 0 when the parser gave none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
    pub len: usize,
}

impl Span {
    /// The start of the text (line 1, column 1).
    pub const START: Span = Span {
        line: 1,
        column: 1,
        offset: 0,
        len: 0,
    };

    /// A span from one of the parser's locations (`START` when it has none).
    pub fn from_location(location: serde_saphyr::Location) -> Span {
        if location.line() == 0 {
            return Span::START;
        }
        let span = location.span();
        Span {
            line: location.line() as usize,
            column: location.column().max(1) as usize,
            offset: span.byte_offset().unwrap_or(0) as usize,
            len: span.byte_len().unwrap_or(0) as usize,
        }
    }
}

/// One node of a document and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

/// What a node holds.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar, as text (`null`, numbers and booleans too).
    Scalar(String),
    Seq(Vec<Node>),
    /// Entries in document order: key text, where the key is written, the value.
    Map(Vec<(String, Span, Node)>),
}

/// One step of a path into a document: a mapping key or a sequence index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

impl Node {
    /// Parses `text` into its tree of spans; None when the parser refuses it (the
    /// typed parse then reports why).
    pub fn parse(text: &str) -> Option<Node> {
        let options = serde_saphyr::options! {
            strict_booleans: true,
            leading_zero_numbers_as_strings: true,
        };
        serde_saphyr::from_str_with_options::<Node>(text, options).ok()
    }

    /// The node at `path`, if the document has it.
    pub fn get(&self, path: &[Seg]) -> Option<&Node> {
        let mut node = self;
        for seg in path {
            node = match (seg, &node.kind) {
                (Seg::Key(k), NodeKind::Map(entries)) => {
                    &entries.iter().find(|(name, _, _)| name == k)?.2
                }
                (Seg::Index(i), NodeKind::Seq(items)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Where the node at `path` is written, else its nearest ancestor that exists.
    pub fn span_at(&self, path: &[Seg]) -> Span {
        (0..=path.len())
            .rev()
            .find_map(|n| self.get(&path[..n]))
            .map_or(self.span, |node| node.span)
    }

    /// The mapping one of whose keys is written at `line`:`column` (the parser reports
    /// a missing field at the last key of the mapping that lacks it).
    pub fn mapping_with_key_at(&self, line: usize, column: usize) -> Option<&Node> {
        match &self.kind {
            NodeKind::Scalar(_) => None,
            NodeKind::Seq(items) => items
                .iter()
                .find_map(|n| n.mapping_with_key_at(line, column)),
            NodeKind::Map(entries) => {
                if entries
                    .iter()
                    .any(|(_, key, _)| (key.line, key.column) == (line, column))
                {
                    return Some(self);
                }
                entries
                    .iter()
                    .find_map(|(_, _, n)| n.mapping_with_key_at(line, column))
            }
        }
    }

    /// Where the key `key` of the mapping at `path` is written.
    pub fn key_span(&self, path: &[Seg], key: &str) -> Option<Span> {
        match &self.get(path)?.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .find(|(name, _, _)| name == key)
                .map(|(_, span, _)| *span),
            _ => None,
        }
    }

    /// The first scalar at or below this node whose text is or contains `needle`
    /// (an exact match wins), in document order.
    pub fn find_scalar(&self, needle: &str) -> Option<&Node> {
        let mut partial = None;
        let exact = self.walk_scalars(&mut |node, text| {
            if text == needle {
                return true;
            }
            if partial.is_none() && text.contains(needle) {
                partial = Some(node.span);
            }
            false
        });
        exact.or_else(|| partial.and_then(|span| self.at_span(span)))
    }

    fn at_span(&self, span: Span) -> Option<&Node> {
        let mut found = None;
        self.walk_scalars(&mut |node, _| {
            if node.span == span {
                found = Some(node.span);
                return true;
            }
            false
        })
    }

    /// Visits scalars (keys count as scalars) in document order until `f` says stop.
    fn walk_scalars<'n>(&'n self, f: &mut impl FnMut(&'n Node, &str) -> bool) -> Option<&'n Node> {
        match &self.kind {
            NodeKind::Scalar(text) => f(self, text).then_some(self),
            NodeKind::Seq(items) => items.iter().find_map(|n| n.walk_scalars(f)),
            NodeKind::Map(entries) => entries.iter().find_map(|(_, _, n)| n.walk_scalars(f)),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        let spanned = Spanned::<NodeKind>::deserialize(deserializer)?;
        Ok(Node {
            span: Span::from_location(spanned.referenced),
            kind: spanned.value,
        })
    }
}

/// A mapping key of any scalar type, as text.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<KeyText, D::Error> {
        match Node::deserialize(deserializer)?.kind {
            NodeKind::Scalar(text) => Ok(KeyText(text)),
            _ => Ok(KeyText(String::new())),
        }
    }
}

impl<'de> Deserialize<'de> for NodeKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<NodeKind, D::Error> {
        deserializer.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = NodeKind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<NodeKind, E> {
        Ok(NodeKind::Scalar(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NodeKind, E> {
        Ok(NodeKind::Scalar(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<NodeKind, E> {
        Ok(NodeKind::Scalar(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NodeKind, E> {
        Ok(NodeKind::Scalar(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<NodeKind, E> {
        Ok(NodeKind::Scalar(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NodeKind, E> {
        Ok(NodeKind::Scalar(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<NodeKind, E> {
        Ok(NodeKind::Scalar(v.to_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Scalar("null".into()))
    }
    fn visit_none<E: de::Error>(self) -> Result<NodeKind, E> {
        Ok(NodeKind::Scalar("null".into()))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeKind, D::Error> {
        NodeKind::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeKind, A::Error> {
        let mut items = Vec::new();
        while let Some(node) = seq.next_element::<Node>()? {
            items.push(node);
        }
        Ok(NodeKind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyText>>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key.value.0, Span::from_location(key.referenced), value));
        }
        Ok(NodeKind::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_has_the_parsers_own_line_and_column() {
        let text = "# a comment naming subnet\nvars:\n  subnet: subnet-1\nsteps:\n  - call: RunTask\n    with: {cluster: x, n: 2}\n  - {call: StopTask}\n";
        let root = Node::parse(text).unwrap();
        assert_eq!(root.span.line, 2, "{root:?}");
        let subnet = root.key_span(&[Seg::Key("vars")], "subnet").unwrap();
        assert_eq!((subnet.line, subnet.column), (3, 3));
        assert_eq!(&text[subnet.offset..subnet.offset + subnet.len], "subnet");
        let call = root
            .get(&[Seg::Key("steps"), Seg::Index(1), Seg::Key("call")])
            .unwrap();
        assert_eq!((call.span.line, call.span.column), (7, 12));
        let value = root.get(&[Seg::Key("vars"), Seg::Key("subnet")]).unwrap();
        assert_eq!((value.span.line, value.span.column), (3, 11));
        let n = root.find_scalar("2").unwrap();
        assert_eq!((n.span.line, n.span.column), (6, 27));
        let json = Node::parse("{\"a\": [1, {\"b\": \"c\"}]}").unwrap();
        let b = json
            .get(&[Seg::Key("a"), Seg::Index(1), Seg::Key("b")])
            .unwrap();
        assert_eq!((b.span.line, b.span.column), (1, 17));
    }
}
