//! Actions (`s3:GetObject`) and the action patterns of `Action` / `NotAction` elements.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::wildcard::Glob;

/// An IAM action, `service:ActionName`, as a request names it.
///
/// Service prefixes and action names are case-insensitive
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>):
/// two actions that differ only in case are equal, and the text is kept as written for display.
///
/// ```
/// use iamsim::Action;
/// let action: Action = "s3:GetObject".parse()?;
/// assert_eq!(action.service(), "s3");
/// assert_eq!(action.name(), "GetObject");
/// assert_eq!(action, "S3:getobject".parse()?);
/// assert!("GetObject".parse::<Action>().is_err());
/// # Ok::<(), iamsim::policy::ActionError>(())
/// ```
#[derive(Clone)]
pub struct Action {
    text: Arc<str>,
    lower: Arc<str>,
    colon: usize,
}

/// Why a string is not an action.
///
/// ```
/// use iamsim::policy::{Action, ActionError};
/// assert_eq!(Action::new("GetObject"), Err(ActionError::MissingService("GetObject".into())));
/// assert_eq!(Action::new("s3:Get*"), Err(ActionError::Wildcard("s3:Get*".into())));
/// assert_eq!(
///     Action::new("s3:Get*").unwrap_err().to_string(),
///     "`s3:Get*` is not an action: a request names one action, without wildcards"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// No `service:` prefix.
    #[error("`{0}` is not an action: expected `service:ActionName`")]
    MissingService(String),
    /// Wildcards are for policies; a request names one action.
    #[error("`{0}` is not an action: a request names one action, without wildcards")]
    Wildcard(String),
}

impl Action {
    /// Parses `service:ActionName`.
    pub fn new(text: &str) -> Result<Action, ActionError> {
        let colon = match text.find(':') {
            Some(i) if i > 0 && i + 1 < text.len() => i,
            _ => return Err(ActionError::MissingService(text.to_owned())),
        };
        if text.contains(['*', '?']) {
            return Err(ActionError::Wildcard(text.to_owned()));
        }
        Ok(Action { text: text.into(), lower: text.to_ascii_lowercase().into(), colon })
    }

    /// The action as written, for example `s3:GetObject`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The service prefix, for example `s3`.
    pub fn service(&self) -> &str {
        self.text.get(..self.colon).unwrap_or_default()
    }

    /// The action name without its prefix, for example `GetObject`.
    pub fn name(&self) -> &str {
        self.text.get(self.colon + 1..).unwrap_or_default()
    }

    /// The action lowercased, which is what patterns are matched against.
    pub(crate) fn lowercase(&self) -> &str {
        &self.lower
    }

    /// The service prefix lowercased.
    pub(crate) fn service_lowercase(&self) -> &str {
        self.lower.get(..self.colon).unwrap_or_default()
    }
}

impl PartialEq for Action {
    fn eq(&self, other: &Self) -> bool {
        self.lower == other.lower
    }
}

impl Eq for Action {}

impl std::hash::Hash for Action {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.lower.hash(state);
    }
}

impl PartialOrd for Action {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Action {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.lower.cmp(&other.lower)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Action({:?})", &*self.text)
    }
}

impl FromStr for Action {
    type Err = ActionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::new(s)
    }
}

impl TryFrom<&str> for Action {
    type Error = ActionError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Action::new(s)
    }
}

impl serde::Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// One entry of an `Action` or `NotAction` element: `*`, or `service:pattern` with wildcards.
#[derive(Clone, Debug)]
pub(crate) struct ActionPattern {
    text: Box<str>,
    glob: Glob,
}

impl ActionPattern {
    /// Compiles an entry. The grammar check (a `service:` prefix) is the parser's job.
    pub(crate) fn new(text: &str) -> ActionPattern {
        ActionPattern { text: text.into(), glob: Glob::new(&text.to_ascii_lowercase()) }
    }

    /// The entry as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this entry covers the action (case-insensitively).
    pub(crate) fn matches(&self, action: &Action) -> bool {
        self.glob.matches(action.lowercase())
    }

    /// Whether the entry has no wildcard.
    pub(crate) fn is_literal(&self) -> bool {
        self.glob.is_literal()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_case_insensitively() {
        let get: Action = "s3:GetObject".parse().unwrap();
        assert!(ActionPattern::new("S3:getobject").matches(&get));
        assert!(ActionPattern::new("s3:Get*").matches(&get));
        assert!(ActionPattern::new("*").matches(&get));
        assert!(!ActionPattern::new("s3:Put*").matches(&get));
        assert!(!ActionPattern::new("s3:*").matches(&"s3-object-lambda:GetObject".parse().unwrap()));
    }

    #[test]
    fn rejects_text_that_is_not_one_action() {
        assert_eq!(
            Action::new("GetObject").unwrap_err().to_string(),
            "`GetObject` is not an action: expected `service:ActionName`"
        );
        assert!(Action::new(":x").is_err());
        assert!(Action::new("s3:").is_err());
        assert!(matches!(Action::new("s3:Get*"), Err(ActionError::Wildcard(_))));
    }
}
