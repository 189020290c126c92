//! Which actions of an expanded wildcard can act on a statement's resource: `s3:*` on
//! `arn:aws:s3:::photos/*` names the object actions (`s3:GetObject`, `s3:PutObject`, …), not
//! `s3:CreateBucket`, whose bucket ARN that pattern can never match.
//!
//! The catalog's resource types give each action's ARN formats
//! (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`). An action is relevant to a pattern when
//! some ARN could match both the pattern and one of those formats. In a format, a placeholder
//! stands for one ARN segment part — text without `/` or `:` — except `${ObjectName}` and
//! placeholders whose name ends in `Path` (`${RoleNameWithPath}`), which may hold `/` and `:`. In
//! a pattern, `*` and `${…}` variables stand for any text and `?` for one character, so the
//! answer errs towards "relevant".
//!
//! Actions of services the catalog has no resource types for are always relevant; actions the
//! catalog lists with no resource type at all act on `*` only, so they are relevant to a pattern
//! that matches `*`.

use std::collections::HashMap;

use crate::catalog::{ActionInfo, Catalog};
use crate::wildcard::Glob;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    /// One byte, as written.
    Lit(u8),
    /// Exactly one byte.
    One,
    /// Any text.
    Any,
    /// Any text without `/` or `:`.
    Part,
}

impl Tok {
    fn is_star(self) -> bool {
        matches!(self, Tok::Any | Tok::Part)
    }

    /// Whether a star token can produce what a non-star token stands for.
    fn absorbs(self, other: Tok) -> bool {
        match (self, other) {
            (Tok::Part, Tok::Lit(b)) => b != b'/' && b != b':',
            _ => true,
        }
    }
}

fn pattern_tokens(pattern: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${")
            && let Some(end) = after.find('}')
        {
            out.push(Tok::Any);
            rest = after.get(end + 1..).unwrap_or_default();
            continue;
        }
        match c {
            '*' => out.push(Tok::Any),
            '?' => out.push(Tok::One),
            _ => out.extend(c.to_string().bytes().map(Tok::Lit)),
        }
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    out
}

fn format_tokens(format: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(format.len());
    let mut rest = format;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${")
            && let Some(end) = after.find('}')
        {
            let name = after.get(..end).unwrap_or_default();
            out.push(if name == "ObjectName" || name.ends_with("Path") { Tok::Any } else { Tok::Part });
            rest = after.get(end + 1..).unwrap_or_default();
            continue;
        }
        let next = rest.find("${").unwrap_or(rest.len()).max(1);
        out.extend(rest.get(..next).unwrap_or_default().bytes().map(Tok::Lit));
        rest = rest.get(next..).unwrap_or_default();
    }
    out
}

/// Whether some text matches both token lists.
fn intersects(a: &[Tok], b: &[Tok]) -> bool {
    let (n, m) = (a.len(), b.len());
    let width = m + 1;
    let mut seen = vec![false; (n + 1) * width];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        let Some(cell) = seen.get_mut(i * width + j) else { continue };
        if *cell {
            continue;
        }
        *cell = true;
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        if x.is_none() && y.is_none() {
            return true;
        }
        if let Some(x) = x
            && x.is_star()
        {
            stack.push((i + 1, j));
            if let Some(y) = y
                && !y.is_star()
                && x.absorbs(y)
            {
                stack.push((i, j + 1));
            }
        }
        if let Some(y) = y
            && y.is_star()
        {
            stack.push((i, j + 1));
            if let Some(x) = x
                && !x.is_star()
                && y.absorbs(x)
            {
                stack.push((i + 1, j));
            }
        }
        if let (Some(x), Some(y)) = (x, y)
            && !x.is_star()
            && !y.is_star()
            && match (x, y) {
                (Tok::Lit(p), Tok::Lit(q)) => p == q,
                _ => true,
            }
        {
            stack.push((i + 1, j + 1));
        }
    }
    false
}

/// Answers "is this action relevant to this resource pattern?", remembering the answer per
/// resource type (many actions share one).
pub(crate) struct Relevance {
    pattern: Vec<Tok>,
    matches_star: bool,
    by_type: HashMap<(&'static str, &'static str), bool>,
}

impl Relevance {
    /// For one `Resource` pattern; `None` for a `NotResource` clause, to which every action
    /// is relevant.
    pub(crate) fn new(pattern: Option<&str>) -> Relevance {
        let matches_star = pattern.is_none_or(|p| Glob::resource(p).matches("*"));
        Relevance { pattern: pattern.map(pattern_tokens).unwrap_or_default(), matches_star, by_type: HashMap::new() }
    }

    pub(crate) fn relevant(&mut self, action: &'static ActionInfo) -> bool {
        if self.matches_star {
            return true;
        }
        let Some(types) = action.resource_types() else { return true };
        let Some(service) = Catalog::global().service(action.service()) else { return true };
        for t in types {
            let key = (service.prefix(), t.name());
            let answer = match self.by_type.get(&key) {
                Some(a) => *a,
                None => {
                    let a = match service.resource_type(t.name()) {
                        Some(rt) => rt.arn_formats().any(|f| intersects(&self.pattern, &format_tokens(f))),
                        None => true,
                    };
                    self.by_type.insert(key, a);
                    a
                }
            };
            if answer {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relevant(action: &str, pattern: &str) -> bool {
        let info = Catalog::global().action(action).expect("a catalog action");
        Relevance::new(Some(pattern)).relevant(info)
    }

    #[test]
    fn object_patterns_keep_object_actions_only() {
        assert!(relevant("s3:GetObject", "arn:aws:s3:::photos/*"));
        assert!(relevant("s3:PutObject", "arn:aws:s3:::photos/2024/a.jpg"));
        assert!(!relevant("s3:ListBucket", "arn:aws:s3:::photos/*"));
        assert!(!relevant("s3:CreateBucket", "arn:aws:s3:::photos/*"));
        assert!(relevant("s3:ListBucket", "arn:aws:s3:::photos"));
        assert!(!relevant("s3:GetObject", "arn:aws:s3:::photos"));
    }

    #[test]
    fn star_and_wildcard_services_keep_everything() {
        assert!(relevant("s3:ListAllMyBuckets", "*"));
        assert!(!relevant("s3:ListAllMyBuckets", "arn:aws:s3:::*"));
        assert!(relevant("s3:GetObject", "arn:aws:s3:::*"));
        assert!(relevant("s3:ListBucket", "arn:aws:s3:::*"));
        assert!(relevant("sts:AssumeRole", "arn:aws:iam::111111111111:role/app/*"));
        assert!(!relevant("sts:AssumeRole", "arn:aws:s3:::photos/*"));
        assert!(Relevance::new(None).relevant(Catalog::global().action("s3:CreateBucket").expect("known")));
    }

    #[test]
    fn intersection_of_globs() {
        let p = pattern_tokens;
        assert!(intersects(&p("a*c"), &p("ab*")));
        assert!(!intersects(&p("a*c"), &p("b*")));
        assert!(intersects(&p("a?c"), &p("*bc")));
        assert!(!intersects(&format_tokens("x/${Name}"), &p("x/a/b")));
        assert!(intersects(&format_tokens("x/${ObjectName}"), &p("x/a/b")));
        assert!(intersects(&p("arn:${aws:username}"), &p("arn:alice")));
    }
}
