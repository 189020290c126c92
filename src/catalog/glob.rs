//! A small IAM-style wildcard matcher for [`super::Catalog::expand`].
//!
//! Private on purpose: the policy engine has its own matcher; the two are to
//! be unified later.

/// Whether `pattern` (with `*` = any run of characters, `?` = any one
/// character) matches the whole of `text`, ignoring ASCII case.
///
/// Works on bytes: action names are ASCII, so `?` standing for one byte is
/// the same as one character there.
pub(super) fn matches(pattern: &str, text: &str) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let (mut p, mut t) = (0_usize, 0_usize);
    // Position of the last `*` seen in the pattern, and the text position it
    // currently stands in for.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match (pattern.get(p), text.get(t)) {
            (Some(b'*'), _) => {
                star = Some((p, t));
                p += 1;
            }
            (Some(&pc), Some(&tc)) if pc == b'?' || pc.eq_ignore_ascii_case(&tc) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry.
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    while pattern.get(p) == Some(&b'*') {
        p += 1;
    }
    p == pattern.len()
}

/// Whether `pattern` contains a wildcard.
pub(super) fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn literal_and_case() {
        assert!(matches("s3:GetObject", "s3:getobject"));
        assert!(!matches("s3:GetObject", "s3:GetObjectAcl"));
        assert!(!matches("s3:GetObjectAcl", "s3:GetObject"));
    }

    #[test]
    fn wildcards() {
        assert!(matches("*", ""));
        assert!(matches("*", "s3:GetObject"));
        assert!(matches("s3:Get*", "s3:GetObject"));
        assert!(matches("s3:*Object", "s3:GetObject"));
        assert!(matches("s3:*Obj*t", "s3:GetObject"));
        assert!(matches("s3:G?tObject", "s3:GetObject"));
        assert!(matches("*:*", "s3:GetObject"));
        assert!(matches("s3:**", "s3:"));
        assert!(!matches("s3:Get?", "s3:Get"));
        assert!(!matches("s3:Get*", "s3:PutObject"));
        assert!(!matches("s3:*Acl", "s3:GetObject"));
        assert!(!matches("", "s3"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "axxbyy"));
    }
}
