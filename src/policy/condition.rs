//! Condition operators: every operator AWS documents, the `…IfExists` suffix, and the
//! `ForAllValues:` / `ForAnyValue:` set qualifiers.
//!
//! Sources:
//! - operators: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! - several keys and values (AND of operators and keys, OR of values, NOR of values for
//!   negated operators): <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>
//! - set qualifiers and multivalued keys: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>

use std::cmp::Ordering;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

use super::context::{KeyRef, Lookup};
use super::variables::Template;
use crate::arn::Arn;
use crate::wildcard::Glob;

/// A condition operator without its qualifiers.
///
/// ```
/// use iamsim::policy::{BaseOperator, ConditionOperator};
/// let op: ConditionOperator = "StringNotLikeIfExists".parse()?;
/// assert_eq!(op.base, BaseOperator::StringNotLike);
/// assert_eq!(op.base.as_str(), "StringNotLike");
/// assert!(op.base.is_negated());
/// assert!(!BaseOperator::StringLike.is_negated());
/// assert_eq!(BaseOperator::ALL.len(), 27);
/// # Ok::<(), iamsim::policy::UnknownOperator>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs, reason = "the variants are AWS's operator names")]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

use BaseOperator as B;

impl BaseOperator {
    /// Every operator, in AWS's documentation order.
    pub const ALL: [BaseOperator; 27] = [
        B::StringEquals,
        B::StringNotEquals,
        B::StringEqualsIgnoreCase,
        B::StringNotEqualsIgnoreCase,
        B::StringLike,
        B::StringNotLike,
        B::NumericEquals,
        B::NumericNotEquals,
        B::NumericLessThan,
        B::NumericLessThanEquals,
        B::NumericGreaterThan,
        B::NumericGreaterThanEquals,
        B::DateEquals,
        B::DateNotEquals,
        B::DateLessThan,
        B::DateLessThanEquals,
        B::DateGreaterThan,
        B::DateGreaterThanEquals,
        B::Bool,
        B::BinaryEquals,
        B::IpAddress,
        B::NotIpAddress,
        B::ArnEquals,
        B::ArnLike,
        B::ArnNotEquals,
        B::ArnNotLike,
        B::Null,
    ];

    /// The operator's name as policies write it.
    pub fn as_str(self) -> &'static str {
        match self {
            B::StringEquals => "StringEquals",
            B::StringNotEquals => "StringNotEquals",
            B::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            B::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            B::StringLike => "StringLike",
            B::StringNotLike => "StringNotLike",
            B::NumericEquals => "NumericEquals",
            B::NumericNotEquals => "NumericNotEquals",
            B::NumericLessThan => "NumericLessThan",
            B::NumericLessThanEquals => "NumericLessThanEquals",
            B::NumericGreaterThan => "NumericGreaterThan",
            B::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            B::DateEquals => "DateEquals",
            B::DateNotEquals => "DateNotEquals",
            B::DateLessThan => "DateLessThan",
            B::DateLessThanEquals => "DateLessThanEquals",
            B::DateGreaterThan => "DateGreaterThan",
            B::DateGreaterThanEquals => "DateGreaterThanEquals",
            B::Bool => "Bool",
            B::BinaryEquals => "BinaryEquals",
            B::IpAddress => "IpAddress",
            B::NotIpAddress => "NotIpAddress",
            B::ArnEquals => "ArnEquals",
            B::ArnLike => "ArnLike",
            B::ArnNotEquals => "ArnNotEquals",
            B::ArnNotLike => "ArnNotLike",
            B::Null => "Null",
        }
    }

    /// Whether the operator is a negation ("…Not…"): true on an absent key, and its values act
    /// as a NOR (the Important note of the condition operators page).
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            B::StringNotEquals
                | B::StringNotEqualsIgnoreCase
                | B::StringNotLike
                | B::NumericNotEquals
                | B::DateNotEquals
                | B::NotIpAddress
                | B::ArnNotEquals
                | B::ArnNotLike
        )
    }

    /// Whether policy variables are substituted in the operator's values (string and ARN
    /// operators; <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>).
    fn takes_variables(self) -> bool {
        matches!(
            self,
            B::StringEquals
                | B::StringNotEquals
                | B::StringEqualsIgnoreCase
                | B::StringNotEqualsIgnoreCase
                | B::StringLike
                | B::StringNotLike
                | B::ArnEquals
                | B::ArnLike
                | B::ArnNotEquals
                | B::ArnNotLike
        )
    }
}

impl fmt::Display for BaseOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `ForAllValues:` or `ForAnyValue:`.
///
/// ```
/// use iamsim::policy::{ConditionOperator, SetQualifier};
/// let all: ConditionOperator = "ForAllValues:StringEquals".parse()?;
/// assert_eq!(all.set, Some(SetQualifier::ForAllValues));
/// let plain: ConditionOperator = "StringEquals".parse()?;
/// assert_eq!(plain.set, None);
/// # Ok::<(), iamsim::policy::UnknownOperator>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetQualifier {
    /// True when every request value matches; also when the key is absent or empty.
    ForAllValues,
    /// True when at least one request value matches; false when the key is absent or empty.
    ForAnyValue,
}

/// A full condition operator: an optional set qualifier, the base operator and `IfExists`.
///
/// ```
/// use iamsim::policy::{ConditionOperator, BaseOperator, SetQualifier};
/// let op: ConditionOperator = "ForAnyValue:StringLikeIfExists".parse()?;
/// assert_eq!(op.base, BaseOperator::StringLike);
/// assert_eq!(op.set, Some(SetQualifier::ForAnyValue));
/// assert!(op.if_exists);
/// assert_eq!(op.to_string(), "ForAnyValue:StringLikeIfExists");
/// assert!("NullIfExists".parse::<ConditionOperator>().is_err());
/// # Ok::<(), iamsim::policy::UnknownOperator>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConditionOperator {
    /// `ForAllValues:` / `ForAnyValue:`, if written.
    pub set: Option<SetQualifier>,
    /// The operator itself.
    pub base: BaseOperator,
    /// Whether `IfExists` was appended.
    pub if_exists: bool,
}

/// A condition operator name AWS does not define.
///
/// ```
/// use iamsim::policy::{ConditionOperator, UnknownOperator};
/// let err = "StringEqual".parse::<ConditionOperator>().unwrap_err();
/// assert_eq!(err.name, "StringEqual");
/// assert_eq!(err.suggestion.as_deref(), Some("StringEquals"));
/// assert_eq!(err.to_string(), "unknown condition operator `StringEqual`, did you mean `StringEquals`?");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown condition operator `{name}`{}", suggestion.as_ref().map(|s| format!(", did you mean `{s}`?")).unwrap_or_default())]
pub struct UnknownOperator {
    /// The name as written.
    pub name: String,
    /// The closest operator name, if one is close.
    pub suggestion: Option<String>,
}

impl FromStr for ConditionOperator {
    type Err = UnknownOperator;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, name)
        };
        let (base_name, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let base = BaseOperator::ALL.iter().copied().find(|op| op.as_str() == base_name);
        match base {
            // `Null` takes no `IfExists`: it is itself the existence test.
            Some(base) if !(base == B::Null && if_exists) => Ok(ConditionOperator { set, base, if_exists }),
            _ => Err(UnknownOperator { name: name.to_owned(), suggestion: suggest_operator(name) }),
        }
    }
}

fn suggest_operator(name: &str) -> Option<String> {
    let mut names: Vec<String> = BaseOperator::ALL.iter().map(|b| b.as_str().to_owned()).collect();
    names.extend(BaseOperator::ALL.iter().filter(|b| **b != B::Null).map(|b| format!("{b}IfExists")));
    let (prefix, bare) = match name.split_once(':') {
        Some((p, rest)) => {
            let fixed = ["ForAllValues", "ForAnyValue"]
                .into_iter()
                .min_by_key(|q| strsim::damerau_levenshtein(&p.to_lowercase(), &q.to_lowercase()))
                .unwrap_or("ForAnyValue");
            (format!("{fixed}:"), rest)
        }
        None => (String::new(), name),
    };
    names
        .iter()
        .map(|n| (strsim::damerau_levenshtein(&bare.to_lowercase(), &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| format!("{prefix}{n}"))
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.set {
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.base.as_str())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

/// An exact decimal number, compared without rounding (condition values are "integer or
/// decimal" text; <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric>).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Decimal {
    negative: bool,
    /// Integer digits without leading zeros.
    int: Box<str>,
    /// Fraction digits without trailing zeros.
    frac: Box<str>,
}

impl Decimal {
    pub(crate) fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, digits) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..)?),
            Some(b'+') => (false, text.get(1..)?),
            _ => (false, text),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
            return None;
        }
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        // -0 is 0.
        let negative = negative && !(int.is_empty() && frac.is_empty());
        Some(Decimal { negative, int: int.into(), frac: frac.into() })
    }

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Parses a date-time as the `Date*` operators accept it: an ISO 8601 date-time (with `Z` or an
/// offset, optionally fractional seconds), an ISO 8601 date, or epoch seconds
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date>).
/// Returns nanoseconds since the Unix epoch.
pub(crate) fn parse_instant(text: &str) -> Option<i128> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    let text = text.trim();
    if let Some(epoch) = Decimal::parse(text) {
        // Whole seconds, possibly with a fraction.
        let secs: i128 = if epoch.int.is_empty() { 0 } else { epoch.int.parse().ok()? };
        let mut frac = epoch.frac.to_string();
        frac.truncate(9);
        while frac.len() < 9 {
            frac.push('0');
        }
        let nanos: i128 = frac.parse().ok()?;
        let total = secs.checked_mul(1_000_000_000)?.checked_add(nanos)?;
        return Some(if epoch.negative { -total } else { total });
    }
    if let Ok(dt) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Some(dt.unix_timestamp_nanos());
    }
    if let Ok(dt) = time::OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(dt.unix_timestamp_nanos());
    }
    if let Ok(dt) = time::PrimitiveDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(dt.assume_utc().unix_timestamp_nanos());
    }
    if let Ok(d) = time::Date::parse(text, &Iso8601::DEFAULT) {
        return Some(d.midnight().assume_utc().unix_timestamp_nanos());
    }
    // The W3C profile also has `YYYY-MM`: the first day of the month.
    let b = text.as_bytes();
    if b.len() == 7 && b.get(4) == Some(&b'-') && text.bytes().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit()) {
        return parse_instant(&format!("{text}-01"));
    }
    None
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An IP range; a bare address is a single-address range (`/32`, `/128`).
fn parse_cidr(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>().ok().or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// A string or ARN value that may contain policy variables.
#[derive(Clone, Debug)]
enum Text {
    Static(Box<str>),
    Dynamic(Template),
}

impl Text {
    fn new(value: &str, variables: bool) -> Text {
        let template = Template::parse(value, variables);
        match template.as_static() {
            Some(s) => Text::Static(s.into()),
            None => Text::Dynamic(template),
        }
    }
}

/// A string-operator value compiled for its operator.
#[derive(Clone, Debug)]
enum StrValue {
    /// `StringEquals`: exact text.
    Exact(Box<str>),
    /// `StringEqualsIgnoreCase`: lowercased text.
    Folded(Box<str>),
    /// `StringLike`: a pattern.
    Like(Glob),
    /// Any of them, with variables substituted at evaluation.
    Dynamic(Template),
}

/// An ARN-operator value: six component patterns.
#[derive(Clone, Debug)]
enum ArnValue {
    Static(Box<[Glob; 6]>),
    /// Not six components: it matches no ARN.
    Invalid,
    Dynamic(Template),
}

fn arn_globs(text: &str) -> Option<Box<[Glob; 6]>> {
    let c = Arn::components(text)?;
    Some(Box::new(c.map(Glob::new)))
}

/// The values of one condition, parsed once for their operator. A value that cannot be parsed
/// for its type (`NumericEquals: "ten"`) matches nothing; the policy validator reports it.
#[derive(Clone, Debug)]
enum Compiled {
    Str(Vec<StrValue>),
    Num(Vec<Option<Decimal>>),
    Date(Vec<Option<i128>>),
    Bool(Vec<Option<bool>>),
    Binary(Vec<Option<Vec<u8>>>),
    Ip(Vec<Option<IpNet>>),
    Arn(Vec<ArnValue>),
    Null(Vec<Option<bool>>),
}

/// One key under one operator, with its policy values.
#[derive(Clone, Debug)]
pub(crate) struct Condition {
    pub(crate) operator: ConditionOperator,
    /// The key as written.
    pub(crate) key_name: Box<str>,
    key: KeyRef,
    values: Compiled,
    /// The values as written, for messages.
    pub(crate) raw_values: Vec<String>,
}

/// What a condition came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    True,
    False,
    /// False because the key is absent from the request.
    FalseMissingKey,
}

impl Condition {
    /// Compiles one key's values. `variables` is true under `"Version": "2012-10-17"`.
    pub(crate) fn new(
        operator: ConditionOperator,
        key_name: &str,
        raw_values: Vec<String>,
        variables: bool,
    ) -> Condition {
        let variables = variables && operator.base.takes_variables();
        let values = match operator.base {
            B::StringEquals | B::StringNotEquals => Compiled::Str(
                raw_values
                    .iter()
                    .map(|v| match Text::new(v, variables) {
                        Text::Static(s) => StrValue::Exact(s),
                        Text::Dynamic(t) => StrValue::Dynamic(t),
                    })
                    .collect(),
            ),
            B::StringEqualsIgnoreCase | B::StringNotEqualsIgnoreCase => Compiled::Str(
                raw_values
                    .iter()
                    .map(|v| match Text::new(v, variables) {
                        Text::Static(s) => StrValue::Folded(s.to_lowercase().into()),
                        Text::Dynamic(t) => StrValue::Dynamic(t),
                    })
                    .collect(),
            ),
            B::StringLike | B::StringNotLike => Compiled::Str(
                raw_values
                    .iter()
                    .map(|v| match Text::new(v, variables) {
                        Text::Static(s) => StrValue::Like(Glob::new(&s)),
                        Text::Dynamic(t) => StrValue::Dynamic(t),
                    })
                    .collect(),
            ),
            B::NumericEquals
            | B::NumericNotEquals
            | B::NumericLessThan
            | B::NumericLessThanEquals
            | B::NumericGreaterThan
            | B::NumericGreaterThanEquals => Compiled::Num(raw_values.iter().map(|v| Decimal::parse(v)).collect()),
            B::DateEquals
            | B::DateNotEquals
            | B::DateLessThan
            | B::DateLessThanEquals
            | B::DateGreaterThan
            | B::DateGreaterThanEquals => Compiled::Date(raw_values.iter().map(|v| parse_instant(v)).collect()),
            B::Bool => Compiled::Bool(raw_values.iter().map(|v| parse_bool(v)).collect()),
            B::BinaryEquals => {
                Compiled::Binary(raw_values.iter().map(|v| aws_smithy_types::base64::decode(v.trim()).ok()).collect())
            }
            B::IpAddress | B::NotIpAddress => Compiled::Ip(raw_values.iter().map(|v| parse_cidr(v)).collect()),
            B::ArnEquals | B::ArnLike | B::ArnNotEquals | B::ArnNotLike => Compiled::Arn(
                raw_values
                    .iter()
                    .map(|v| match Text::new(v, variables) {
                        Text::Static(s) => arn_globs(&s).map_or(ArnValue::Invalid, ArnValue::Static),
                        Text::Dynamic(t) => ArnValue::Dynamic(t),
                    })
                    .collect(),
            ),
            B::Null => Compiled::Null(raw_values.iter().map(|v| parse_bool(v)).collect()),
        };
        Condition { operator, key_name: key_name.into(), key: KeyRef::new(key_name), values, raw_values }
    }

    /// Policy values that cannot be read as the operator's type, for the validator.
    pub(crate) fn invalid_values(&self) -> Vec<&str> {
        let bad: Vec<bool> = match &self.values {
            Compiled::Num(v) => v.iter().map(Option::is_none).collect(),
            Compiled::Date(v) => v.iter().map(Option::is_none).collect(),
            Compiled::Bool(v) | Compiled::Null(v) => v.iter().map(Option::is_none).collect(),
            Compiled::Binary(v) => v.iter().map(Option::is_none).collect(),
            Compiled::Ip(v) => v.iter().map(Option::is_none).collect(),
            Compiled::Arn(v) => v.iter().map(|a| matches!(a, ArnValue::Invalid)).collect(),
            Compiled::Str(_) => Vec::new(),
        };
        self.raw_values.iter().zip(bad).filter(|(_, bad)| *bad).map(|(v, _)| v.as_str()).collect()
    }

    /// Evaluates the condition against a request.
    pub(crate) fn evaluate(&self, lookup: &Lookup<'_>) -> Outcome {
        let op = self.operator;
        let values = lookup.get(&self.key);
        let as_outcome = |b: bool| if b { Outcome::True } else { Outcome::False };
        if op.base == B::Null {
            let present = values.is_some();
            // The set qualifiers apply to `Null` as to every operator: on an absent key (or an
            // empty set of values) "ForAllValues […] also returns true if there are no context
            // keys in the request", and for ForAnyValue "for no matching context key or a null
            // dataset, the condition returns false" (IAM User Guide, Single-valued vs.
            // multivalued context keys > Set operators for multivalued context keys).
            match (op.set, present) {
                (Some(SetQualifier::ForAllValues), false) => return Outcome::True,
                (Some(SetQualifier::ForAnyValue), false) => return Outcome::FalseMissingKey,
                _ => {}
            }
            // `"true"`: the key must be absent; `"false"`: it must be present. Every value of a
            // present key exists, so under a qualifier each value tests as the key itself does.
            let Compiled::Null(expected) = &self.values else { return Outcome::False };
            return as_outcome(expected.contains(&Some(!present)));
        }
        let Some(values) = values else {
            return match op.set {
                _ if op.if_exists => Outcome::True,
                Some(SetQualifier::ForAllValues) => Outcome::True,
                Some(SetQualifier::ForAnyValue) => Outcome::FalseMissingKey,
                None if op.base.is_negated() => Outcome::True,
                None => Outcome::FalseMissingKey,
            };
        };
        // One request value against all policy values: OR of matches for positive operators,
        // NOR for negated ones.
        let single = |v: &str| {
            let hit = self.any_value_matches(v, lookup);
            if op.base.is_negated() { !hit } else { hit }
        };
        let result = match op.set {
            Some(SetQualifier::ForAllValues) => values.iter().all(single),
            Some(SetQualifier::ForAnyValue) => values.iter().any(single),
            // Without a qualifier, a multivalued key behaves like ForAnyValue for positive
            // operators and as a NOR over all values for negated ones.
            None if op.base.is_negated() => values.iter().all(single),
            None => values.iter().any(single),
        };
        as_outcome(result)
    }

    /// Whether the request value matches any policy value under the positive form of the
    /// operator (`StringNotEquals` → `StringEquals`, `NotIpAddress` → `IpAddress`, …).
    fn any_value_matches(&self, request: &str, lookup: &Lookup<'_>) -> bool {
        match &self.values {
            Compiled::Str(vs) => vs.iter().any(|v| self.string_matches(v, request, lookup)),
            Compiled::Num(vs) => {
                let Some(req) = Decimal::parse(request) else { return false };
                vs.iter().flatten().any(|p| ordering_holds(self.operator.base, req.cmp(p)))
            }
            Compiled::Date(vs) => {
                let Some(req) = parse_instant(request) else { return false };
                vs.iter().flatten().any(|p| ordering_holds(self.operator.base, req.cmp(p)))
            }
            Compiled::Bool(vs) => {
                let Some(req) = parse_bool(request) else { return false };
                vs.iter().flatten().any(|p| *p == req)
            }
            Compiled::Binary(vs) => {
                let Ok(req) = aws_smithy_types::base64::decode(request.trim()) else { return false };
                vs.iter().flatten().any(|p| *p == req)
            }
            Compiled::Ip(vs) => {
                let Ok(addr) = request.trim().parse::<IpAddr>() else { return false };
                vs.iter().flatten().any(|net| net.contains(&addr))
            }
            Compiled::Arn(vs) => {
                let Some(req) = Arn::components(request) else { return false };
                vs.iter().any(|v| match v {
                    ArnValue::Static(globs) => globs.iter().zip(req).all(|(g, c)| g.matches(c)),
                    ArnValue::Invalid => false,
                    ArnValue::Dynamic(t) => t
                        .resolve_components(lookup, 6)
                        .is_some_and(|globs| globs.len() == 6 && globs.iter().zip(req).all(|(g, c)| g.matches(c))),
                })
            }
            Compiled::Null(_) => false,
        }
    }

    fn string_matches(&self, value: &StrValue, request: &str, lookup: &Lookup<'_>) -> bool {
        match value {
            StrValue::Exact(s) => **s == *request,
            StrValue::Folded(s) => fold_eq(s, request),
            StrValue::Like(g) => g.matches(request),
            // A variable without a value matches nothing ("Policy variables with no value").
            StrValue::Dynamic(t) => match self.operator.base {
                B::StringLike | B::StringNotLike => t.resolve_glob(lookup).is_some_and(|g| g.matches(request)),
                B::StringEqualsIgnoreCase | B::StringNotEqualsIgnoreCase => {
                    t.resolve(lookup).is_some_and(|s| fold_eq(&s.to_lowercase(), request))
                }
                _ => t.resolve(lookup).is_some_and(|s| s == request),
            },
        }
    }
}

/// Case-insensitive equality; `folded` is already lowercase.
fn fold_eq(folded: &str, request: &str) -> bool {
    if request.is_ascii() && folded.is_ascii() {
        folded.eq_ignore_ascii_case(request)
    } else {
        *folded == request.to_lowercase()
    }
}

/// Whether `request ⋄ policy` holds for a numeric or date operator, given their ordering.
fn ordering_holds(op: BaseOperator, ord: Ordering) -> bool {
    match op {
        B::NumericEquals | B::NumericNotEquals | B::DateEquals | B::DateNotEquals => ord == Ordering::Equal,
        B::NumericLessThan | B::DateLessThan => ord == Ordering::Less,
        B::NumericLessThanEquals | B::DateLessThanEquals => ord != Ordering::Greater,
        B::NumericGreaterThan | B::DateGreaterThan => ord == Ordering::Greater,
        B::NumericGreaterThanEquals | B::DateGreaterThanEquals => ord != Ordering::Less,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, Principal};

    fn eval(op: &str, key: &str, values: &[&str], ctx: Context) -> Outcome {
        let p = Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap();
        let c = Condition::new(op.parse().unwrap(), key, values.iter().map(|s| s.to_string()).collect(), true);
        c.evaluate(&Lookup { principal: &p, context: &ctx })
    }

    fn t(op: &str, key: &str, values: &[&str], ctx: Context) -> bool {
        eval(op, key, values, ctx) == Outcome::True
    }

    #[test]
    fn decimals_compare_exactly() {
        let d = |s| Decimal::parse(s).unwrap();
        assert_eq!(d("1.50"), d("01.5"));
        assert!(d("-2") < d("-1.5"));
        assert!(d("10") > d("9.999"));
        assert_eq!(d("-0"), d("0"));
        assert!(d("123456789012345678901") > d("123456789012345678900"));
        assert!(Decimal::parse("1e3").is_none());
        assert!(Decimal::parse(".").is_none());
        assert!(Decimal::parse("").is_none());
    }

    #[test]
    fn instants_from_iso_and_epoch() {
        let a = parse_instant("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(parse_instant("1767225600"), Some(a));
        assert_eq!(parse_instant("2026-01-01T01:00:00+01:00"), Some(a));
        assert_eq!(parse_instant("2026-01-01"), Some(a));
        assert_eq!(parse_instant("2026-01"), Some(a));
        assert_eq!(parse_instant("2026-01-01T00:00Z"), Some(a));
        assert_eq!(parse_instant("2026-13"), None);
        assert!(parse_instant("2026-01-01T00:00:00.5Z").unwrap() > a);
        assert_eq!(parse_instant("yesterday"), None);
    }

    #[test]
    fn absent_keys() {
        let none = Context::new;
        assert_eq!(eval("StringEquals", "k", &["v"], none()), Outcome::FalseMissingKey);
        assert!(t("StringNotEquals", "k", &["v"], none()));
        assert!(t("StringEqualsIfExists", "k", &["v"], none()));
        assert!(t("ForAllValues:StringEquals", "k", &["v"], none()));
        assert!(!t("ForAnyValue:StringEquals", "k", &["v"], none()));
        assert!(t("Null", "k", &["true"], none()));
        assert!(!t("Null", "k", &["false"], none()));
        assert!(t("Null", "k", &["false"], none().with("k", "x")));
    }

    #[test]
    fn set_qualifiers_on_null_apply_to_an_absent_key() {
        let none = Context::new;
        let present = || Context::new().with_values("aws:TagKeys", ["team", "env"]);
        // Absent (or empty): ForAllValues is true and ForAnyValue false, whatever `Null` asks.
        assert!(t("ForAllValues:Null", "aws:TagKeys", &["true"], none()));
        assert!(t("ForAllValues:Null", "aws:TagKeys", &["false"], none()));
        assert_eq!(eval("ForAnyValue:Null", "aws:TagKeys", &["true"], none()), Outcome::FalseMissingKey);
        assert_eq!(eval("ForAnyValue:Null", "aws:TagKeys", &["false"], none()), Outcome::FalseMissingKey);
        let empty = Context::new().with_values("aws:TagKeys", Vec::<String>::new());
        assert!(t("ForAllValues:Null", "aws:TagKeys", &["false"], empty.clone()));
        assert!(!t("ForAnyValue:Null", "aws:TagKeys", &["true"], empty));
        // Present: every value exists, so each qualifier agrees with plain `Null`.
        for op in ["Null", "ForAllValues:Null", "ForAnyValue:Null"] {
            assert!(t(op, "aws:TagKeys", &["false"], present()), "{op}");
            assert!(!t(op, "aws:TagKeys", &["true"], present()), "{op}");
        }
        // Plain `Null` is unchanged.
        assert!(t("Null", "aws:TagKeys", &["true"], none()));
        assert!(!t("Null", "aws:TagKeys", &["false"], none()));
    }

    #[test]
    fn negated_values_are_a_nor() {
        let ctx = || Context::new().with("k", "b");
        assert!(!t("StringNotEquals", "k", &["a", "b"], ctx()));
        assert!(t("StringNotEquals", "k", &["a", "c"], ctx()));
        assert!(t("StringEquals", "k", &["a", "b"], ctx()));
    }

    #[test]
    fn set_qualifiers() {
        let ctx = || Context::new().with_values("aws:TagKeys", ["team", "env"]);
        assert!(t("ForAllValues:StringEquals", "aws:TagKeys", &["team", "env", "cost"], ctx()));
        assert!(!t("ForAllValues:StringEquals", "aws:TagKeys", &["team"], ctx()));
        assert!(t("ForAnyValue:StringEquals", "aws:TagKeys", &["env"], ctx()));
        assert!(!t("ForAnyValue:StringEquals", "aws:TagKeys", &["cost"], ctx()));
        assert!(t("ForAnyValue:StringNotEquals", "aws:TagKeys", &["team"], ctx()));
        assert!(!t("ForAllValues:StringNotEquals", "aws:TagKeys", &["team"], ctx()));
    }

    #[test]
    fn typed_operators() {
        let ctx = |k: &str, v: &str| Context::new().with(k, v);
        assert!(t("NumericLessThan", "s3:max-keys", &["10"], ctx("s3:max-keys", "9.5")));
        assert!(!t("NumericLessThan", "s3:max-keys", &["10"], ctx("s3:max-keys", "ten")));
        assert!(t(
            "DateGreaterThan",
            "aws:CurrentTime",
            &["2020-01-01T00:00:00Z"],
            ctx("aws:CurrentTime", "2026-11-24T00:00:00Z")
        ));
        assert!(t("Bool", "aws:SecureTransport", &["true"], ctx("aws:SecureTransport", "TRUE")));
        assert!(t("BinaryEquals", "k", &["QmluYXJ5VmFsdWU="], ctx("k", "QmluYXJ5VmFsdWU=")));
        assert!(t("IpAddress", "aws:SourceIp", &["203.0.113.0/24"], ctx("aws:SourceIp", "203.0.113.5")));
        assert!(t("IpAddress", "aws:SourceIp", &["203.0.113.5"], ctx("aws:SourceIp", "203.0.113.5")));
        assert!(!t("IpAddress", "aws:SourceIp", &["203.0.113.0/24"], ctx("aws:SourceIp", "2001:db8::1")));
        assert!(t("IpAddress", "aws:SourceIp", &["2001:db8::/32"], ctx("aws:SourceIp", "2001:db8::1")));
        assert!(t("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"], ctx("aws:SourceIp", "203.0.113.5")));
        assert!(t(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:sns:*:111122223333:topic-?"],
            ctx("aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic-a")
        ));
        assert!(!t(
            "ArnEquals",
            "aws:SourceArn",
            &["arn:aws:sns:*:111122223333:*"],
            ctx("aws:SourceArn", "not-an-arn")
        ));
        assert!(t(
            "ArnNotEquals",
            "aws:SourceArn",
            &["arn:aws:sns:*:111122223333:*"],
            ctx("aws:SourceArn", "not-an-arn")
        ));
    }

    #[test]
    fn string_operators_and_variables() {
        let ctx = |v: &str| Context::new().with("k", v);
        assert!(!t("StringEquals", "k", &["a*"], ctx("abc")));
        assert!(t("StringEquals", "k", &["a*"], ctx("a*")));
        assert!(t("StringLike", "k", &["a*"], ctx("abc")));
        assert!(t("StringEqualsIgnoreCase", "k", &["ABC"], ctx("abc")));
        assert!(!t("StringEquals", "k", &["ABC"], ctx("abc")));
        assert!(t("StringEquals", "k", &["home/${aws:username}"], ctx("home/alice")));
        assert!(!t("StringEquals", "k", &["${aws:PrincipalTag/x}"], ctx("")));
        assert!(t("StringNotEquals", "k", &["${aws:PrincipalTag/x}"], ctx("anything")));
    }

    #[test]
    fn unknown_operators_suggest_a_fix() {
        let err = "StringEqual".parse::<ConditionOperator>().unwrap_err();
        assert_eq!(err.to_string(), "unknown condition operator `StringEqual`, did you mean `StringEquals`?");
        let err = "ForAnyValues:StringLike".parse::<ConditionOperator>().unwrap_err();
        assert_eq!(err.suggestion.as_deref(), Some("ForAnyValue:StringLike"));
    }
}
