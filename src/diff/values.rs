//! Context values derived from a statement's conditions: settings of the condition keys that
//! make each condition hold, and settings that make it fail.
//!
//! These are guesses to try, never verdicts: every request built from them is decided by
//! [`evaluate`](crate::policy::evaluate), so a value that does not do what its derivation meant
//! (a decimal off by rounding, a pattern with a variable) costs one wasted request and nothing
//! else. What is derived, by operator (`…IfExists` and `ForAllValues:` also hold on an absent
//! key; `ForAnyValue:` needs the key):
//!
//! | operator | holds with | fails with |
//! | --- | --- | --- |
//! | `StringEquals`, `…IgnoreCase`, `ArnEquals`, `Bool`, `BinaryEquals`, `NumericEquals`, `DateEquals` | each value | the key absent, or (`IfExists`) another value |
//! | `StringLike`, `ArnLike` | each pattern, `*` as `example`, `?` as `x` | as above |
//! | `NumericLessThan` / `…GreaterThan` (and `…Equals`) | each value minus / plus one (or the value) | the value itself (or one past it) |
//! | `DateLessThan` / `…GreaterThan` (and `…Equals`) | each date minus / plus one second (or the date) | as for numbers |
//! | `IpAddress` | the first address of each range | the key absent, or an address outside every range |
//! | every `…Not…` operator | the key absent | each value (as its positive operator derives it) |
//! | `Null` | `true`: absent; `false`: present (`example`) | the opposite |
//!
//! Not derived: values with policy variables (`${aws:username}`), keys the engine derives from
//! the principal (`aws:PrincipalArn`, `aws:username`, `aws:PrincipalTag/…`, …: the principal's
//! own values are used), and values that do not parse for their operator.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::policy::condition::{BaseOperator, Condition, SetQualifier, parse_instant};
use crate::policy::context::KeyRef;

/// The text a wildcard is replaced with when a pattern is turned into an example.
pub(crate) const SAMPLE: &str = "example";

/// At most this many values of one condition are tried.
const MAX_VALUES: usize = 4;

/// One way to set a condition key in a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Setting {
    /// The request does not carry the key.
    Absent,
    /// The request carries the key with these values.
    Values(Vec<String>),
}

impl Setting {
    fn one(value: impl Into<String>) -> Setting {
        Setting::Values(vec![value.into()])
    }
}

/// What to try for one condition: settings that should make it hold, and settings that should
/// make it fail. Empty for conditions nothing can be derived for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Derived {
    /// The key, as the policy writes it.
    pub(crate) key: String,
    /// Settings under which the condition should hold, the simplest first.
    pub(crate) holds: Vec<Setting>,
    /// Settings under which the condition should fail.
    pub(crate) fails: Vec<Setting>,
}

/// Derives settings for one condition; `None` when its key comes from the principal (a request
/// cannot set it) or the key is empty.
pub(crate) fn derive(condition: &Condition) -> Option<Derived> {
    let key = condition.key_name.to_string();
    if key.is_empty() || !matches!(KeyRef::new(&key), KeyRef::Other(_)) {
        return None;
    }
    let op = condition.operator;
    let values: Vec<&str> =
        condition.raw_values.iter().map(String::as_str).filter(|v| !v.contains("${")).take(MAX_VALUES).collect();
    let mut holds = Vec::new();
    let mut fails = Vec::new();
    if op.base == BaseOperator::Null {
        for v in &values {
            let (yes, no) = if v.eq_ignore_ascii_case("true") {
                (Setting::Absent, Setting::one(SAMPLE))
            } else if v.eq_ignore_ascii_case("false") {
                (Setting::one(SAMPLE), Setting::Absent)
            } else {
                continue;
            };
            push(&mut holds, yes);
            push(&mut fails, no);
        }
        return Some(Derived { key, holds, fails });
    }
    let absent_holds = op.if_exists || op.set == Some(SetQualifier::ForAllValues);
    let matching: Vec<String> = values.iter().filter_map(|v| matching_value(op.base, v)).collect();
    let unmatched = unmatched_value(op.base, &values);
    if op.base.is_negated() {
        // True on an absent key (unless `ForAnyValue:`, which needs one value that does not
        // match); a value the positive operator matches makes it fail.
        if op.set == Some(SetQualifier::ForAnyValue) {
            holds.extend(unmatched.map(Setting::one));
        } else {
            holds.push(Setting::Absent);
        }
        fails.extend(matching.into_iter().map(Setting::one));
    } else {
        if absent_holds {
            holds.push(Setting::Absent);
        }
        holds.extend(matching.into_iter().map(Setting::one));
        if !absent_holds && op.set != Some(SetQualifier::ForAllValues) {
            fails.push(Setting::Absent);
        }
        if let Some(other) = unmatched {
            fails.push(Setting::one(other));
        }
    }
    holds.dedup();
    fails.dedup();
    Some(Derived { key, holds, fails })
}

fn push(list: &mut Vec<Setting>, setting: Setting) {
    if !list.contains(&setting) {
        list.push(setting);
    }
}

/// A request value the operator (without its negation) matches against the policy value `v`.
fn matching_value(op: BaseOperator, v: &str) -> Option<String> {
    use BaseOperator as B;
    match op {
        B::StringEquals
        | B::StringNotEquals
        | B::StringEqualsIgnoreCase
        | B::StringNotEqualsIgnoreCase
        | B::ArnEquals
        | B::ArnNotEquals
        | B::Bool
        | B::BinaryEquals
        | B::NumericEquals
        | B::NumericNotEquals
        | B::NumericLessThanEquals
        | B::NumericGreaterThanEquals
        | B::DateEquals
        | B::DateNotEquals
        | B::DateLessThanEquals
        | B::DateGreaterThanEquals => Some(v.to_owned()),
        B::StringLike | B::StringNotLike | B::ArnLike | B::ArnNotLike => Some(fill_wildcards(v)),
        B::NumericLessThan => step_number(v, -1),
        B::NumericGreaterThan => step_number(v, 1),
        B::DateLessThan => step_date(v, -1),
        B::DateGreaterThan => step_date(v, 1),
        B::IpAddress | B::NotIpAddress => first_address(v),
        B::Null => None,
    }
}

/// A request value the operator matches against none of the policy values, when one is easy to
/// find.
fn unmatched_value(op: BaseOperator, values: &[&str]) -> Option<String> {
    use BaseOperator as B;
    let first = values.first()?;
    let candidate = match op {
        B::Bool => {
            let all_true = values.iter().all(|v| v.eq_ignore_ascii_case("true"));
            let all_false = values.iter().all(|v| v.eq_ignore_ascii_case("false"));
            match (all_true, all_false) {
                (true, _) => "false".to_owned(),
                (_, true) => "true".to_owned(),
                _ => return None,
            }
        }
        B::NumericLessThan | B::NumericLessThanEquals => step_number(first, 1)?,
        B::NumericGreaterThan | B::NumericGreaterThanEquals => step_number(first, -1)?,
        B::NumericEquals | B::NumericNotEquals => step_number(first, 1)?,
        B::DateLessThan | B::DateLessThanEquals => step_date(first, 1)?,
        B::DateGreaterThan | B::DateGreaterThanEquals => step_date(first, -1)?,
        B::DateEquals | B::DateNotEquals => step_date(first, 1)?,
        B::IpAddress | B::NotIpAddress => {
            let nets: Vec<IpNet> = values.iter().filter_map(|v| parse_net(v)).collect();
            // Documentation addresses (RFC 5737, RFC 3849), unlikely to be in a policy.
            ["192.0.2.1", "198.51.100.1", "2001:db8::1"]
                .into_iter()
                .find(|a| a.parse::<IpAddr>().is_ok_and(|ip| !nets.iter().any(|n| n.contains(&ip))))?
                .to_owned()
        }
        B::ArnEquals | B::ArnNotEquals | B::ArnLike | B::ArnNotLike => "arn:aws:iam::000000000000:root".to_owned(),
        B::BinaryEquals => "AA==".to_owned(),
        _ => "iamsim-unmatched".to_owned(),
    };
    Some(candidate)
}

/// A `*`/`?` pattern as one text it matches.
pub(crate) fn fill_wildcards(pattern: &str) -> String {
    pattern.replace('*', SAMPLE).replace('?', "x")
}

/// `v` plus `by` (±1), as decimal text.
fn step_number(v: &str, by: i8) -> Option<String> {
    let v = v.trim();
    if let Ok(n) = v.parse::<i128>() {
        return n.checked_add(i128::from(by)).map(|n| n.to_string());
    }
    let f: f64 = v.parse().ok().filter(|f: &f64| f.is_finite())?;
    let stepped = f + f64::from(by);
    stepped.is_finite().then(|| stepped.to_string())
}

/// The date `v` moved by `by` seconds, in ISO 8601.
fn step_date(v: &str, by: i8) -> Option<String> {
    let nanos = parse_instant(v)?.checked_add(i128::from(by) * 1_000_000_000)?;
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
    crate::dates::rfc3339(at)
}

fn parse_net(v: &str) -> Option<IpNet> {
    let v = v.trim();
    v.parse::<IpNet>().ok().or_else(|| v.parse::<IpAddr>().ok().map(IpNet::from))
}

/// The first address of a range (a bare address is its own range).
fn first_address(v: &str) -> Option<String> {
    parse_net(v).map(|n| n.network().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn derived(op: &str, key: &str, values: &[&str]) -> Derived {
        let c = Condition::new(op.parse().unwrap(), key, values.iter().map(|v| (*v).to_owned()).collect(), true);
        derive(&c).unwrap()
    }

    fn one(v: &str) -> Setting {
        Setting::one(v)
    }

    #[test]
    fn equality_holds_with_each_value_and_fails_without_the_key() {
        let d = derived("StringEquals", "aws:RequestedRegion", &["us-east-1", "eu-west-1"]);
        assert_eq!(d.holds, [one("us-east-1"), one("eu-west-1")]);
        assert_eq!(d.fails, [Setting::Absent, one("iamsim-unmatched")]);
        let d = derived("StringEqualsIfExists", "aws:RequestedRegion", &["us-east-1"]);
        assert_eq!(d.holds, [Setting::Absent, one("us-east-1")]);
        assert_eq!(d.fails, [one("iamsim-unmatched")]);
    }

    #[test]
    fn patterns_and_ranges_become_values_inside_them() {
        assert_eq!(derived("StringLike", "s3:prefix", &["home/*/x?"]).holds, [one("home/example/xx")]);
        assert_eq!(derived("IpAddress", "aws:SourceIp", &["203.0.113.0/24"]).holds, [one("203.0.113.0")]);
        assert_eq!(derived("IpAddress", "aws:SourceIp", &["192.0.2.0/24"]).fails[1], one("198.51.100.1"));
        assert_eq!(derived("NumericLessThan", "s3:max-keys", &["10"]).holds, [one("9")]);
        assert_eq!(derived("NumericLessThan", "s3:max-keys", &["10"]).fails, [Setting::Absent, one("11")]);
        assert_eq!(derived("NumericGreaterThan", "n", &["1.5"]).holds, [one("2.5")]);
        assert_eq!(
            derived("DateLessThan", "aws:CurrentTime", &["2030-01-01T00:00:00Z"]).holds,
            [one("2029-12-31T23:59:59Z")]
        );
        assert_eq!(derived("Bool", "aws:MultiFactorAuthPresent", &["true"]).fails, [Setting::Absent, one("false")]);
    }

    #[test]
    fn negated_operators_hold_without_the_key_and_fail_on_each_value() {
        let d = derived("StringNotEquals", "aws:SourceVpc", &["vpc-1", "vpc-2"]);
        assert_eq!(d.holds, [Setting::Absent]);
        assert_eq!(d.fails, [one("vpc-1"), one("vpc-2")]);
        let d = derived("ForAnyValue:StringNotLike", "aws:TagKeys", &["team*"]);
        assert_eq!(d.holds, [one("iamsim-unmatched")]);
        let d = derived("Null", "aws:TokenIssueTime", &["true"]);
        assert_eq!((d.holds, d.fails), (vec![Setting::Absent], vec![one("example")]));
    }

    #[test]
    fn principal_keys_and_variables_are_not_derived() {
        let c = Condition::new("StringEquals".parse().unwrap(), "aws:PrincipalTag/team", vec!["a".into()], true);
        assert_eq!(derive(&c), None);
        let d = derived("StringLike", "s3:prefix", &["${aws:username}/*"]);
        assert!(d.holds.is_empty());
        assert_eq!(d.fails, [Setting::Absent]);
    }
}
