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
    /// Sorted by lowercased key.
    entries: Vec<Entry>,
}

/// One key: the key as first written and its lowercase form in one allocation, and its values.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    /// The key as written, then its lowercase form.
    names: Box<str>,
    /// Where the lowercase form starts in `names`.
    split: usize,
    values: Stored,
}

/// The values of a key: most keys have exactly one, kept without a `Vec`. Always `One` for
/// exactly one value, so that equal contexts compare equal.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Stored {
    One(String),
    Many(Vec<String>),
}

impl Stored {
    fn from_vec(mut values: Vec<String>) -> Stored {
        match values.pop() {
            Some(only) if values.is_empty() => Stored::One(only),
            Some(last) => {
                values.push(last);
                Stored::Many(values)
            }
            None => Stored::Many(values),
        }
    }

    fn collect<I, S>(values: I) -> Stored
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut values = values.into_iter().map(Into::into);
        match (values.next(), values.next()) {
            (Some(only), None) => Stored::One(only),
            (first, second) => Stored::Many(first.into_iter().chain(second).chain(values).collect()),
        }
    }

    fn as_slice(&self) -> &[String] {
        match self {
            Stored::One(value) => std::slice::from_ref(value),
            Stored::Many(values) => values,
        }
    }

    fn push(&mut self, value: String) {
        *self = match std::mem::replace(self, Stored::Many(Vec::new())) {
            Stored::One(first) => Stored::Many(vec![first, value]),
            Stored::Many(mut values) => {
                values.push(value);
                Stored::from_vec(values)
            }
        };
    }

    fn into_vec(self) -> Vec<String> {
        match self {
            Stored::One(value) => vec![value],
            Stored::Many(values) => values,
        }
    }
}

impl Entry {
    fn new(key: &str, values: Stored) -> Entry {
        let mut names = String::with_capacity(2 * key.len());
        names.push_str(key);
        if key.is_ascii() {
            names.push_str(key);
            if let Some(lower) = names.get_mut(key.len()..) {
                lower.make_ascii_lowercase();
            }
        } else {
            names.push_str(&key.to_lowercase());
        }
        Entry { names: names.into_boxed_str(), split: key.len(), values }
    }

    fn written(&self) -> &str {
        self.names.get(..self.split).unwrap_or_default()
    }

    fn lower(&self) -> &str {
        self.names.get(self.split..).unwrap_or_default()
    }
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// An empty context with room for `keys` keys.
    pub(crate) fn with_capacity(keys: usize) -> Context {
        Context { entries: Vec::with_capacity(keys) }
    }

    /// Gives back the room reserved for keys that were never added.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
    }

    /// Adds one value to a key (a key given twice becomes multivalued).
    pub fn insert(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        match self.position(key) {
            Ok(i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    e.values.push(value);
                }
            }
            Err(i) => self.entries.insert(i, Entry::new(key, Stored::One(value))),
        }
    }

    /// Sets a key to exactly these values, replacing what it had.
    pub fn set<I, S>(&mut self, key: &str, values: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values = Stored::collect(values);
        match self.position(key) {
            Ok(i) => {
                if let Some(e) = self.entries.get_mut(i) {
                    e.values = values;
                }
            }
            Err(i) => self.entries.insert(i, Entry::new(key, values)),
        }
    }

    /// [`Context::set`] for every key of `other`, in one pass over both sorted lists: a key of
    /// both keeps its name as first written here and takes `other`'s values.
    pub(crate) fn merge_from(&mut self, other: &Context) {
        if other.entries.is_empty() {
            return;
        }
        let mut merged = Vec::with_capacity(self.entries.len() + other.entries.len());
        let mut mine = std::mem::take(&mut self.entries).into_iter().peekable();
        let mut theirs = other.entries.iter().peekable();
        loop {
            match (mine.peek(), theirs.peek()) {
                (Some(a), Some(b)) => match a.lower().cmp(b.lower()) {
                    std::cmp::Ordering::Less => merged.extend(mine.next()),
                    std::cmp::Ordering::Greater => merged.extend(theirs.next().cloned()),
                    std::cmp::Ordering::Equal => {
                        if let (Some(mut a), Some(b)) = (mine.next(), theirs.next()) {
                            a.values = b.values.clone();
                            merged.push(a);
                        }
                    }
                },
                (Some(_), None) => merged.extend(mine.next()),
                (None, Some(_)) => merged.extend(theirs.next().cloned()),
                (None, None) => break,
            }
        }
        self.entries = merged;
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
        self.entries.get(i).map(|e| e.values.as_slice()).filter(|v| !v.is_empty())
    }

    pub(crate) fn get_lowercase(&self, lower: &str) -> Option<&[String]> {
        let i = self.entries.binary_search_by(|e| e.lower().cmp(lower)).ok()?;
        self.entries.get(i).map(|e| e.values.as_slice()).filter(|v| !v.is_empty())
    }

    /// The keys (as first written) and their values, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|e| (e.written(), e.values.as_slice()))
    }

    /// The keys (as first written) and their values, sorted by key, taken out of the context.
    ///
    /// ```
    /// use iamsim::Context;
    /// let ctx = Context::new().with("b", "2").with("A", "1");
    /// let entries: Vec<(String, Vec<String>)> = ctx.into_entries().collect();
    /// assert_eq!(entries, [("A".to_owned(), vec!["1".to_owned()]), ("b".to_owned(), vec!["2".to_owned()])]);
    /// ```
    pub fn into_entries(self) -> impl Iterator<Item = (String, Vec<String>)> {
        self.entries.into_iter().map(|e| (e.written().to_owned(), e.values.into_vec()))
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
            return self.entries.binary_search_by(|e| e.lower().bytes().cmp(lower()));
        }
        let lower = key.to_lowercase();
        self.entries.binary_search_by(|e| e.lower().cmp(lower.as_str()))
    }
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
    fn merge_from_is_set_for_every_key() {
        let base = Context::new().with("aws:CurrentTime", "t").with("B:key", "1").with("z:last", "9");
        let other = Context::new()
            .with("b:KEY", "2")
            .with_values("a:first", ["x", "y"])
            .with("m:mid", "5")
            .with("zz:after", "0");
        let mut merged = base.clone();
        merged.merge_from(&other);
        let mut by_set = base;
        for (key, values) in other.iter() {
            by_set.set(key, values.iter().cloned());
        }
        assert_eq!(merged, by_set);
        // The name as first written stays; the values are the other's.
        assert!(merged.iter().any(|(k, v)| k == "B:key" && v == ["2"]));
        let mut empty = Context::new();
        empty.merge_from(&other);
        assert_eq!(empty, other);
        let mut unchanged = other.clone();
        unchanged.merge_from(&Context::new());
        assert_eq!(unchanged, other);
    }

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
    fn one_or_many_values_compare_by_their_values() {
        let one = Context::new().with("k", "a");
        assert_eq!(one, Context::new().with_values("k", ["x"]).with_values("K", vec!["a".to_owned()]));
        let two = one.clone().with("K", "b");
        assert_eq!(two, Context::new().with_values("k", ["a", "b"]));
        assert_eq!(two.get("k").map(<[String]>::len), Some(2));
        assert_eq!(two.clone().with("k", "c").get("k").map(<[String]>::len), Some(3));
        let empty = Context::new().with_values("k", Vec::<String>::new());
        assert_eq!(empty.get("k"), None);
        assert_eq!(empty.clone().with("k", "a"), Context::new().with("k", "a"));
        let entries: Vec<(String, Vec<String>)> = two.into_entries().collect();
        assert_eq!(entries, [("k".to_owned(), vec!["a".to_owned(), "b".to_owned()])]);
        assert_eq!(Context::new().with("k", "a").iter().next(), Some(("k", &["a".to_owned()][..])));
    }

    #[test]
    fn empty_values_are_absent() {
        let ctx = Context::new().with_values("aws:TagKeys", Vec::<String>::new());
        assert_eq!(ctx.get("aws:tagkeys"), None);
    }
}
