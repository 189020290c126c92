//! The one router: which fake service answers a request.

use bytes::Bytes;

use crate::live::Live;
use crate::sts;
use crate::wire::WireRequest;
use crate::xml::XmlWriter;

/// Answers one request: STS for awsQuery requests; anything else is a service iamsim does not
/// model (yet), answered with S3's `NotImplemented` error shape.
///
/// Every response carries a `Date` header from the world's clock, as AWS's do: the SDKs correct
/// their signing time by the skew between that header and their own clock
/// (`aws_runtime::service_clock_skew`), so a wall-clock `Date` (what hyper would add) would make
/// a client of a world with a frozen clock sign its next request at the wrong time.
pub fn route(live: &Live, request: &WireRequest) -> http::Response<Bytes> {
    let mut response = if sts::is_sts_request(request) { sts::handle(live, request) } else { not_implemented(request) };
    if let Some(date) = crate::auth::http_date(live.now()).and_then(|d| http::HeaderValue::from_str(&d).ok()) {
        response.headers_mut().insert(http::header::DATE, date);
    }
    response
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
