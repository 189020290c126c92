//! The one router: which fake service answers a request.

use bytes::Bytes;

use crate::live::Live;
use crate::wire::WireRequest;
use crate::xml::XmlWriter;
use crate::{s3, sts};

/// Answers one request: an instance's metadata service or a container credentials agent for
/// their hosts ([`crate::imds`], [`crate::containers`]); STS for awsQuery requests (a form POST,
/// or anything signed for `sts`); S3 for everything else, as AWS's S3 endpoint answers any REST
/// request (path-style or virtual-hosted: `s3::Target`).
///
/// Every response carries a `Date` from the world's clock, as AWS's carry AWS's: SDKs correct
/// their signing clock by the skew they see in it, so a date from any other clock would make
/// the next request fail with `RequestTimeTooSkewed`.
///
/// ```
/// use bytes::Bytes;
/// use iamsim::wire::{Origin, WireRequest};
///
/// let world = iamsim::World::from_yaml("accounts: { \"111111111111\": { buckets: { photos: {} } } }")?.without_recording();
/// let sts = http::Request::get("http://127.0.0.1:4566/?Action=GetCallerIdentity&Version=2011-06-15").body(Bytes::new())?;
/// let s3 = http::Request::get("http://127.0.0.1:4566/photos/a.jpg").body(Bytes::new())?;
/// for request in [sts, s3] {
///     let response = iamsim::transport::route(world.live(), &WireRequest::new(request, Origin::loopback()));
///     // Unsigned, so refused — each in its service's words, each dated by the world's clock.
///     assert_eq!(response.status().as_u16(), 403);
///     assert_eq!(response.headers()["date"], "Thu, 01 Jan 2026 00:00:00 GMT");
/// }
/// let log = world.access_log();
/// let services: Vec<&str> = log.entries().iter().map(|e| e.service.as_str()).collect();
/// assert_eq!(services, ["sts", "s3"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn route(live: &Live, request: &WireRequest) -> http::Response<Bytes> {
    // Instance metadata and container credentials are addressed by host (`INSTANCE.imds.iamsim.test`,
    // `169.254.170.2`, `169.254.170.23`), before any service that reads paths or signatures.
    let credentials_endpoint = crate::imds::answer(live, request).or_else(|| crate::containers::answer(live, request));
    let mut response = if let Some(response) = credentials_endpoint {
        response
    } else if sts::is_sts_request(request) {
        sts::handle(live, request)
    } else if is_s3_request(request) {
        s3::handle(live, request)
    } else {
        not_implemented(request)
    };
    dated(live, &mut response);
    response
}

/// Gives a response the world's `Date` (see [`route`]): every handler a transport serves goes
/// through here, the router and the single-service servers of instance metadata and container
/// credentials alike.
///
/// ```
/// let world = iamsim::World::from_yaml("accounts: { \"111111111111\": {} }")?;
/// let mut response = http::Response::new(bytes::Bytes::new());
/// iamsim::transport::dated(world.live(), &mut response);
/// assert_eq!(response.headers()["date"], "Thu, 01 Jan 2026 00:00:00 GMT");
/// # Ok::<(), iamsim::WorldError>(())
/// ```
pub fn dated(live: &Live, response: &mut http::Response<Bytes>) {
    // The text changes once a second: a thread keeps the last one (metadata clients ask often).
    thread_local! {
        static LAST: std::cell::RefCell<Option<(u64, http::HeaderValue)>> = const { std::cell::RefCell::new(None) };
    }
    let now = live.now();
    let second = now.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let date = LAST.with_borrow_mut(|last| match last {
        Some((at, value)) if *at == second => Some(value.clone()),
        _ => {
            let value = http::HeaderValue::from_str(&crate::clock::format_http_date(now)).ok()?;
            *last = Some((second, value.clone()));
            Some(value)
        }
    });
    if let Some(date) = date {
        response.headers_mut().insert(http::header::DATE, date);
    }
}

/// Signed for `s3`, or not signed for another service: S3 is the catch-all REST endpoint.
fn is_s3_request(request: &WireRequest) -> bool {
    let credential = request
        .header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .or_else(|| request.query().split('&').find_map(|p| p.strip_prefix("X-Amz-Credential=")));
    credential.and_then(scope_service).is_none_or(|s| s == "s3")
}

/// The service of a credential (`KEY/DATE/REGION/SERVICE/aws4_request`), its slashes written
/// as they are or percent-encoded (`%2F`, `%2f`) as in a presigned URL's query.
fn scope_service(credential: &str) -> Option<&str> {
    let mut rest = credential;
    for _ in 0..3 {
        let (at, len) = next_separator(rest)?;
        rest = rest.get(at + len..)?;
    }
    let end = next_separator(rest).map_or(rest.len(), |(at, _)| at);
    rest.get(..end)
}

/// Where the next `/` (or `%2F`, `%2f`) is, and its length: one pass over the bytes.
fn next_separator(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().find_map(|(i, &b)| match b {
        b'/' => Some((i, 1)),
        b'%' if bytes.get(i + 1) == Some(&b'2') && matches!(bytes.get(i + 2), Some(b'F' | b'f')) => Some((i, 3)),
        _ => None,
    })
}

fn not_implemented(request: &WireRequest) -> http::Response<Bytes> {
    let mut xml = XmlWriter::with_declaration();
    xml.element("Error", |x| {
        x.leaf("Code", "NotImplemented");
        x.leaf("Message", "A header you provided implies functionality that is not implemented");
        x.leaf("Resource", request.path());
    });
    let mut response = http::Response::new(Bytes::from(xml.finish()));
    *response.status_mut() = http::StatusCode::NOT_IMPLEMENTED;
    response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/xml"));
    response
}

#[cfg(test)]
mod tests {
    use super::scope_service;

    #[test]
    fn the_scope_service_is_the_fourth_part_of_a_credential_plain_or_percent_encoded() {
        let header = "AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=ab";
        assert_eq!(scope_service(header), Some("iam"));
        assert_eq!(scope_service("AKID%2F20150830%2Fus-east-1%2Fs3%2Faws4_request"), Some("s3"));
        assert_eq!(scope_service("AKID%2f20150830%2fus-east-1%2fsts%2faws4_request"), Some("sts"));
        assert_eq!(scope_service("AKID/20150830%2Fus-east-1/s3"), Some("s3"));
        assert_eq!(scope_service("a//c/d"), Some("d"));
        assert_eq!(scope_service("AKID/20150830/us-east-1"), None);
        assert_eq!(scope_service(""), None);
    }
}
