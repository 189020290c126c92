//! The one router: which fake service answers a request.

use bytes::Bytes;

use crate::live::Live;
use crate::wire::WireRequest;
use crate::xml::XmlWriter;
use crate::{s3, sts};

/// Answers one request: STS for awsQuery requests (a form POST, or anything signed for `sts`);
/// S3 for everything else, as AWS's S3 endpoint answers any REST request (path-style or
/// virtual-hosted: `s3::Target`).
///
/// Every response carries a `Date` from the world's clock, as AWS's carry AWS's: SDKs correct
/// their signing clock by the skew they see in it, so a date from any other clock would make
/// the next request fail with `RequestTimeTooSkewed`.
pub fn route(live: &Live, request: &WireRequest) -> http::Response<Bytes> {
    let mut response = if sts::is_sts_request(request) {
        sts::handle(live, request)
    } else if is_s3_request(request) {
        s3::handle(live, request)
    } else {
        not_implemented(request)
    };
    if let Ok(date) = http::HeaderValue::from_str(&crate::clock::format_http_date(live.now())) {
        response.headers_mut().insert(http::header::DATE, date);
    }
    response
}

/// Signed for `s3`, or not signed for another service: S3 is the catch-all REST endpoint.
fn is_s3_request(request: &WireRequest) -> bool {
    let scope_service = request
        .header("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .or_else(|| request.query().split('&').find_map(|p| p.strip_prefix("X-Amz-Credential=")))
        .map(|c| c.replace("%2F", "/").replace("%2f", "/"))
        .and_then(|c| c.split('/').nth(3).map(str::to_owned));
    scope_service.is_none_or(|s| s == "s3")
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
