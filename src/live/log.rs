//! The access log: one entry per request to any fake service, with every authorization it
//! needed and the decision. Deterministic — numbered requests, times from the world's clock,
//! no secrets — so `insta::assert_yaml_snapshot!(world.access_log())` never churns.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Deserialize, Serialize};

use crate::policy::Decision;

/// One request and what was decided for it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users: { alice: {} }
///     roles:
///       reader: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "arn:aws:iam::111111111111:user/alice" }, Action: sts:AssumeRole }] } }
/// "#)?.without_recording();
/// let sts = world.sts_client(world.user_credentials("111111111111", "alice"));
/// sts.assume_role().role_arn("arn:aws:iam::111111111111:role/reader").role_session_name("app").send().await?;
/// let log = world.access_log();
/// let entry = log.last().expect("one request");
/// assert_eq!((entry.request, entry.service.as_str(), entry.operation.as_str(), entry.status), (1, "sts", "AssumeRole", 200));
/// assert_eq!(entry.caller.as_deref(), Some("arn:aws:iam::111111111111:user/alice"));
/// assert!(entry.access_key_id.as_deref().is_some_and(|k| k.starts_with("AKIA")) && entry.error.is_none());
/// assert!(entry.to_string().starts_with("#1 sts AssumeRole arn:aws:iam::111111111111:user/alice 200 allow sts:AssumeRole"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The request's number in this world: 1, 2, …
    pub request: u64,
    /// The world's clock when the request arrived (RFC 3339).
    pub time: String,
    /// `sts`, `s3`, `imds`, …
    pub service: String,
    /// The operation, as AWS names it (`AssumeRole`, `GetObject`).
    pub operation: String,
    /// Who called: the ARN of the user, role session, root or federated user; `anonymous` for
    /// an unsigned request; absent when authentication failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// The access key id the request was signed with (never the secret or the token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    /// Every authorization the request needed, in the order they were decided.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorizations: Vec<Authorization>,
    /// The HTTP status of the response.
    pub status: u16,
    /// The AWS error code, when the request failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One line per request, as `iamsim serve` prints it on stderr:
/// `#3 sts AssumeRole arn:aws:iam::111111111111:user/alice 200 allow sts:AssumeRole on arn:aws:iam::111111111111:role/reader`.
impl std::fmt::Display for LogEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let caller = self.caller.as_deref().unwrap_or("-");
        write!(f, "#{} {} {} {caller} {}", self.request, self.service, self.operation, self.status)?;
        if let Some(code) = &self.error {
            write!(f, " {code}")?;
        }
        for a in &self.authorizations {
            write!(f, " {} {} on {}", a.decision, a.action, a.resource)?;
        }
        Ok(())
    }
}

/// One decision taken for a request.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     users: { alice: {} }
///     roles:
///       reader: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { AWS: "arn:aws:iam::111111111111:user/alice" }, Action: sts:AssumeRole }] } }
/// "#)?.without_recording();
/// let sts = world.sts_client(world.user_credentials("111111111111", "alice"));
/// sts.assume_role().role_arn("arn:aws:iam::111111111111:role/reader").role_session_name("app").send().await?;
/// let log = world.access_log();
/// let authorization = &log.last().expect("one request").authorizations[0];
/// assert_eq!(authorization.action, "sts:AssumeRole");
/// assert_eq!(authorization.resource, "arn:aws:iam::111111111111:role/reader");
/// assert_eq!(authorization.decision, "allow");
/// assert_eq!(authorization.statements.len(), 1, "the trust policy's statement");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    /// The action, as the service asked it (`sts:AssumeRole`).
    pub action: String,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// `allow`, `explicit_deny` or `implicit_deny`.
    pub decision: String,
    /// AWS's wording of the decision.
    pub message: String,
    /// The statements that applied, as `policy statement N (Sid): Effect` lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<String>,
    /// The request context keys the service supplied (the derived ones — time, organization,
    /// principal — are left out; they follow from the world).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, Vec<String>>,
}

impl Authorization {
    /// Records a decision with the context keys the service supplied.
    pub fn new(decision: &Decision, context: &crate::policy::Context) -> Authorization {
        Authorization {
            action: decision.action().to_string(),
            resource: decision.resource().to_owned(),
            decision: decision.outcome().as_str().to_owned(),
            message: decision.to_string(),
            statements: decision.reasons().iter().map(ToString::to_string).collect(),
            context: context.iter().map(|(k, v)| (k.to_owned(), v.to_vec())).collect(),
        }
    }

    /// [`Authorization::new`], taking the context's keys and values over instead of copying
    /// them.
    pub fn from_context(decision: &Decision, context: crate::policy::Context) -> Authorization {
        Authorization {
            action: decision.action().to_string(),
            resource: decision.resource().to_owned(),
            decision: decision.outcome().as_str().to_owned(),
            message: decision.to_string(),
            statements: decision.reasons().iter().map(ToString::to_string).collect(),
            context: context.into_entries().collect(),
        }
    }
}

/// A decision as the engine gave it, with the context keys the service supplied: what an
/// [`Authorization`] is written from. The log keeps decisions in this form and writes their
/// texts (AWS's message, the statements, the context as strings) only when it is read, so a
/// request does not pay for text nobody may look at.
#[derive(Clone, Debug)]
pub(crate) struct Decided {
    pub(crate) decision: Decision,
    pub(crate) context: crate::policy::Context,
}

impl Decided {
    fn to_authorization(&self) -> Authorization {
        Authorization::new(&self.decision, &self.context)
    }
}

/// One entry as the world keeps it: the entry, and the decisions whose texts are written each
/// time the log is read (they follow the entry's own `authorizations`). Kept in this form for
/// good: writing the texts back would hold both forms' memory in a long run's allocator.
#[derive(Debug)]
pub(crate) struct Stored {
    entry: LogEntry,
    decided: Vec<Decided>,
}

impl Stored {
    /// Kept for the world's lifetime, so without the room left for growth: a request's context
    /// and decision list are sized for building, not for keeping.
    pub(crate) fn new(entry: LogEntry, mut decided: Vec<Decided>) -> Stored {
        decided.shrink_to_fit();
        for decision in &mut decided {
            decision.context.shrink_to_fit();
        }
        Stored { entry, decided }
    }

    /// The entry with every decision written out.
    pub(crate) fn entry(&self) -> LogEntry {
        let mut entry = self.entry.clone();
        entry.authorizations.extend(self.decided.iter().map(Decided::to_authorization));
        entry
    }
}

/// The requests a world served, in order.
///
/// ```
/// use iamsim::live::{AccessLog, LogEntry};
/// let log = AccessLog::new(vec![LogEntry {
///     request: 1, time: "2026-01-01T00:00:00Z".into(), service: "sts".into(),
///     operation: "GetCallerIdentity".into(), caller: Some("arn:aws:iam::111111111111:user/alice".into()),
///     access_key_id: None, authorizations: vec![], status: 200, error: None,
/// }]);
/// let mut out = Vec::new();
/// log.write_json_lines(&mut out)?;
/// assert!(String::from_utf8(out)?.starts_with(r#"{"request":1,"time":"2026-01-01T00:00:00Z","service":"sts""#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccessLog {
    entries: Vec<LogEntry>,
}

impl AccessLog {
    /// A log of these entries.
    pub fn new(entries: Vec<LogEntry>) -> AccessLog {
        AccessLog { entries }
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// Whether no request was served.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many requests were served.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The last entry.
    pub fn last(&self) -> Option<&LogEntry> {
        self.entries.last()
    }

    /// Writes one JSON object per line.
    pub fn write_json_lines(&self, mut out: impl Write) -> io::Result<()> {
        for entry in &self.entries {
            serde_json::to_writer(&mut out, entry)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}
