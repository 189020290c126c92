//! Paths into JSON and YAML documents, such as `accounts.111111111111.roles.reader.trust.Statement[0].Principal`.
//!
//! Kept as segments, not text: keys may themselves contain dots (`photos.example.com`,
//! `aws:PrincipalTag/team.name`), and a fixture error must be located exactly.

use std::fmt;

/// One step of a path: an object key or an array index.
///
/// ```
/// use iamsim::path::{JsonPath, Segment};
///
/// // Keys with dots stay one segment.
/// let p = JsonPath::root().key("buckets").key("photos.example.com").index(0);
/// assert_eq!(p.segments(), [Segment::Key("buckets".into()), Segment::Key("photos.example.com".into()), Segment::Index(0)]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// An object (mapping) key.
    Key(String),
    /// An array (sequence) index, from 0.
    Index(usize),
}

/// A path from the root of a document.
///
/// ```
/// use iamsim::path::JsonPath;
/// let p = JsonPath::root().key("Statement").index(2).key("Condition").key("StringEquals");
/// assert_eq!(p.to_string(), "Statement[2].Condition.StringEquals");
/// assert!(JsonPath::root().is_root());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPath(Vec<Segment>);

impl JsonPath {
    /// The document itself.
    pub fn root() -> JsonPath {
        JsonPath::default()
    }

    /// This path, then an object key.
    #[must_use]
    pub fn key(&self, key: impl Into<String>) -> JsonPath {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.into()));
        p
    }

    /// This path, then an array index.
    #[must_use]
    pub fn index(&self, index: usize) -> JsonPath {
        let mut p = self.clone();
        p.0.push(Segment::Index(index));
        p
    }

    /// This path, then every segment of `rest`.
    #[must_use]
    pub fn join(&self, rest: &JsonPath) -> JsonPath {
        let mut p = self.clone();
        p.0.extend(rest.0.iter().cloned());
        p
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The segments, from the root.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }
}

impl From<Vec<Segment>> for JsonPath {
    fn from(segments: Vec<Segment>) -> JsonPath {
        JsonPath(segments)
    }
}

impl JsonPath {
    /// The path for a message: like its `Display`, but with long keys (a multi-kilobyte name
    /// in a fixture) cut to a readable length.
    pub(crate) fn for_message(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Key(k) => {
                    if i > 0 {
                        out.push('.');
                    }
                    out.push_str(&crate::text::cut(k));
                }
                Segment::Index(n) => out.push_str(&format!("[{n}]")),
            }
        }
        out
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Segment::Key(k) if i == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}
