//! The one router: which fake service answers a request.

use bytes::Bytes;

use crate::live::Live;
use crate::sts;
use crate::wire::WireRequest;
use crate::xml::XmlWriter;

/// Answers one request: an instance's metadata service or a container credentials agent for
/// their hosts ([`crate::imds`], [`crate::containers`]); STS for awsQuery requests; anything else
/// is a service iamsim does not model (yet), answered with S3's `NotImplemented` error shape.
///
/// Every response carries a `Date` header from the world's clock, as AWS's do: the SDKs correct
/// their signing time by the skew between that header and their own clock
/// (`aws_runtime::service_clock_skew`), so a wall-clock `Date` (what hyper would add) would make
/// a client of a world with a frozen clock sign its next request at the wrong time.
pub fn route(live: &Live, request: &WireRequest) -> http::Response<Bytes> {
    // Instance metadata and container credentials are addressed by host (`INSTANCE.imds.iamsim.test`,
    // `169.254.170.2`, `169.254.170.23`), before any service that reads paths or signatures.
    let credentials_endpoint = crate::imds::answer(live, request).or_else(|| crate::containers::answer(live, request));
    let mut response = if let Some(response) = credentials_endpoint {
        response
    } else if sts::is_sts_request(request) {
        sts::handle(live, request)
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
            let value = crate::auth::http_date(now).and_then(|d| http::HeaderValue::from_str(&d).ok())?;
            *last = Some((second, value.clone()));
            Some(value)
        }
    });
    if let Some(date) = date {
        response.headers_mut().insert(http::header::DATE, date);
    }
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
