//! `*` and `?` wildcard matching, as IAM uses it in `Action`, `Resource`, `StringLike` and the
//! `Arn*` condition operators.
//!
//! `*` matches any run of characters, including none and including `/` and `:`; `?` matches
//! exactly one character; the pattern must match the whole text
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>).
//! Case folding is the caller's choice: actions are compared lowercased on both sides, resources
//! and condition values as they are.
//!
//! Resource patterns are matched per ARN field: "You can use wildcard characters (* and ?)
//! within the individual segments of an ARN (the parts separated by colons) […] If the *
//! wildcard is the last character of a resource ARN segment, it can expand to match beyond the
//! colon boundaries" (IAM JSON policy elements: Resource). So in [`Glob::resource`], within the
//! five fields before the resource part, a `*` followed by more of its field, and every `?`,
//! stop at `:`; a `*` that ends its field does not. The resource part keeps its own colons
//! (`log-group:NAME:log-stream:NAME`), and there `*` and `?` match any character.
//!
//! Patterns are compiled once into the cheapest form that can decide them (everything, an exact
//! text, a prefix, or a token list), so matching does no parsing and no allocation.
//!
//! This module is the bottom layer of the crate: it imports nothing of iamsim, so that `arn`,
//! `catalog` and `policy` can all match with it without an upward import.

/// One element of a compiled pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// A literal byte (a UTF-8 character is several literal bytes).
    Byte(u8),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters.
    Star,
    /// `*` inside a resource ARN segment: any run of characters but `:`.
    SegmentStar,
    /// `?` in a resource ARN: one character other than `:`.
    SegmentOne,
}

/// A compiled wildcard pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Glob {
    form: Form,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Form {
    /// `*` alone.
    Everything,
    /// No wildcard: the text must be equal.
    Exact(Box<[u8]>),
    /// A literal followed by one trailing `*`.
    Prefix(Box<[u8]>),
    /// Anything else whose wildcards cross colons.
    Tokens(Box<[Token]>),
    /// A resource pattern with wildcards bound to their segment.
    Segmented(Box<[Token]>),
}

/// Builds a pattern from pieces, some of which are wildcard patterns and some literal text
/// (the values that policy variables substitute are literal).
#[derive(Default, Debug)]
pub(crate) struct GlobBuilder {
    tokens: Vec<Token>,
}

impl GlobBuilder {
    /// Appends pattern text: `*` and `?` are wildcards.
    pub(crate) fn pattern(&mut self, text: &str) -> &mut Self {
        for b in text.bytes() {
            self.tokens.push(match b {
                b'*' => Token::Star,
                b'?' => Token::One,
                other => Token::Byte(other),
            });
        }
        self
    }

    /// Appends literal text: every character stands for itself.
    pub(crate) fn literal(&mut self, text: &str) -> &mut Self {
        self.tokens.extend(text.bytes().map(Token::Byte));
        self
    }

    /// Finishes the pattern.
    pub(crate) fn build(&mut self) -> Glob {
        Glob::from_tokens(std::mem::take(&mut self.tokens))
    }

    /// Finishes a `Resource` pattern. Within the five fields before the resource part, a `*`
    /// followed by more of its field, and every `?`, stop at `:`; a `*` that ends its field may
    /// run on. In the resource part (after the fifth colon, where `log-group:NAME:…` keeps its own
    /// colons) wildcards match any characters, as the vector format states ("`*` matches any run
    /// of characters").
    pub(crate) fn build_resource(&mut self) -> Glob {
        let mut tokens = std::mem::take(&mut self.tokens);
        // A run of `*` is one `*`: classify it by what follows the run.
        tokens.dedup_by(|a, b| *a == Token::Star && *b == Token::Star);
        let mut colons = 0;
        for i in 0..tokens.len() {
            let next = tokens.get(i + 1).copied();
            if let Some(t) = tokens.get_mut(i) {
                let in_fields = colons < 5;
                *t = match (*t, next) {
                    (Token::Byte(b':'), _) => {
                        colons += 1;
                        Token::Byte(b':')
                    }
                    (Token::Star, None | Some(Token::Byte(b':'))) => Token::Star,
                    (Token::Star, Some(_)) if in_fields => Token::SegmentStar,
                    (Token::One, _) if in_fields => Token::SegmentOne,
                    (other, _) => other,
                };
            }
        }
        Glob::from_tokens(tokens)
    }
}

impl Glob {
    /// Compiles a pattern in which `*` and `?` are wildcards.
    pub(crate) fn new(pattern: &str) -> Glob {
        GlobBuilder::default().pattern(pattern).build()
    }

    /// Compiles a `Resource` pattern, whose wildcards keep to their ARN segment unless a `*`
    /// ends the segment.
    pub(crate) fn resource(pattern: &str) -> Glob {
        GlobBuilder::default().pattern(pattern).build_resource()
    }

    fn from_tokens(mut tokens: Vec<Token>) -> Glob {
        // Runs of `*` mean the same as one `*`.
        tokens.dedup_by(|a, b| *a == Token::Star && *b == Token::Star);
        let stars = tokens.iter().filter(|t| **t == Token::Star).count();
        let ones = tokens.contains(&Token::One);
        let literal = |toks: &[Token]| -> Box<[u8]> {
            toks.iter()
                .filter_map(|t| match t {
                    Token::Byte(b) => Some(*b),
                    _ => None,
                })
                .collect()
        };
        let segmented = tokens.iter().any(|t| matches!(t, Token::SegmentStar | Token::SegmentOne));
        let form = if segmented {
            Form::Segmented(tokens.into_boxed_slice())
        } else if tokens == [Token::Star] {
            Form::Everything
        } else if stars == 0 && !ones {
            Form::Exact(literal(&tokens))
        } else if stars == 1 && !ones && tokens.last() == Some(&Token::Star) {
            Form::Prefix(literal(&tokens))
        } else {
            Form::Tokens(tokens.into_boxed_slice())
        };
        Glob { form }
    }

    /// Whether the pattern contains no wildcard at all.
    pub(crate) fn is_literal(&self) -> bool {
        matches!(self.form, Form::Exact(_))
    }

    /// Whether the pattern matches the whole text.
    pub(crate) fn matches(&self, text: &str) -> bool {
        match &self.form {
            Form::Everything => true,
            Form::Exact(lit) => text.as_bytes() == &**lit,
            Form::Prefix(lit) => text.as_bytes().starts_with(lit),
            Form::Tokens(tokens) => match_tokens(tokens, text.as_bytes()),
            Form::Segmented(tokens) => match_states(tokens, text),
        }
    }
}

/// The length in bytes of the UTF-8 character that starts with `lead`.
fn char_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Greedy matching with backtracking to the most recent `*`: linear in practice, and never
/// worse than `pattern × text`. `*` and `?` step over whole UTF-8 characters, so literal bytes
/// are always compared from a character boundary.
fn match_tokens(pattern: &[Token], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut resume: Option<(usize, usize)> = None;
    loop {
        if let Some(&lead) = text.get(t) {
            match pattern.get(p) {
                Some(Token::Star | Token::SegmentStar) => {
                    resume = Some((p, t));
                    p += 1;
                    continue;
                }
                Some(Token::One | Token::SegmentOne) => {
                    p += 1;
                    t += char_len(lead);
                    continue;
                }
                Some(Token::Byte(b)) if *b == lead => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
            // Mismatch: let the last `*` swallow one more character and try again.
            match resume {
                Some((star, from)) => {
                    let next = from + text.get(from).map_or(1, |b| char_len(*b));
                    resume = Some((star, next));
                    p = star + 1;
                    t = next;
                }
                None => return false,
            }
        } else {
            // Text consumed: only trailing stars may remain. A `?` that overran the text (on
            // malformed UTF-8 it cannot, for `&str`) leaves t past the end, which also ends here.
            return t == text.len() && pattern.get(p..).is_some_and(|rest| rest.iter().all(|tok| *tok == Token::Star));
        }
    }
}

/// Matching by the set of pattern positions reachable after each character (an NFA), for
/// patterns whose wildcards differ in what they may cross; `pattern × text` time.
fn match_states(pattern: &[Token], text: &str) -> bool {
    let n = pattern.len();
    let mut current = vec![false; n + 1];
    let mut next = vec![false; n + 1];
    let close = |set: &mut [bool]| {
        for i in 0..n {
            if set.get(i) == Some(&true)
                && matches!(pattern.get(i), Some(Token::Star | Token::SegmentStar))
                && let Some(after) = set.get_mut(i + 1)
            {
                *after = true;
            }
        }
    };
    if let Some(start) = current.first_mut() {
        *start = true;
    }
    close(&mut current);
    for (at, c) in text.char_indices() {
        let bytes = text.as_bytes().get(at..at + c.len_utf8()).unwrap_or_default();
        next.iter_mut().for_each(|s| *s = false);
        for state in 0..n {
            if current.get(state) != Some(&true) {
                continue;
            }
            let target = match pattern.get(state) {
                Some(Token::Star) => Some(state),
                Some(Token::SegmentStar) => (c != ':').then_some(state),
                Some(Token::One) => Some(state + 1),
                Some(Token::SegmentOne) => (c != ':').then_some(state + 1),
                Some(Token::Byte(_)) => {
                    let run = pattern.get(state..state + bytes.len()).unwrap_or_default();
                    let same = run.len() == bytes.len() && run.iter().zip(bytes).all(|(t, b)| *t == Token::Byte(*b));
                    same.then_some(state + bytes.len())
                }
                None => None,
            };
            if let Some(slot) = target.and_then(|t| next.get_mut(t)) {
                *slot = true;
            }
        }
        close(&mut next);
        std::mem::swap(&mut current, &mut next);
        if !current.contains(&true) {
            return false;
        }
    }
    current.get(n) == Some(&true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        Glob::new(p).matches(t)
    }

    #[test]
    fn star_and_question_mark() {
        assert!(m("*", ""));
        assert!(m("*", "anything/at:all"));
        assert!(m("s3:Get*", "s3:GetObject"));
        assert!(m("s3:Get*", "s3:Get"));
        assert!(!m("s3:Get*", "s3:PutObject"));
        assert!(m("s3:?etObject", "s3:GetObject"));
        assert!(!m("s3:?etObject", "s3:etObject"));
        assert!(m("a*b*c", "abc"));
        assert!(m("a*b*c", "aXbYbZc"));
        assert!(!m("a*b*c", "aXbYbZ"));
        assert!(m("*.jpg", "photos/a.jpg"));
        assert!(!m("*.jpg", "photos/a.jpeg"));
        assert!(m("a**b", "ab"));
    }

    #[test]
    fn whole_text_only() {
        assert!(!m("s3:*", "s3-object-lambda:GetObject"));
        assert!(!m("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket"));
        assert!(!m("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/a"));
    }

    #[test]
    fn question_mark_is_one_character_not_one_byte() {
        assert!(m("caf?", "café"));
        assert!(m("?", "é"));
        assert!(!m("??", "é"));
        assert!(m("*é", "xxé"));
    }

    #[test]
    fn resource_wildcards_keep_to_their_segment() {
        let r = |p: &str, t: &str| Glob::resource(p).matches(t);
        // A `*` that ends a segment crosses colons.
        assert!(r("arn:aws:s3:::*", "arn:aws:s3:::bucket/a:b"));
        assert!(r("arn:aws:iam::*", "arn:aws:iam::111122223333:role/x"));
        assert!(r("arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:111:log-group:g:log-stream:s"));
        // One inside one of the five fields does not.
        assert!(!r("arn:aws:sns:*-1:111:t", "arn:aws:sns:us-east-1:999:x:us-east-1:111:t"));
        assert!(r("arn:aws:sns:*-1:111:t", "arn:aws:sns:us-east-1:111:t"));
        assert!(!r("arn:aws:sns:us-?ast-1:111:t", "arn:aws:sns:us-:ast-1:111:t"));
        // In the resource part, wildcards match colons too.
        assert!(r("arn:aws:s3:::b/*.jpg", "arn:aws:s3:::b/a:x.jpg"));
        assert!(r("arn:aws:s3:::b/*.jpg", "arn:aws:s3:::b/x/y.jpg"));
        assert!(r("arn:aws:s3:::b/?", "arn:aws:s3:::b/:"));
        // The documented examples for `amzn-s3-demo-bucket/*/test/*`.
        let p = "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*";
        for yes in [
            "1/test/object.jpg",
            "1/2/test/object.jpg",
            "1/2/test/3/object.jpg",
            "1///test///object.jpg",
            "1/test/.jpg",
            "/test/object.jpg",
            "1/test/",
        ] {
            assert!(r(p, &format!("arn:aws:s3:::amzn-s3-demo-bucket/{yes}")), "{yes}");
        }
        for no in ["1-test/object.jpg", "test/object.jpg", "1/2/test.jpg"] {
            assert!(!r(p, &format!("arn:aws:s3:::amzn-s3-demo-bucket/{no}")), "{no}");
        }
        assert!(r("arn:aws:s3:::café/?", "arn:aws:s3:::café/é"));
    }

    #[test]
    fn builder_keeps_substituted_text_literal() {
        let glob = GlobBuilder::default().pattern("home/").literal("a*b").pattern("/*").build();
        assert!(glob.matches("home/a*b/x"));
        assert!(!glob.matches("home/aXb/x"));
        assert!(!Glob::new("a?b").is_literal());
        assert!(Glob::new("a.b").is_literal());
    }
}
