//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, and the
//! special characters `${*}`, `${?}`, `${$}`.
//!
//! Rules (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>):
//! - variables are recognised only in policies with `"Version": "2012-10-17"`; under
//!   `2008-10-17` or without a version, `${…}` is literal text;
//! - they may appear in the resource part of a `Resource`/`NotResource` ARN (after the fifth
//!   colon) and in the values of string and ARN condition operators;
//! - the key name is case-insensitive; `${key, 'default'}` gives a value when the key is
//!   absent;
//! - `${*}`, `${?}` and `${$}` insert a literal `*`, `?` and `$`, never wildcards;
//! - substituted text is literal: a value containing `*` matches only `*`;
//! - a variable whose key has no value (and no default) has no value, and then the entry that
//!   contains it matches nothing ("Policy variables with no value").

use super::context::{KeyRef, Lookup};
use crate::wildcard::{Glob, GlobBuilder};

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    /// Text as written: a wildcard pattern where the caller matches patterns.
    Text(Box<str>),
    /// A variable and its default.
    Var { key: KeyRef, default: Option<Box<str>> },
    /// `${*}`, `${?}` or `${$}`: a literal character.
    Char(char),
}

/// Text that may contain policy variables, compiled once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text`, recognising variables only when `variables` is true.
    pub(crate) fn parse(text: &str, variables: bool) -> Template {
        if !variables || !text.contains("${") {
            return Template { parts: vec![Part::Text(text.into())] };
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let (before, from) = rest.split_at(start);
            literal.push_str(before);
            let inner_and_rest = from.get(2..).unwrap_or_default();
            match inner_and_rest.find('}').and_then(|end| {
                let inner = inner_and_rest.get(..end)?;
                Some((parse_variable(inner)?, inner_and_rest.get(end + 1..).unwrap_or_default()))
            }) {
                Some((part, after)) => {
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal).into()));
                    }
                    parts.push(part);
                    rest = after;
                }
                None => {
                    // Not a variable: keep `${` as text and go on after it.
                    literal.push_str("${");
                    rest = inner_and_rest;
                }
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() || parts.is_empty() {
            parts.push(Part::Text(literal.into()));
        }
        Template { parts }
    }

    /// Parses an ARN-shaped `Resource` entry: variables only after the fifth colon.
    pub(crate) fn parse_resource(text: &str, variables: bool) -> Template {
        let split = text.match_indices(':').nth(4).map(|(i, _)| i + 1);
        match (variables, split) {
            (true, Some(at)) if text.get(at..).is_some_and(|r| r.contains("${")) => {
                let (head, tail) = text.split_at(at);
                let mut template = Template::parse(tail, true);
                match template.parts.first_mut() {
                    Some(Part::Text(t)) => *t = format!("{head}{t}").into(),
                    _ => template.parts.insert(0, Part::Text(head.into())),
                }
                template
            }
            _ => Template::parse(text, false),
        }
    }

    /// The text, when the template has no variable.
    pub(crate) fn as_static(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Text(t)] => Some(t),
            _ => None,
        }
    }

    /// The value with every variable substituted and every character literal; `None` when a
    /// variable has no value.
    pub(crate) fn resolve(&self, lookup: &Lookup<'_>) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Char(c) => out.push(*c),
                Part::Var { key, default } => out.push_str(var_value(key, default.as_deref(), lookup)?),
            }
        }
        Some(out)
    }

    /// A wildcard pattern: the written text keeps its wildcards, substituted values and special
    /// characters are literal. `None` when a variable has no value.
    pub(crate) fn resolve_glob(&self, lookup: &Lookup<'_>) -> Option<Glob> {
        Some(self.builder(lookup)?.build())
    }

    /// Like [`Template::resolve_glob`], for a `Resource` pattern (wildcards keep to their ARN
    /// segment).
    pub(crate) fn resolve_resource_glob(&self, lookup: &Lookup<'_>) -> Option<Glob> {
        Some(self.builder(lookup)?.build_resource())
    }

    fn builder(&self, lookup: &Lookup<'_>) -> Option<GlobBuilder> {
        let mut builder = GlobBuilder::default();
        for part in &self.parts {
            match part {
                Part::Text(t) => builder.pattern(t),
                Part::Char(c) => builder.literal(c.encode_utf8(&mut [0; 4])),
                Part::Var { key, default } => builder.literal(var_value(key, default.as_deref(), lookup)?),
            };
        }
        Some(builder)
    }
}

impl Template {
    /// Splits the resolved template into at most `n` colon-separated components, each a
    /// pattern in which substituted text stays literal (for the `Arn*` operators). Colons in
    /// substituted text separate components too: `${aws:PrincipalArn}` is a whole ARN.
    pub(crate) fn resolve_components(&self, lookup: &Lookup<'_>, n: usize) -> Option<Vec<Glob>> {
        let mut out = Vec::with_capacity(n);
        let mut current = GlobBuilder::default();
        let push = |text: &str, literal: bool, out: &mut Vec<Glob>, current: &mut GlobBuilder| {
            for c in text.chars() {
                if c == ':' && out.len() + 1 < n {
                    out.push(current.build());
                } else if literal {
                    current.literal(c.encode_utf8(&mut [0; 4]));
                } else {
                    current.pattern(c.encode_utf8(&mut [0; 4]));
                }
            }
        };
        for part in &self.parts {
            match part {
                Part::Text(t) => push(t, false, &mut out, &mut current),
                Part::Char(c) => push(c.encode_utf8(&mut [0; 4]), true, &mut out, &mut current),
                Part::Var { key, default } => {
                    push(var_value(key, default.as_deref(), lookup)?, true, &mut out, &mut current)
                }
            }
        }
        out.push(current.build());
        Some(out)
    }
}

fn var_value<'a>(key: &KeyRef, default: Option<&'a str>, lookup: &Lookup<'a>) -> Option<&'a str> {
    lookup.get(key).and_then(|v| v.single()).or(default)
}

/// Parses the inside of `${…}`; `None` when it is not a variable (then it stays literal).
fn parse_variable(inner: &str) -> Option<Part> {
    match inner.trim() {
        "*" => return Some(Part::Char('*')),
        "?" => return Some(Part::Char('?')),
        "$" => return Some(Part::Char('$')),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let quoted = default.strip_prefix('\'').and_then(|d| d.strip_suffix('\''))?;
            (key.trim(), Some(quoted))
        }
        None => (inner.trim(), None),
    };
    let valid = !key.is_empty() && key.chars().all(|c| !c.is_whitespace() && !matches!(c, '$' | '{' | '}' | '\''));
    valid.then(|| Part::Var { key: KeyRef::new(key), default: default.map(Into::into) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, Principal};

    fn with<T>(f: impl FnOnce(&Lookup<'_>) -> T) -> T {
        let p = Principal::parse("arn:aws:iam::111122223333:user/alice")
            .unwrap()
            .with_tags(crate::Tags::from_iter([("team", "a*b")]));
        let ctx = Context::new().with("s3:prefix", "home/").with_values("multi", ["x", "y"]);
        f(&Lookup { principal: &p, context: &ctx })
    }

    #[test]
    fn substitutes_keys_case_insensitively() {
        let t = Template::parse("home/${AWS:USERNAME}/", true);
        assert_eq!(with(|l| t.resolve(l)), Some("home/alice/".into()));
        assert_eq!(t.as_static(), None);
    }

    #[test]
    fn version_2008_keeps_variables_literal() {
        let t = Template::parse("home/${aws:username}/", false);
        assert_eq!(t.as_static(), Some("home/${aws:username}/"));
    }

    #[test]
    fn defaults_and_missing_values() {
        let t = Template::parse("${aws:PrincipalTag/none, 'shared'}", true);
        assert_eq!(with(|l| t.resolve(l)), Some("shared".into()));
        let t = Template::parse("${aws:PrincipalTag/none}", true);
        assert_eq!(with(|l| t.resolve(l)), None);
        // A multivalued key has no single value.
        let t = Template::parse("${multi}", true);
        assert_eq!(with(|l| t.resolve(l)), None);
    }

    #[test]
    fn special_characters_and_substituted_text_are_literal() {
        let t = Template::parse("a${*}b", true);
        let glob = with(|l| t.resolve_glob(l)).unwrap();
        assert!(glob.matches("a*b"));
        assert!(!glob.matches("aXb"));
        let t = Template::parse("team/${aws:PrincipalTag/team}/*", true);
        let glob = with(|l| t.resolve_glob(l)).unwrap();
        assert!(glob.matches("team/a*b/x"));
        assert!(!glob.matches("team/aXb/x"));
    }

    #[test]
    fn malformed_variables_stay_text() {
        assert_eq!(Template::parse("a${b", true).as_static(), Some("a${b"));
        assert_eq!(Template::parse("${}", true).as_static(), Some("${}"));
        assert_eq!(Template::parse("${a, b}", true).as_static(), Some("${a, b}"));
        let t = Template::parse("${x${aws:username}", true);
        assert_eq!(with(|l| t.resolve(l)), Some("${xalice".into()));
    }

    #[test]
    fn resource_variables_only_after_the_fifth_colon() {
        let t = Template::parse_resource("arn:aws:s3:::photos/${aws:username}/*", true);
        assert_eq!(with(|l| t.resolve(l)), Some("arn:aws:s3:::photos/alice/*".into()));
        let t = Template::parse_resource("arn:aws:iam::${aws:username}:user/x", true);
        assert!(t.as_static().is_some());
    }
}
