//! Grants kept on purpose: an allowlist of `PRINCIPAL ACTION RESOURCE` patterns.

use serde::Serialize;

use super::grants::Grant;
use crate::wildcard::Glob;

/// One allowed pattern; `*` and `?` are wildcards in each part.
///
/// ```
/// use iamsim::harness::Allowlist;
///
/// let list = Allowlist::parse("arn:aws:iam::111111111111:role/* s3:Delete* arn:aws:s3:::photos/*")?;
/// let entry = &list.entries()[0];
/// assert_eq!(entry.principal, "arn:aws:iam::111111111111:role/*");
/// assert_eq!(entry.action, "s3:Delete*");
/// assert_eq!(entry.resource, "arn:aws:s3:::photos/*");
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllowEntry {
    /// A user or role ARN pattern (`*` for every principal).
    pub principal: String,
    /// An action pattern, matched without regard to case (`s3:Delete*`).
    pub action: String,
    /// A pattern matched against the grant's resource pattern as written
    /// (`arn:aws:s3:::photos/*` allows the grant on exactly that pattern; `*` every one).
    pub resource: String,
}

impl AllowEntry {
    fn matches(&self, grant: &Grant) -> bool {
        Glob::new(&self.principal).matches(&grant.principal)
            && Glob::new(&self.action.to_ascii_lowercase()).matches(&grant.action.to_ascii_lowercase())
            && Glob::new(&self.resource).matches(&grant.resource)
    }
}

/// Grants that may stay unused.
///
/// The file format is text, one entry per line: `PRINCIPAL ACTION RESOURCE`, separated by
/// spaces, each part a pattern with `*` and `?`. Blank lines and lines starting with `#` are
/// skipped. A line of the command's own output (`unused: PRINCIPAL ACTION on RESOURCE (…)`) is
/// an entry too, so an intended grant is allowed by pasting its line; a pasted
/// `no requests recorded: PRINCIPAL (…)` line allows every grant of that principal
/// (`PRINCIPAL * *`).
///
/// ```
/// use iamsim::harness::Allowlist;
/// let list = Allowlist::parse("# break-glass\n\
///     arn:aws:iam::111111111111:role/admin * *\n\
///     unused: arn:aws:iam::111111111111:role/reader s3:GetObjectTagging on arn:aws:s3:::photos/* (P, statement 0)\n")?;
/// assert_eq!(list.entries().len(), 2);
/// assert_eq!(list.entries()[1].action, "s3:GetObjectTagging");
/// let idle = Allowlist::parse("no requests recorded: arn:aws:iam::111111111111:role/idle (4 grants unused)")?;
/// assert_eq!((idle.entries()[0].action.as_str(), idle.entries()[0].resource.as_str()), ("*", "*"));
/// assert!(Allowlist::parse("just-one-word").is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Allowlist {
    entries: Vec<AllowEntry>,
}

impl Allowlist {
    /// An empty allowlist.
    pub fn new() -> Allowlist {
        Allowlist::default()
    }

    /// Parses the text format; the error names the line.
    pub fn parse(text: &str) -> Result<Allowlist, String> {
        let mut list = Allowlist::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words: Vec<&str> = line.split_whitespace().take_while(|w| !w.starts_with('(')).collect();
            // `no requests recorded: PRINCIPAL (…)` allows every grant of the principal.
            if let ["no", "requests", "recorded:", principal] = words.as_slice() {
                list.push(principal, "*", "*");
                continue;
            }
            if words.first() == Some(&"unused:") {
                words.remove(0);
                if words.get(2) == Some(&"on") {
                    words.remove(2);
                }
            }
            match words.as_slice() {
                [principal, action, resource] => list.push(principal, action, resource),
                _ => return Err(format!("line {}: expected `PRINCIPAL ACTION RESOURCE`, got `{line}`", n + 1)),
            }
        }
        Ok(list)
    }

    /// Adds an entry.
    pub fn push(&mut self, principal: &str, action: &str, resource: &str) {
        self.entries.push(AllowEntry {
            principal: principal.to_owned(),
            action: action.to_owned(),
            resource: resource.to_owned(),
        });
    }

    /// Adds every entry of another list.
    pub fn extend(&mut self, other: &Allowlist) {
        self.entries.extend(other.entries.iter().cloned());
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[AllowEntry] {
        &self.entries
    }

    /// Whether some entry allows the grant.
    pub fn allows(&self, grant: &Grant) -> bool {
        self.entries.iter().any(|e| e.matches(grant))
    }
}
