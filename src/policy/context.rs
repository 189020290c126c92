//! The request context: condition keys and their values, given by the caller or derived by the
//! engine from the principal.

use super::principal::Principal;

/// Condition keys of a request and their values.
///
/// Key names are case-insensitive (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>:
/// "Condition key names are not case-sensitive"); values are kept as given. Every value is text,
/// as on the wire: numbers as decimal text, dates in ISO 8601, booleans as `true`/`false`. A key
/// with an empty list of values is the same as an absent key.
///
/// Keys the engine derives from the principal (`aws:PrincipalArn`, `aws:PrincipalAccount`,
/// `aws:PrincipalType`, `aws:username`, `aws:userid`, `aws:PrincipalTag/…`,
/// `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName`) take precedence over the same keys
/// given here.
///
/// ```
/// use iamsim::Context;
/// let ctx = Context::new()
///     .with("aws:SourceIp", "203.0.113.5")
///     .with_values("aws:TagKeys", ["team", "env"]);
/// assert_eq!(ctx.get("AWS:SOURCEIP"), Some(&["203.0.113.5".to_owned()][..]));
/// assert_eq!(ctx.get("aws:TagKeys").map(|v| v.len()), Some(2));
/// assert_eq!(ctx.get("aws:MultiFactorAuthPresent"), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    // (lowercased key, key as written, values), sorted by lowercased key.
    entries: Vec<(Box<str>, Box<str>, Vec<String>)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Adds one value to a key (a key given twice becomes multivalued).
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.position(key) {
            Ok(i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    e.2.push(value);
                }
            }
            Err(i) => self.entries.insert(i, (lowercase(key), key.into(), vec![value])),
        }
    }

    /// Sets a key to exactly these values, replacing what it had.
    pub fn set<I, S>(&mut self, key: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        match self.position(key) {
            Ok(i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    e.2 = values;
                }
            }
            Err(i) => self.entries.insert(i, (lowercase(key), key.into(), values)),
        }
    }

    /// Builder form of [`Context::insert`].
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Context {
        self.insert(key, value);
        self
    }

    /// Builder form of [`Context::set`].
    #[must_use]
    pub fn with_values<I, S>(mut self, key: &str, values: I) -> Context
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.set(key, values);
        self
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &str) {
        if let Ok(i) = self.position(key) {
            self.entries.remove(i);
        }
    }

    /// The values of a key, looked up case-insensitively; `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        let i = self.position(key).ok()?;
        self.entries.get(i).map(|e| e.2.as_slice()).filter(|v| !v.is_empty())
    }

    pub(crate) fn get_lowercase(&self, lower: &str) -> Option<&[String]> {
        let i = self.entries.binary_search_by(|e| (*e.0).cmp(lower)).ok()?;
        self.entries.get(i).map(|e| e.2.as_slice()).filter(|v| !v.is_empty())
    }

    /// The keys (as first written) and their values, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|e| (&*e.1, e.2.as_slice()))
    }

    /// Whether the context has no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where `key` is (or would go), compared by its lowercase form. An ASCII key (every key
    /// AWS defines) is lowercased on the fly, without allocating: byte by byte, its lowercase
    /// form orders exactly as the lowercased string does.
    fn position(&self, key: &str) -> Result<usize, usize> {
        if key.is_ascii() {
            let lower = || key.bytes().map(|b| b.to_ascii_lowercase());
            return self.entries.binary_search_by(|e| e.0.bytes().cmp(lower()));
        }
        let lower = key.to_lowercase();
        self.entries.binary_search_by(|e| (*e.0).cmp(lower.as_str()))
    }
}

/// A key's lowercase form (for ASCII, the same as `str::to_lowercase`, without its Unicode
/// tables).
fn lowercase(key: &str) -> Box<str> {
    if key.is_ascii() { key.to_ascii_lowercase().into() } else { key.to_lowercase().into() }
}

/// A condition key as a compiled policy refers to it: derived keys are recognised once, at
/// compile time, so evaluation does not compare key names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KeyRef {
    PrincipalArn,
    PrincipalAccount,
    PrincipalType,
    Username,
    Userid,
    PrincipalIsAwsService,
    PrincipalServiceName,
    /// `aws:PrincipalTag/KEY`, with KEY lowercased.
    PrincipalTag(Box<str>),
    /// Any other key, lowercased.
    Other(Box<str>),
}

impl KeyRef {
    pub(crate) fn new(name: &str) -> KeyRef {
        let lower = name.to_lowercase();
        match lower.as_str() {
            "aws:principalarn" => KeyRef::PrincipalArn,
            "aws:principalaccount" => KeyRef::PrincipalAccount,
            "aws:principaltype" => KeyRef::PrincipalType,
            "aws:username" => KeyRef::Username,
            "aws:userid" => KeyRef::Userid,
            "aws:principalisawsservice" => KeyRef::PrincipalIsAwsService,
            "aws:principalservicename" => KeyRef::PrincipalServiceName,
            _ => match lower.strip_prefix("aws:principaltag/") {
                Some(tag) => KeyRef::PrincipalTag(tag.into()),
                None => KeyRef::Other(lower.into()),
            },
        }
    }
}

/// The values of a key in one request: one derived value or the caller's list.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Values<'a> {
    One(&'a str),
    Many(&'a [String]),
}

impl<'a> Values<'a> {
    pub(crate) fn iter(self) -> impl Iterator<Item = &'a str> {
        let (one, many) = match self {
            Values::One(v) => (Some(v), &[][..]),
            Values::Many(vs) => (None, vs),
        };
        one.into_iter().chain(many.iter().map(String::as_str))
    }

    /// The value of a single-valued key, as policy variables need it.
    pub(crate) fn single(self) -> Option<&'a str> {
        match self {
            Values::One(v) => Some(v),
            Values::Many([v]) => Some(v.as_str()),
            Values::Many(_) => None,
        }
    }
}

/// Where condition keys are looked up during one evaluation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lookup<'a> {
    pub(crate) principal: &'a Principal,
    pub(crate) context: &'a Context,
}

impl<'a> Lookup<'a> {
    /// The values of a key: derived from the principal where AWS derives it
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>),
    /// otherwise from the request context.
    pub(crate) fn get(&self, key: &KeyRef) -> Option<Values<'a>> {
        let p = self.principal;
        let derived = match key {
            KeyRef::PrincipalArn => p.principal_arn(),
            KeyRef::PrincipalAccount => match p {
                Principal::Anonymous => Some("anonymous"),
                other => other.account().map(|a| a.as_str()),
            },
            KeyRef::PrincipalType => match p {
                Principal::Service(_) | Principal::WebIdentity(_) => None,
                other => Some(other.kind()),
            },
            KeyRef::Username => p.username(),
            KeyRef::Userid => p.userid(),
            KeyRef::PrincipalIsAwsService => match p {
                Principal::Service(_) => Some("true"),
                Principal::Anonymous => None,
                _ => Some("false"),
            },
            KeyRef::PrincipalServiceName => p.service_name(),
            KeyRef::PrincipalTag(tag) => p.tags().and_then(|t| t.get_lowercase(tag)),
            KeyRef::Other(_) => None,
        };
        if let Some(v) = derived {
            return Some(Values::One(v));
        }
        let lower: &str = match key {
            KeyRef::Other(k) => k,
            KeyRef::PrincipalArn => "aws:principalarn",
            KeyRef::PrincipalAccount => "aws:principalaccount",
            KeyRef::PrincipalType => "aws:principaltype",
            KeyRef::Username => "aws:username",
            KeyRef::Userid => "aws:userid",
            KeyRef::PrincipalIsAwsService => "aws:principalisawsservice",
            KeyRef::PrincipalServiceName => "aws:principalservicename",
            // Principal tags come only from the principal.
            KeyRef::PrincipalTag(_) => return None,
        };
        self.context.get_lowercase(lower).map(Values::Many)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_keys_come_from_the_principal() {
        let p = Principal::parse("arn:aws:iam::111122223333:user/alice")
            .unwrap()
            .with_tags(crate::Tags::from_iter([("Team", "blue")]));
        let ctx = Context::new().with("aws:username", "mallory").with("aws:SourceIp", "10.0.0.1");
        let l = Lookup { principal: &p, context: &ctx };
        let one = |k: &str| l.get(&KeyRef::new(k)).and_then(Values::single);
        assert_eq!(one("aws:username"), Some("alice"));
        assert_eq!(one("AWS:PrincipalTag/TEAM"), Some("blue"));
        assert_eq!(one("aws:principaltype"), Some("User"));
        assert_eq!(one("aws:sourceip"), Some("10.0.0.1"));
        assert_eq!(one("aws:PrincipalTag/missing"), None);
        assert_eq!(one("aws:PrincipalIsAWSService"), Some("false"));
    }

    #[test]
    fn anonymous_account_is_the_word_anonymous() {
        let ctx = Context::new();
        let l = Lookup { principal: &Principal::Anonymous, context: &ctx };
        assert_eq!(l.get(&KeyRef::PrincipalAccount).and_then(Values::single), Some("anonymous"));
        assert!(l.get(&KeyRef::PrincipalArn).is_none());
    }

    #[test]
    fn keys_are_case_insensitive_ascii_or_not() {
        let mut ctx = Context::new().with("aws:SourceIp", "10.0.0.1").with("ÄWS:Ключ", "x").with("aws:a", "1");
        ctx.set("AWS:SOURCEIP", ["10.0.0.2"]);
        ctx.insert("äws:ключ", "y");
        assert_eq!(ctx.get("aws:sourceip"), Some(&["10.0.0.2".to_owned()][..]));
        assert_eq!(ctx.get("ÄWS:КЛЮЧ").map(<[String]>::len), Some(2));
        assert_eq!(ctx.get_lowercase("äws:ключ").map(<[String]>::len), Some(2));
        let keys: Vec<&str> = ctx.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["aws:a", "aws:SourceIp", "ÄWS:Ключ"]);
        ctx.remove("Aws:A");
        assert_eq!(ctx.get("aws:a"), None);
    }

    #[test]
    fn empty_values_are_absent() {
        let ctx = Context::new().with_values("aws:TagKeys", Vec::<String>::new());
        assert_eq!(ctx.get("aws:tagkeys"), None);
    }
}
