//! The canonical request, built from the request exactly as it arrived (approach A of
//! `WIRE.md` §4): raw path, the request's own `SignedHeaders` list, and `aws-sigv4`'s
//! normalizations where the AWS documentation leaves a choice.
//!
//! AWS documents the form in "Create a canonical request for Signature Version 4"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html>).

use http::request::Parts;
use sha2::{Digest, Sha256};

use super::{CanonicalUri, CredentialScope, SignatureLocation, SignedRequest};

/// `hex(sha256(bytes))`, lowercase.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    push_hex(&Sha256::digest(bytes), &mut out);
    out
}

/// Appends `bytes` in lowercase hex.
fn push_hex(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &byte in bytes {
        out.push(char::from(HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0')));
        out.push(char::from(HEX.get(usize::from(byte & 0xF)).copied().unwrap_or(b'0')));
    }
}

/// Whether a byte is kept as is by SigV4's URI encoding (RFC 3986 unreserved characters).
fn unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// SigV4's URI encoding: every byte but the unreserved ones as `%XX` (uppercase), and `/` too
/// unless `keep_slash`.
pub(crate) fn uri_encode(bytes: &[u8], keep_slash: bool, out: &mut String) {
    for &byte in bytes {
        let (encoded, len) = encode_byte(byte, keep_slash);
        for &b in encoded.get(..len).unwrap_or_default() {
            out.push(char::from(b));
        }
    }
}

/// [`uri_encode`] into bytes.
fn uri_encode_bytes(bytes: &[u8], keep_slash: bool, out: &mut Vec<u8>) {
    for &byte in bytes {
        let (encoded, len) = encode_byte(byte, keep_slash);
        out.extend_from_slice(encoded.get(..len).unwrap_or_default());
    }
}

/// One byte of SigV4's URI encoding: itself, or `%XX`.
fn encode_byte(byte: u8, keep_slash: bool) -> ([u8; 3], usize) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    if unreserved(byte) || (keep_slash && byte == b'/') {
        ([byte, 0, 0], 1)
    } else {
        let high = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
        let low = HEX.get(usize::from(byte & 0xF)).copied().unwrap_or(b'0');
        ([b'%', high, low], 3)
    }
}

/// Decodes `%XX` sequences; a `%` not followed by two hex digits is kept literally, and `+`
/// stays `+` (AWS does not read query strings as HTML forms).
pub(crate) fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let high = bytes.get(i + 1).and_then(|b| char::from(*b).to_digit(16));
            let low = bytes.get(i + 2).and_then(|b| char::from(*b).to_digit(16));
            if let (Some(high), Some(low)) = (high, low) {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(byte);
        i += 1;
    }
    out
}

/// The raw query split into decoded `(name, value)` pairs, in order; a parameter without `=`
/// has an empty value (`?delete` is `delete=`), and empty segments are skipped.
pub(crate) fn query_pairs(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    query
        .split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| match segment.split_once('=') {
            Some((name, value)) => (percent_decode(name), percent_decode(value)),
            None => (percent_decode(segment), Vec::new()),
        })
        .collect()
}

/// The canonical query string: every parameter (for a presigned request, all but
/// `X-Amz-Signature`) encoded, sorted by name then value, joined with `&`.
pub(crate) fn canonical_query(query: &str, presigned: bool) -> String {
    let mut pairs: Vec<(String, String)> = query_pairs(query)
        .into_iter()
        .filter(|(name, _)| !(presigned && name.as_slice() == b"X-Amz-Signature"))
        .map(|(name, value)| {
            let (mut n, mut v) = (String::new(), String::new());
            uri_encode(&name, false, &mut n);
            uri_encode(&value, false, &mut v);
            (n, v)
        })
        .collect();
    pairs.sort();
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// The canonical URI of `path` (the raw path as received).
#[cfg(test)]
pub(crate) fn canonical_uri(path: &str, mode: CanonicalUri) -> String {
    let mut out = Vec::new();
    push_canonical_uri(path, mode, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Appends the canonical URI of `path` (the raw path as received).
fn push_canonical_uri(path: &str, mode: CanonicalUri, out: &mut Vec<u8>) {
    match mode {
        CanonicalUri::S3 if path.is_empty() => out.push(b'/'),
        CanonicalUri::S3 => out.extend_from_slice(path.as_bytes()),
        CanonicalUri::Standard => uri_encode_bytes(normalize_path(path).as_bytes(), true, out),
    }
}

/// Removes dot segments and empty segments the way `aws-sigv4` does for every service but S3
/// (RFC 3986 §5.2.4), keeping a trailing slash.
fn normalize_path(path: &str) -> std::borrow::Cow<'_, str> {
    if path.is_empty() {
        return "/".into();
    }
    if path.starts_with('/') && !(path.contains('.') || path.contains("//")) {
        return path.into();
    }
    let absolute = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    if !(absolute.contains('.') || absolute.contains("//")) {
        return absolute.into();
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in absolute.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut result = format!("/{}", segments.join("/"));
    let trailing = ["/", "/.", "/./", "/..", "/../"].iter().any(|end| absolute.ends_with(end));
    if trailing && !result.ends_with('/') {
        result.push('/');
    }
    result.into()
}

/// The value the `host` header is signed with: the header when the request has one, otherwise
/// the URI's authority without a default port (`:80` for http, `:443` for https), as
/// `aws-sigv4` signs it.
pub(crate) fn host(parts: &Parts) -> &[u8] {
    if let Some(value) = parts.headers.get(http::header::HOST) {
        return value.as_bytes();
    }
    let Some(authority) = parts.uri.authority() else { return b"" };
    let default_port =
        matches!((parts.uri.scheme_str(), authority.port_u16()), (Some("http"), Some(80)) | (Some("https"), Some(443)));
    if default_port { authority.host().as_bytes() } else { authority.as_str().as_bytes() }
}

/// Trims spaces at both ends and collapses runs of spaces, as `aws-sigv4` does (S3 trims
/// spaces only, not other whitespace).
fn trim_all(value: &[u8], out: &mut Vec<u8>) {
    let start = value.iter().position(|b| *b != b' ').unwrap_or(value.len());
    let end = value.iter().rposition(|b| *b != b' ').map_or(start, |i| i + 1);
    let mut previous_space = false;
    for &byte in value.get(start..end).unwrap_or_default() {
        if byte == b' ' && previous_space {
            continue;
        }
        previous_space = byte == b' ';
        out.push(byte);
    }
}

/// The canonical headers block (`name:value\n` per signed header, in the request's order).
fn canonical_headers(signed_headers: &[String], parts: &Parts, out: &mut Vec<u8>) {
    for name in signed_headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        if name.eq_ignore_ascii_case("host") {
            trim_all(host(parts), out);
        } else {
            // Looked up by name in any case, without allocating; a name that is no header
            // name has no values.
            for (i, value) in parts.headers.get_all(name.as_str()).iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                trim_all(value.as_bytes(), out);
            }
        }
        out.push(b'\n');
    }
}

/// The canonical request's bytes.
pub(crate) fn canonical_request(
    signed: &SignedRequest,
    parts: &Parts,
    payload_hash: &str,
    mode: CanonicalUri,
) -> Vec<u8> {
    let presigned = matches!(signed.location, SignatureLocation::Query { .. });
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(parts.method.as_str().as_bytes());
    out.push(b'\n');
    push_canonical_uri(parts.uri.path(), mode, &mut out);
    out.push(b'\n');
    if let Some(query) = parts.uri.query().filter(|q| !q.is_empty()) {
        out.extend_from_slice(canonical_query(query, presigned).as_bytes());
    }
    out.push(b'\n');
    canonical_headers(&signed.signed_headers, parts, &mut out);
    out.push(b'\n');
    for (i, name) in signed.signed_headers.iter().enumerate() {
        if i > 0 {
            out.push(b';');
        }
        out.extend_from_slice(name.as_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(payload_hash.as_bytes());
    out
}

/// `AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex(sha256(canonical request))>`, the scope written as
/// `<date>/<region>/<service>/aws4_request`.
pub(crate) fn string_to_sign(amz_date: &str, scope: &CredentialScope, canonical_request: &[u8]) -> String {
    const ALGORITHM: &str = "AWS4-HMAC-SHA256\n";
    let scope_len = scope.date.len() + scope.region.len() + scope.service.len() + 15;
    let mut out = String::with_capacity(ALGORITHM.len() + amz_date.len() + scope_len + 66);
    out.push_str(ALGORITHM);
    out.push_str(amz_date);
    out.push('\n');
    for part in [scope.date.as_str(), "/", scope.region.as_str(), "/", scope.service.as_str(), "/aws4_request\n"] {
        out.push_str(part);
    }
    push_hex(&Sha256::digest(canonical_request), &mut out);
    out
}

/// Compares two signatures in time independent of where they first differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        let mut out = String::new();
        uri_encode("a b+c%~!*'()$@=;:,&./ü".as_bytes(), false, &mut out);
        assert_eq!(out, "a%20b%2Bc%25~%21%2A%27%28%29%24%40%3D%3B%3A%2C%26.%2F%C3%BC");
    }

    #[test]
    fn queries_are_decoded_sorted_and_reencoded() {
        assert_eq!(canonical_query("list-type=2&prefix=a%20b%2F", false), "list-type=2&prefix=a%20b%2F");
        assert_eq!(canonical_query("delete", false), "delete=");
        assert_eq!(canonical_query("b=2&a=2&a=1&&c", false), "a=1&a=2&b=2&c=");
        assert_eq!(canonical_query("x=%zz&y=a+b", false), "x=%25zz&y=a%2Bb");
        assert_eq!(canonical_query("X-Amz-Signature=abc&X-Amz-Date=1", true), "X-Amz-Date=1");
    }

    #[test]
    fn standard_paths_are_normalized_and_double_encoded() {
        assert_eq!(canonical_uri("/", CanonicalUri::Standard), "/");
        assert_eq!(canonical_uri("", CanonicalUri::Standard), "/");
        assert_eq!(canonical_uri("/a%20b/./c/../d//", CanonicalUri::Standard), "/a%2520b/d/");
        assert_eq!(canonical_uri("/demo/x/../y.txt", CanonicalUri::S3), "/demo/x/../y.txt");
        assert_eq!(canonical_uri("", CanonicalUri::S3), "/");
    }

    #[test]
    fn header_values_are_trimmed_like_aws_sigv4() {
        let mut out = Vec::new();
        trim_all(b"  a   b \t c  ", &mut out);
        assert_eq!(out, b"a b \t c");
        let mut out = Vec::new();
        trim_all(b"    ", &mut out);
        assert_eq!(out, b"");
    }

    #[test]
    fn host_falls_back_to_the_authority_without_a_default_port() {
        let parts = |uri: &str| http::Request::get(uri).body(()).unwrap().into_parts().0;
        assert_eq!(host(&parts("http://127.0.0.1:1/")), b"127.0.0.1:1");
        assert_eq!(host(&parts("http://example.com:80/")), b"example.com");
        assert_eq!(host(&parts("https://example.com:443/")), b"example.com");
        assert_eq!(host(&parts("https://example.com:80/")), b"example.com:80");
        assert_eq!(host(&parts("/relative")), b"");
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
