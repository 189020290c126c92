//! Where an S3 request points: the bucket and key, from the path (path-style) or from the
//! `Host` (virtual-hosted style), and its query parameters.
//!
//! The path is read exactly as sent: `.`, `..` and `//` are parts of keys, never navigation
//! (S3's namespace is flat and a key is any UTF-8 text, `/` and dots included:
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html>), and each `%XX` is
//! decoded once. Query parameters are decoded as a form (`+` is a space), as S3 reads them.

use std::net::IpAddr;

use super::S3Error;

/// The bucket, key and query of one request.
///
/// ```
/// use iamsim::s3::Target;
/// let request = http::Request::get("https://iamsim.test/photos/x/../y%20z.txt?x-id=GetObject").body(())?;
/// let target = Target::parse(&request.into_parts().0, |_| false)?;
/// assert_eq!(target.bucket.as_deref(), Some("photos"));
/// assert_eq!(target.key.as_deref(), Some("x/../y z.txt"));
/// assert_eq!(target.param("x-id"), Some("GetObject"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// The bucket, when the request names one.
    pub bucket: Option<String>,
    /// The object key, when the request names one (never empty).
    pub key: Option<String>,
    /// Whether the bucket came from the host name.
    pub virtual_hosted: bool,
    /// Query parameters, decoded, in order (`?delete` is `("delete", "")`).
    pub query: Vec<(String, String)>,
}

/// Host names (besides IP addresses) that are the S3 endpoint itself: a request to one of them
/// is path-style, a request to a subdomain of one is virtual-hosted. `iamsim.test` is the
/// in-process endpoint; `localhost` what people type.
const ENDPOINT_HOSTS: [&str; 2] = ["iamsim.test", "localhost"];

impl Target {
    /// Reads a request's target. `bucket_exists` tells virtual-hosted requests to host names iamsim
    /// does not know (`demo.s3.local.test`) from path-style ones: a leading part of the host
    /// that names an existing bucket is the bucket.
    pub fn parse(parts: &http::request::Parts, bucket_exists: impl Fn(&str) -> bool) -> Result<Target, S3Error> {
        let raw_path = parts.uri.path();
        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or_default();
        let query = parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
            .unwrap_or_default();
        let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
        let decode = |text: &str| percent_decode(text).ok_or_else(|| S3Error::invalid_uri(raw_path));
        let non_empty = |text: String| if text.is_empty() { None } else { Some(text) };
        if let Some(bucket) = virtual_host_bucket(host, &bucket_exists) {
            return Ok(Target { bucket: Some(bucket), key: non_empty(decode(path)?), virtual_hosted: true, query });
        }
        let (bucket, key) = match path.split_once('/') {
            Some((bucket, key)) => (bucket, key),
            None => (path, ""),
        };
        Ok(Target { bucket: non_empty(decode(bucket)?), key: non_empty(decode(key)?), virtual_hosted: false, query })
    }

    /// A query parameter's value (the first, if repeated).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Whether a query parameter is present (with or without a value).
    pub fn has(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }

    /// The path S3 names in errors: `/bucket/key`.
    pub fn resource_path(&self) -> String {
        match (&self.bucket, &self.key) {
            (Some(b), Some(k)) => format!("/{b}/{k}"),
            (Some(b), None) => format!("/{b}"),
            _ => "/".to_owned(),
        }
    }
}

/// The bucket a virtual-hosted host names, if the host names one.
fn virtual_host_bucket(host: &str, bucket_exists: &dyn Fn(&str) -> bool) -> Option<String> {
    let host = strip_port(host).to_ascii_lowercase();
    if host.is_empty() || host.parse::<IpAddr>().is_ok() {
        return None;
    }
    for endpoint in ENDPOINT_HOSTS {
        if host == endpoint {
            return None;
        }
        if let Some(bucket) = host.strip_suffix(endpoint).and_then(|h| h.strip_suffix('.')) {
            return Some(bucket.to_owned());
        }
    }
    // AWS's own endpoints: `bucket.s3.amazonaws.com`, `bucket.s3.us-west-2.amazonaws.com`,
    // `bucket.s3-us-west-2.amazonaws.com`, `bucket.s3.dualstack.us-west-2.amazonaws.com`.
    if let Some(rest) = host.strip_suffix(".amazonaws.com") {
        if rest.starts_with("s3.") || rest.starts_with("s3-") || rest == "s3" {
            return None;
        }
        let at = [rest.rfind(".s3."), rest.rfind(".s3-")].into_iter().flatten().max();
        let at = at.or_else(|| rest.strip_suffix(".s3").map(str::len));
        return at.and_then(|i| rest.get(..i)).map(str::to_owned);
    }
    // Any other host: the longest leading part that names an existing bucket.
    host.char_indices()
        .filter(|(_, c)| *c == '.')
        .map(|(i, _)| host.get(..i).unwrap_or_default())
        .filter(|candidate| bucket_exists(candidate))
        .last()
        .map(str::to_owned)
}

/// `host:port` → `host`; `[::1]:9000` → `[::1]`.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => host.get(1..end).unwrap_or(host),
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Decodes each `%XX` once; a `%` not followed by two hex digits stays as it is (S3 is lenient
/// there, and so is `x-amz-copy-source`, which SDKs send unencoded). `None` when the bytes are
/// not UTF-8.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|c| char::from(*c).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(uri: &str, host: Option<&str>) -> Target {
        let mut request = http::Request::get(uri);
        if let Some(h) = host {
            request = request.header("host", h);
        }
        let (parts, ()) = request.body(()).unwrap().into_parts();
        Target::parse(&parts, |b| b == "known.bucket").unwrap()
    }

    #[test]
    fn path_style_keeps_dots_and_double_slashes_in_keys() {
        let t = target("http://127.0.0.1:9000/demo//a/./b/../c", None);
        assert_eq!((t.bucket.as_deref(), t.key.as_deref()), (Some("demo"), Some("/a/./b/../c")));
        assert!(!t.virtual_hosted);
        let t = target("http://127.0.0.1:9000/demo/", None);
        assert_eq!((t.bucket.as_deref(), t.key), (Some("demo"), None));
        let t = target("http://127.0.0.1:9000/?x-id=ListBuckets", None);
        assert_eq!(t.bucket, None);
    }

    #[test]
    fn keys_are_decoded_once_per_escape() {
        let t = target("https://iamsim.test/demo/dir/a%20b%2Bc%25~%21.txt", None);
        assert_eq!(t.key.as_deref(), Some("dir/a b+c%~!.txt"));
        let t = target("https://iamsim.test/demo/%D0%BA%D0%BB%D1%8E%D1%87/%C3%BC.txt", None);
        assert_eq!(t.key.as_deref(), Some("ключ/ü.txt"));
        let (parts, ()) = http::Request::get("https://iamsim.test/demo/%FF").body(()).unwrap().into_parts();
        assert_eq!(Target::parse(&parts, |_| false).unwrap_err().code, "InvalidURI");
    }

    #[test]
    fn virtual_hosted_buckets_come_from_the_host() {
        let t = target("https://demo.iamsim.test/a.txt?x-id=GetObject", None);
        assert_eq!((t.bucket.as_deref(), t.key.as_deref()), (Some("demo"), Some("a.txt")));
        assert!(t.virtual_hosted);
        let t = target("http://x/", Some("demo.localhost:9000"));
        assert_eq!(t.bucket.as_deref(), Some("demo"));
        let t = target("http://x/k", Some("my.bucket.s3.us-west-2.amazonaws.com"));
        assert_eq!((t.bucket.as_deref(), t.key.as_deref()), (Some("my.bucket"), Some("k")));
        let t = target("http://x/b/k", Some("s3.us-west-2.amazonaws.com"));
        assert_eq!((t.bucket.as_deref(), t.key.as_deref()), (Some("b"), Some("k")));
        let t = target("http://x/k", Some("known.bucket.s3.local.test:9000"));
        assert_eq!((t.bucket.as_deref(), t.key.as_deref()), (Some("known.bucket"), Some("k")));
        let t = target("http://x/b/k", Some("[::1]:9000"));
        assert_eq!((t.bucket.as_deref(), t.key.as_deref()), (Some("b"), Some("k")));
    }

    #[test]
    fn query_parameters_without_values_are_present() {
        let t = target("https://iamsim.test/demo/?delete", None);
        assert!(t.has("delete"));
        assert_eq!(t.param("delete"), Some(""));
        let t = target("https://iamsim.test/demo/?list-type=2&prefix=a%20b%2F&start-after=x+y", None);
        assert_eq!(t.param("prefix"), Some("a b/"));
        assert_eq!(t.param("start-after"), Some("x y"));
    }
}
