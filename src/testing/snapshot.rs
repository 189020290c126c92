//! The access log and decisions as stable YAML for snapshot tests, and redactions for the
//! values a test adds that change from run to run (its own request ids, timestamps, keys).

// A value that cannot be written as YAML is a bug in the test: fail it with the reason.
#![allow(clippy::panic, reason = "test helpers fail the test by panicking, with the explanation")]

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

#[cfg(feature = "snapshots")]
use serde::Serialize;

#[cfg(feature = "snapshots")]
use crate::World;
#[cfg(feature = "snapshots")]
use crate::fixtures::{Node, NodeValue};
#[cfg(feature = "snapshots")]
use crate::live::Authorization;
#[cfg(feature = "snapshots")]
use crate::policy::{Context, Decision};

/// Every request the world served, with its decisions, as YAML — stable from run to run (request
/// numbers, times from the world's clock, no secrets), ready for `insta::assert_snapshot!`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let world = iamsim::testing::world("examples/fixtures/group-managed-policy.yaml");
/// let s3 = iamsim::testing::s3_client(&world, "arn:aws:iam::111111111111:user/carol");
/// s3.delete_object().bucket("app-data").key("report.csv").send().await.unwrap_err();
/// let yaml = iamsim::testing::access_log_yaml(&world);
/// assert!(yaml.contains("operation: DeleteObject"));
/// assert!(yaml.contains("decision: implicit_deny"));
/// # }
/// ```
///
/// Needs the `snapshots` feature (a default one; see the README's feature table for what it
/// costs an SDK application's compile).
#[cfg(feature = "snapshots")]
pub fn access_log_yaml(world: &World) -> String {
    to_yaml(&world.access_log())
}

/// Decisions — the answers of [`Question::on`](crate::harness::Question::on), of
/// [`World::authorize`] or of [`evaluate`](crate::evaluate) — as YAML, one entry each with the
/// action, resource, outcome, AWS's message and the statements that applied (the same shape as
/// the access log's authorizations).
///
/// ```
/// let world = iamsim::testing::world("examples/fixtures/photo-sharing.yaml");
/// let alice = world.user("111111111111", "alice");
/// let yaml = iamsim::testing::decisions_yaml(&[
///     alice.can("s3:GetObject").on("arn:aws:s3:::photos/alice/beach.jpg"),
///     alice.can("s3:GetObject").on("arn:aws:s3:::photos/bob/cat.jpg"),
/// ]);
/// assert!(yaml.contains("decision: allow"));
/// assert!(yaml.contains("decision: implicit_deny"));
/// ```
///
/// Needs the `snapshots` feature.
#[cfg(feature = "snapshots")]
pub fn decisions_yaml<'a>(decisions: impl IntoIterator<Item = &'a Decision>) -> String {
    let empty = Context::new();
    let entries: Vec<Authorization> = decisions.into_iter().map(|d| Authorization::new(d, &empty)).collect();
    to_yaml(&entries)
}

#[cfg(feature = "snapshots")]
fn to_yaml(value: &impl Serialize) -> String {
    match serde_saphyr::to_string(value) {
        Ok(yaml) => yaml,
        Err(e) => panic!("cannot write the value as YAML: {e}"),
    }
}

type Rewrite = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// Replacements applied to a snapshot's text, for the values a test adds that are not stable:
/// its own request ids or timestamps, access keys it generated. The world's own output needs
/// none; a redaction only hides what the test brought in.
///
/// ```
/// use iamsim::testing::Redactions;
/// let text = "id: req-8f2c, key: AKIAIOSFODNN7EXAMPLE, again: AKIAIOSFODNN7EXAMPLE, at: 2031-05-01T10:20:30.123Z";
/// let redacted = Redactions::new()
///     .replace("req-8f2c", "[request id]")
///     .access_key_ids()
///     .timestamps()
///     .apply(text);
/// assert_eq!(redacted, "id: [request id], key: [access key 1], again: [access key 1], at: [time]");
/// ```
#[derive(Clone, Default)]
pub struct Redactions {
    literals: Vec<(String, String)>,
    access_key_ids: bool,
    timestamps: bool,
    rewrites: Vec<Rewrite>,
}

impl fmt::Debug for Redactions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactions")
            .field("literals", &self.literals)
            .field("access_key_ids", &self.access_key_ids)
            .field("timestamps", &self.timestamps)
            .field("rewrites", &self.rewrites.len())
            .finish()
    }
}

impl Redactions {
    /// No redaction.
    pub fn new() -> Redactions {
        Redactions::default()
    }

    /// Replaces every occurrence of `value` by `placeholder` (applied first, in the order given).
    pub fn replace(mut self, value: impl Into<String>, placeholder: impl Into<String>) -> Redactions {
        let value = value.into();
        if !value.is_empty() {
            self.literals.push((value, placeholder.into()));
        }
        self
    }

    /// Replaces AWS access key ids (`AKIA…`, `ASIA…`: four letters and 16 upper-case letters or
    /// digits) by `[access key N]`, numbered in order of first appearance, so that a snapshot
    /// still shows which requests used the same key.
    pub fn access_key_ids(mut self) -> Redactions {
        self.access_key_ids = true;
        self
    }

    /// Replaces RFC 3339 timestamps (`2031-05-01T10:20:30Z`, with fractions of a second or an
    /// offset) by `[time]`.
    pub fn timestamps(mut self) -> Redactions {
        self.timestamps = true;
        self
    }

    /// Any other rewrite, applied last (a regular expression of the test's own, for example).
    ///
    /// ```
    /// let redactions = iamsim::testing::Redactions::new().rewrite(|text| text.replace("blue", "green"));
    /// assert_eq!(redactions.apply("blue sky"), "green sky");
    /// ```
    pub fn rewrite(mut self, rewrite: impl Fn(&str) -> String + Send + Sync + 'static) -> Redactions {
        self.rewrites.push(Arc::new(rewrite));
        self
    }

    /// The text with every redaction applied.
    pub fn apply(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (value, placeholder) in &self.literals {
            text = text.replace(value.as_str(), placeholder);
        }
        if self.access_key_ids {
            text = redact_access_key_ids(&text);
        }
        if self.timestamps {
            text = redact_matches(&text, timestamp_len, |_| "[time]".to_owned());
        }
        for rewrite in &self.rewrites {
            text = rewrite(&text);
        }
        text
    }

    /// A value as YAML, redacted: a test's own records next to the world's.
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Upload { request_id: String, bytes: u64 }
    /// let yaml = iamsim::testing::Redactions::new()
    ///     .replace("r-123", "[request id]")
    ///     .yaml(&Upload { request_id: "r-123".into(), bytes: 5 });
    /// assert_eq!(yaml, "request_id: \"[request id]\"\nbytes: 5\n");
    /// ```
    ///
    /// Needs the `snapshots` feature.
    #[cfg(feature = "snapshots")]
    pub fn yaml(&self, value: &impl Serialize) -> String {
        // Redacted value by value, so that a placeholder is quoted as YAML needs (`'[time]'`,
        // not a flow sequence) and the snapshot stays valid YAML; read back through the ordered
        // document tree, so that fields keep their order.
        let text = to_yaml(value);
        match Node::parse_yaml(&text, "snapshot") {
            Ok(node) => to_yaml(&Redacted { node: &node, redactions: self }),
            Err(errors) => panic!(
                "cannot read back the YAML written: {}",
                errors.first().map(ToString::to_string).unwrap_or_default()
            ),
        }
    }

    /// The world's access log as YAML ([`access_log_yaml`]), redacted. Needs the `snapshots`
    /// feature.
    #[cfg(feature = "snapshots")]
    pub fn access_log_yaml(&self, world: &World) -> String {
        self.yaml(&world.access_log())
    }
}

/// A document tree written back with every string and key redacted.
#[cfg(feature = "snapshots")]
struct Redacted<'a> {
    node: &'a Node,
    redactions: &'a Redactions,
}

#[cfg(feature = "snapshots")]
impl Serialize for Redacted<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        let child = |node| Redacted { node, redactions: self.redactions };
        match self.node.value() {
            NodeValue::Null => s.serialize_unit(),
            NodeValue::Bool(b) => s.serialize_bool(*b),
            NodeValue::Number(n) => n.serialize(s),
            NodeValue::String(text) => s.serialize_str(&self.redactions.apply(text)),
            NodeValue::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&child(item))?;
                }
                seq.end()
            }
            NodeValue::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for entry in entries {
                    map.serialize_entry(&self.redactions.apply(&entry.key), &child(&entry.value))?;
                }
                map.end()
            }
        }
    }
}

fn redact_access_key_ids(text: &str) -> String {
    let mut numbers: BTreeMap<String, usize> = BTreeMap::new();
    redact_matches(text, access_key_id_len, |key| {
        let next = numbers.len() + 1;
        let n = *numbers.entry(key.to_owned()).or_insert(next);
        format!("[access key {n}]")
    })
}

/// Replaces every match: `match_len(rest)` is the length of a match at the start of `rest`, if
/// one starts there. A match must not continue a word.
fn redact_matches(
    text: &str,
    match_len: fn(&[u8]) -> Option<usize>,
    mut replace: impl FnMut(&str) -> String,
) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut i) = (0, 0);
    while i < bytes.len() {
        let at_word_start = i == 0 || bytes.get(i - 1).is_none_or(|b| !b.is_ascii_alphanumeric());
        let found = if at_word_start { bytes.get(i..).and_then(match_len) } else { None };
        let ends_word = |len: usize| bytes.get(i + len).is_none_or(|b| !b.is_ascii_alphanumeric());
        match found {
            Some(len) if ends_word(len) => {
                // Matches are ASCII, so both ends are character boundaries.
                out.push_str(text.get(copied..i).unwrap_or_default());
                out.push_str(&replace(text.get(i..i + len).unwrap_or_default()));
                i += len;
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

fn access_key_id_len(s: &[u8]) -> Option<usize> {
    let key = s.get(..20)?;
    let upper_or_digit = |b: &u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    ((key.starts_with(b"AKIA") || key.starts_with(b"ASIA")) && key.iter().all(upper_or_digit)).then_some(20)
}

/// `YYYY-MM-DDThh:mm:ss` with optional fractions, then `Z` or `±hh:mm`.
fn timestamp_len(s: &[u8]) -> Option<usize> {
    let shape = b"dddd-dd-ddTdd:dd:dd";
    let head = s.get(..shape.len())?;
    let fits = |pattern: &[u8], text: &[u8]| {
        pattern.iter().zip(text).all(|(p, b)| if *p == b'd' { b.is_ascii_digit() } else { p == b })
    };
    if !fits(shape, head) {
        return None;
    }
    let mut len = shape.len();
    if s.get(len) == Some(&b'.') {
        let digits = s.get(len + 1..).map_or(0, |rest| rest.iter().take_while(|b| b.is_ascii_digit()).count());
        if digits == 0 {
            return None;
        }
        len += 1 + digits;
    }
    match s.get(len) {
        Some(b'Z') => Some(len + 1),
        Some(b'+' | b'-') => {
            let offset = s.get(len + 1..len + 6)?;
            fits(b"dd:dd", offset).then_some(len + 6)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Redactions;

    #[test]
    fn access_keys_are_numbered_by_first_appearance_and_words_are_left_alone() {
        let text = "ASIAAAAAAAAAAAAAAAAA AKIABBBBBBBBBBBBBBBB ASIAAAAAAAAAAAAAAAAA xAKIABBBBBBBBBBBBBBBB AKIA123";
        assert_eq!(
            Redactions::new().access_key_ids().apply(text),
            "[access key 1] [access key 2] [access key 1] xAKIABBBBBBBBBBBBBBBB AKIA123"
        );
    }

    #[test]
    fn timestamps_with_fractions_and_offsets_are_redacted_and_dates_alone_are_not() {
        let text = "2026-01-01T00:00:00Z 2026-01-01T00:00:00.5+02:00 2026-01-01 2026-01-01T00:00:00. é";
        assert_eq!(Redactions::new().timestamps().apply(text), "[time] [time] 2026-01-01 2026-01-01T00:00:00. é");
    }

    #[test]
    fn literals_apply_before_patterns_and_rewrites_last() {
        let r = Redactions::new()
            .replace("", "never")
            .replace("x", "AKIAXXXXXXXXXXXXXXXX")
            .access_key_ids()
            .rewrite(|t| t.to_uppercase());
        assert_eq!(r.apply("x"), "[ACCESS KEY 1]");
    }
}
