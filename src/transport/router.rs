//! The one router: which fake service answers a request.

use bytes::Bytes;

use crate::live::Live;
use crate::sts;
use crate::wire::WireRequest;
use crate::xml::XmlWriter;

/// Answers one request: STS for awsQuery requests; anything else is a service iamsim does not
/// model (yet), answered with S3's `NotImplemented` error shape.
pub fn route(live: &Live, request: &WireRequest) -> http::Response<Bytes> {
    if sts::is_sts_request(request) {
        return sts::handle(live, request);
    }
    not_implemented(request)
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
