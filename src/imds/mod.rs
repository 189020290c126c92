//! The EC2 instance metadata service (IMDS) of each instance of a world: IMDSv2 session tokens,
//! the metadata categories an application reads, and the instance role's credentials — a real
//! session of the world's STS, rotated before it expires, on the world's clock.
//!
//! Sources, all from the EC2 User Guide unless said otherwise:
//! - "Use IMDSv2" (`configuring-instance-metadata-service`): tokens last 1 second to 6 hours,
//!   belong to one instance, `GET` and `HEAD` are allowed, a `PUT` with `X-Forwarded-For` is
//!   refused; with `HttpTokens: required`, requests without a valid token get `401`.
//! - "Retrieve instance metadata" (`instancedata-data-retrieval`): everything is `text/plain`; a
//!   missing item is `404 - Not Found`; listings are one item per line; `400` for an invalid
//!   `PUT`, `401` for an invalid token, `403` for a `PUT` to a versioned token path.
//! - "Instance metadata categories" and "Instance identity documents": the items and their shapes.
//! - "Retrieve security credentials from instance metadata": the credentials document, and "we
//!   make new credentials available at least five minutes before the expiration of the old".
//! - The error pages are those of AWS's own IMDS mock (`aws/amazon-ec2-metadata-mock`,
//!   `pkg/server/httpserver.go`).
//!
//! Each instance is reached in-process at its own host, `http://INSTANCE_ID.imds.iamsim.test/`
//! ([`endpoint`]), which the router sends here; over loopback, each instance gets its own port
//! (`World::serve_instance_metadata`), as if it were `169.254.169.254` seen from that instance.
//!
//! ```
//! use bytes::Bytes;
//! use iamsim::wire::{Origin, WireRequest};
//! let world = iamsim::World::from_fixture("examples/fixtures/ec2-s3access.yaml")?;
//! let id = world.model().instance("web-1").unwrap().id.clone();
//! let put = http::Request::put(format!("{}latest/api/token", iamsim::imds::endpoint(&id)))
//!     .header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
//!     .body(Bytes::new())?;
//! let token = iamsim::imds::handle(world.live(), &id, &WireRequest::new(put, Origin::in_process()));
//! assert_eq!(token.status(), 200);
//! let get = http::Request::get("http://169.254.169.254/latest/meta-data/iam/security-credentials/")
//!     .header("x-aws-ec2-metadata-token", std::str::from_utf8(token.body())?)
//!     .body(Bytes::new())?;
//! let roles = iamsim::imds::handle(world.live(), &id, &WireRequest::new(get, Origin::in_process()));
//! assert_eq!(roles.body().as_ref(), b"s3access");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod document;
mod tree;

use bytes::Bytes;

use crate::live::{Authorization, Live, LogEntry};
use crate::model::{HttpTokens, Instance};
use crate::wire::WireRequest;

/// The suffix of the in-process host of an instance's metadata service.
pub const HOST_SUFFIX: &str = ".imds.iamsim.test";

/// The header that asks for a session token's lifetime, and answers it.
pub const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";

/// The header that carries a session token.
pub const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";

/// The longest session a token may have: six hours.
pub const MAX_TOKEN_TTL: u64 = 21_600;

/// The in-process endpoint of an instance's metadata service, for
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` or `aws_config::imds::Client::builder().endpoint(..)`.
///
/// ```
/// assert_eq!(iamsim::imds::endpoint("i-0123456789abcdef0"), "http://i-0123456789abcdef0.imds.iamsim.test/");
/// ```
pub fn endpoint(instance_id: &str) -> String {
    format!("http://{instance_id}{HOST_SUFFIX}/")
}

/// The instance id an in-process host names (`i-….imds.iamsim.test`, any port, any case).
///
/// ```
/// assert_eq!(iamsim::imds::instance_for_host("i-0abc.IMDS.iamsim.test:80"), Some("i-0abc".to_owned()));
/// assert_eq!(iamsim::imds::instance_for_host("iamsim.test"), None);
/// ```
pub fn instance_for_host(host: &str) -> Option<String> {
    let name =
        host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(h, _)| h);
    let name = name.to_ascii_lowercase();
    let id = name.strip_suffix(HOST_SUFFIX)?;
    (!id.is_empty() && !id.contains('.')).then(|| id.to_owned())
}

/// Answers a request if it is addressed to an instance's in-process metadata host.
///
/// ```
/// use bytes::Bytes;
/// use iamsim::wire::{Origin, WireRequest};
/// let world = iamsim::World::from_fixture("examples/fixtures/ec2-s3access.yaml")?;
/// let id = &world.model().instance("web-1").unwrap().id;
/// let get = http::Request::get(format!("http://{id}.imds.iamsim.test/latest/meta-data/instance-id")).body(Bytes::new())?;
/// let response = iamsim::imds::answer(world.live(), &WireRequest::new(get, Origin::in_process())).unwrap();
/// assert_eq!(response.body().as_ref(), id.as_bytes());
/// let elsewhere = http::Request::get("https://iamsim.test/").body(Bytes::new())?;
/// assert!(iamsim::imds::answer(world.live(), &WireRequest::new(elsewhere, Origin::in_process())).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn answer(live: &Live, request: &WireRequest) -> Option<http::Response<Bytes>> {
    let id = instance_for_host(request.host())?;
    Some(handle(live, &id, request))
}

/// Which IMDS generation a request used: IMDSv2 requests carry a session token ("the instance
/// metadata service distinguishes between IMDSv1 and IMDSv2 requests based on whether … the
/// `PUT` or `GET` headers, which are unique to IMDSv2, are present").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// No token.
    V1,
    /// A valid token.
    V2,
}

impl Delivery {
    /// The value of `ec2:RoleDelivery` for credentials delivered this way.
    pub(crate) fn role_delivery(self) -> &'static str {
        match self {
            Delivery::V1 => "1.0",
            Delivery::V2 => "2.0",
        }
    }
}

/// What one request produced: the response and what goes in the access log.
pub(crate) struct Outcome {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
    pub(crate) content_type: &'static str,
    pub(crate) ttl: Option<u64>,
    pub(crate) error: Option<&'static str>,
    pub(crate) authorizations: Vec<Authorization>,
}

impl Outcome {
    pub(crate) fn text(body: impl Into<Bytes>) -> Outcome {
        Outcome {
            status: 200,
            body: body.into(),
            content_type: "text/plain",
            ttl: None,
            error: None,
            authorizations: Vec::new(),
        }
    }

    /// An error page, as AWS's IMDS mock writes them.
    pub(crate) fn error(status: u16) -> Outcome {
        let (code, title, body): (&'static str, &str, &str) = match status {
            400 => ("BadRequest", "400 - Bad Request", ERROR_PAGE_UTF8),
            401 => ("Unauthorized", "401 - Unauthorized", ERROR_PAGE_UTF8),
            403 => ("Forbidden", "403 - Forbidden", ERROR_PAGE_UTF8),
            405 => ("MethodNotAllowed", "405 - Method Not Allowed", ERROR_PAGE_UTF8),
            _ => ("NotFound", "404 - Not Found", NOT_FOUND_PAGE),
        };
        Outcome {
            status: if code == "NotFound" { 404 } else { status },
            body: Bytes::from(body.replace("{title}", title)),
            content_type: "text/html",
            ttl: None,
            error: Some(code),
            authorizations: Vec::new(),
        }
    }
}

/// The 404 page of the metadata service (ISO-8859-1 declaration and tab indentation included).
const NOT_FOUND_PAGE: &str = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n <head>\n  <title>{title}</title>\n </head>\n <body>\n  <h1>{title}</h1>\n </body>\n</html>\n";

/// The other error pages (400, 401; 403 and 405 in the same form).
const ERROR_PAGE_UTF8: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n   <head>\n      <title>{title}</title>\n   </head>\n   <body>\n      <h1>{title}</h1>\n   </body>\n</html>\n";

/// Serves one request to the metadata service of the instance `instance_id` (the loopback server
/// of an instance, or [`answer`] in-process), and logs it as service `imds`.
///
/// ```
/// use bytes::Bytes;
/// use iamsim::wire::{Origin, WireRequest};
///
/// let world = iamsim::World::from_yaml(r#"
/// accounts: { "111111111111": {} }
/// instances:
///   web-1: { account: "111111111111", instance_id: i-0123456789abcdef0 }
/// "#)?.without_recording();
/// let get = http::Request::get("http://169.254.169.254/latest/meta-data/instance-id").body(Bytes::new())?;
/// let response = iamsim::imds::handle(world.live(), "i-0123456789abcdef0", &WireRequest::new(get, Origin::loopback()));
/// assert_eq!(response.status().as_u16(), 200);
/// assert_eq!(response.body().as_ref(), b"i-0123456789abcdef0");
/// // An instance the world does not have: nothing answers.
/// let get = http::Request::get("http://169.254.169.254/latest/meta-data/instance-id").body(Bytes::new())?;
/// let response = iamsim::imds::handle(world.live(), "i-ffffffffffffffff0", &WireRequest::new(get, Origin::loopback()));
/// assert_eq!(response.status().as_u16(), 404);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn handle(live: &Live, instance_id: &str, request: &WireRequest) -> http::Response<Bytes> {
    let n = live.next_request();
    let method = request.parts.method.clone();
    let path = request.path();
    let instance = live.model().instances().find(|i| i.id == instance_id);
    let outcome = match instance {
        Some(instance) => serve(live, instance, request),
        // No such instance: nothing answers at that address.
        None => Outcome::error(404),
    };
    // Paths are the client's: keep the log readable whatever they hold.
    let shown_path = match path.char_indices().nth(256) {
        Some((cut, _)) => path.get(..cut).unwrap_or_default(),
        None => path,
    };
    live.log(LogEntry {
        request: n,
        time: log_time(live),
        service: "imds".to_owned(),
        operation: format!("{method} {shown_path}"),
        caller: instance.and_then(|i| live.model().instance_metadata(i)).map(|m| m.arn.clone()),
        access_key_id: None,
        authorizations: outcome.authorizations,
        status: outcome.status,
        error: outcome.error.map(str::to_owned),
    });
    let body = if method == http::Method::HEAD { Bytes::new() } else { outcome.body };
    let mut response = http::Response::new(body);
    *response.status_mut() = http::StatusCode::from_u16(outcome.status).unwrap_or(http::StatusCode::NOT_FOUND);
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static(outcome.content_type));
    if let Some(ttl) = outcome.ttl {
        headers.insert(TTL_HEADER, http::HeaderValue::from(ttl));
    }
    response
}

/// The access log's time of a request. Applications ask the metadata service often, and the text
/// changes once a second: a thread keeps the last one.
fn log_time(live: &Live) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<(u64, String)> = const { std::cell::RefCell::new((u64::MAX, String::new())) };
    }
    let now = live.now();
    let second = now.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    LAST.with_borrow_mut(|(at, text)| {
        if *at != second {
            *at = second;
            *text = crate::clock::format_rfc3339(now);
        }
        text.clone()
    })
}

fn serve(live: &Live, instance: &Instance, request: &WireRequest) -> Outcome {
    let method = &request.parts.method;
    let path = request.path();
    if *method == http::Method::PUT {
        return put_token(live, instance, request);
    }
    if *method != http::Method::GET && *method != http::Method::HEAD {
        return Outcome::error(405);
    }
    let http_tokens = live.model().instance_metadata(instance).map(|m| m.http_tokens).unwrap_or_default();
    let delivery = match request.parts.headers.get(TOKEN_HEADER) {
        Some(token) => match token.to_str() {
            Ok(token) if live.imds_token_valid(&instance.id, token) => Delivery::V2,
            _ => return Outcome::error(401),
        },
        None if http_tokens == HttpTokens::Required => return Outcome::error(401),
        None => Delivery::V1,
    };
    tree::get(live, instance, path, delivery)
}

/// `PUT /latest/api/token`: a session token for `X-aws-ec2-metadata-token-ttl-seconds` seconds.
fn put_token(live: &Live, instance: &Instance, request: &WireRequest) -> Outcome {
    let path = request.path();
    if path != "/latest/api/token" {
        // "Issuing PUT requests to any version-specific path, for example `/2021-03-23/api/token`,
        // will result in the metadata service returning 403 Forbidden errors." A PUT to any other
        // path is not documented; iamsim answers that the method is not allowed there.
        let versioned = path.strip_suffix("/api/token").is_some_and(|v| tree::is_version(v.trim_start_matches('/')));
        return Outcome::error(if versioned { 403 } else { 405 });
    }
    // "PUT requests are rejected if they contain an X-Forwarded-For header": a token must not
    // be obtainable through a proxy on the instance.
    if request.parts.headers.contains_key("x-forwarded-for") {
        return Outcome::error(403);
    }
    let ttl = request
        .parts
        .headers
        .get(TTL_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|ttl| (1..=MAX_TOKEN_TTL).contains(ttl));
    let Some(ttl) = ttl else { return Outcome::error(400) };
    let token = live.issue_imds_token(&instance.id, ttl);
    Outcome { ttl: Some(ttl), ..Outcome::text(token) }
}
