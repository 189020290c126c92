//! `GetObject`'s and `HeadObject`'s conditional headers and `Range`, with S3's rules
//! (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html>, "Request Syntax"):
//!
//! - `If-Match` false: 412 `PreconditionFailed`; `If-None-Match` true (the ETag matches): 304.
//! - `If-Unmodified-Since` false: 412, unless `If-Match` is present and true ("If both of the
//!   If-Match and If-Unmodified-Since headers are present … and If-Match evaluates to true and
//!   If-Unmodified-Since evaluates to false, then S3 returns 200 OK").
//! - `If-Modified-Since` false: 304, unless `If-None-Match` is present: then the ETag alone
//!   decides ("If-None-Match condition evaluates to false, and If-Modified-Since condition
//!   evaluates to true; then, S3 returns 304 Not Modified" — the ETag matching is what makes
//!   If-None-Match false), as RFC 9110 §13.2.2 orders them.
//! - Dates that do not parse are ignored.
//!
//! `Range`: one `bytes=` range (`a-b`, `a-`, `-n`); a range that starts past the end is 416
//! `InvalidRange`; a header that is not a single byte range is ignored and the whole object
//! returned, as for any HTTP server (S3 does not serve multiple ranges).

use std::time::SystemTime;

use super::S3Error;
use super::time::parse_http_date;

/// What the conditional headers decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Serve the object.
    Proceed,
    /// 304 Not Modified.
    NotModified,
}

/// The conditional headers of a request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Conditions<'a> {
    pub(crate) if_match: Option<&'a str>,
    pub(crate) if_none_match: Option<&'a str>,
    pub(crate) if_modified_since: Option<&'a str>,
    pub(crate) if_unmodified_since: Option<&'a str>,
}

/// Whether an `If-Match`/`If-None-Match` list names this ETag (`*` names any).
fn etag_listed(list: &str, etag: &str) -> bool {
    list.split(',').map(|t| t.trim().trim_start_matches("W/").trim_matches('"')).any(|t| t == "*" || t == etag)
}

/// Last-Modified is compared at one-second resolution, as HTTP dates carry.
fn seconds(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Conditions<'_> {
    /// Evaluates the conditions against an object's ETag (hex, unquoted) and Last-Modified.
    /// `copy` names the headers in errors as `CopyObject`'s `x-amz-copy-source-if-*`.
    pub(crate) fn evaluate(&self, etag: &str, last_modified: SystemTime, copy: bool) -> Result<Verdict, S3Error> {
        let name = |plain: &'static str, for_copy: &'static str| if copy { for_copy } else { plain };
        let modified = seconds(last_modified);
        let if_match = self.if_match.map(|l| etag_listed(l, etag));
        let if_none_match = self.if_none_match.map(|l| etag_listed(l, etag));
        let unmodified_since = self.if_unmodified_since.and_then(parse_http_date).map(|d| modified <= seconds(d));
        let modified_since = self.if_modified_since.and_then(parse_http_date).map(|d| modified > seconds(d));
        if if_match == Some(false) {
            return Err(S3Error::precondition_failed(name("If-Match", "x-amz-copy-source-If-Match")));
        }
        if if_match.is_none() && unmodified_since == Some(false) {
            return Err(S3Error::precondition_failed(name(
                "If-Unmodified-Since",
                "x-amz-copy-source-If-Unmodified-Since",
            )));
        }
        if if_none_match == Some(true) {
            // A copy whose source is "not modified" is a failed precondition, not a 304.
            if copy {
                return Err(S3Error::precondition_failed("x-amz-copy-source-If-None-Match"));
            }
            return Ok(Verdict::NotModified);
        }
        if if_none_match.is_none() && modified_since == Some(false) {
            if copy {
                return Err(S3Error::precondition_failed("x-amz-copy-source-If-Modified-Since"));
            }
            return Ok(Verdict::NotModified);
        }
        Ok(Verdict::Proceed)
    }
}

/// A byte range to serve: first and last byte, inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ByteRange {
    pub(crate) first: u64,
    pub(crate) last: u64,
}

/// Reads a `Range` header against an object of `size` bytes. `Ok(None)`: serve the whole
/// object.
pub(crate) fn parse_range(header: &str, size: u64) -> Result<Option<ByteRange>, S3Error> {
    let Some(spec) = header.trim().strip_prefix("bytes=") else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((start, end)) = spec.trim().split_once('-') else { return Ok(None) };
    let number = |t: &str| if t.bytes().all(|b| b.is_ascii_digit()) { t.parse::<u64>().ok() } else { None };
    let range = match (start.trim(), end.trim()) {
        ("", "") => return Ok(None),
        ("", suffix) => {
            let Some(n) = number(suffix) else { return Ok(None) };
            if n == 0 {
                return Err(S3Error::invalid_range(header, size));
            }
            if size == 0 {
                // A suffix of an empty object: nothing to send, S3 answers the whole (empty) object.
                return Ok(None);
            }
            ByteRange { first: size.saturating_sub(n), last: size - 1 }
        }
        (first, "") => {
            let Some(first) = number(first) else { return Ok(None) };
            ByteRange { first, last: size.saturating_sub(1) }
        }
        (first, last) => {
            let (Some(first), Some(last)) = (number(first), number(last)) else { return Ok(None) };
            if last < first {
                return Ok(None);
            }
            ByteRange { first, last: last.min(size.saturating_sub(1)) }
        }
    };
    if range.first >= size {
        return Err(S3Error::invalid_range(header, size));
    }
    Ok(Some(range))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn ranges_follow_http() {
        let r = |h: &str| parse_range(h, 10);
        assert_eq!(r("bytes=0-4").unwrap(), Some(ByteRange { first: 0, last: 4 }));
        assert_eq!(r("bytes=5-").unwrap(), Some(ByteRange { first: 5, last: 9 }));
        assert_eq!(r("bytes=-3").unwrap(), Some(ByteRange { first: 7, last: 9 }));
        assert_eq!(r("bytes=-30").unwrap(), Some(ByteRange { first: 0, last: 9 }));
        assert_eq!(r("bytes=8-100").unwrap(), Some(ByteRange { first: 8, last: 9 }));
        assert_eq!(r("bytes=0-1,3-4").unwrap(), None);
        assert_eq!(r("items=0-1").unwrap(), None);
        assert_eq!(r("bytes=4-2").unwrap(), None);
        assert_eq!(r("bytes=10-").unwrap_err().code, "InvalidRange");
        assert_eq!(parse_range("bytes=0-", 0).unwrap_err().code, "InvalidRange");
    }

    #[test]
    fn conditions_follow_s3() {
        let modified = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        let before = "Sat, 05 Nov 1994 08:49:37 GMT";
        let after = "Mon, 07 Nov 1994 08:49:37 GMT";
        let c =
            |m, n, ms, us| Conditions { if_match: m, if_none_match: n, if_modified_since: ms, if_unmodified_since: us };
        let eval = |c: Conditions<'_>| c.evaluate("abc", modified, false).map_err(|e| e.code);
        assert_eq!(eval(c(Some("\"abc\""), None, None, None)), Ok(Verdict::Proceed));
        assert_eq!(eval(c(Some("\"xyz\""), None, None, None)), Err("PreconditionFailed"));
        assert_eq!(eval(c(None, Some("\"abc\""), None, None)), Ok(Verdict::NotModified));
        assert_eq!(eval(c(None, Some("*"), None, None)), Ok(Verdict::NotModified));
        assert_eq!(eval(c(None, None, Some(after), None)), Ok(Verdict::NotModified));
        assert_eq!(eval(c(None, None, Some(before), None)), Ok(Verdict::Proceed));
        assert_eq!(eval(c(None, None, None, Some(before))), Err("PreconditionFailed"));
        // If-Match true wins over If-Unmodified-Since false; If-None-Match false over
        // If-Modified-Since false.
        assert_eq!(eval(c(Some("abc"), None, None, Some(before))), Ok(Verdict::Proceed));
        assert_eq!(eval(c(None, Some("xyz"), Some(after), None)), Ok(Verdict::Proceed));
        assert_eq!(eval(c(None, None, Some("not a date"), None)), Ok(Verdict::Proceed));
    }
}
