//! An HTTP request as the fake services see it, whichever transport carried it: the raw parts
//! (path never normalized), the whole body, and where it came from.
//!
//! ```
//! use iamsim::wire::{Origin, WireRequest};
//! let request = http::Request::post("http://127.0.0.1:4566/").body(bytes::Bytes::from_static(b"Action=GetCallerIdentity"))?;
//! let request = WireRequest::new(request, Origin::loopback());
//! assert_eq!(request.host(), "127.0.0.1:4566");
//! assert!(!request.origin.secure_transport);
//! # Ok::<(), http::Error>(())
//! ```

use std::net::{IpAddr, Ipv4Addr};

use bytes::Bytes;

/// Where a request came from: what `aws:SourceIp`, `aws:SecureTransport`, `aws:SourceVpc` and
/// `aws:SourceVpce` say about it.
///
/// ```
/// use iamsim::wire::Origin;
///
/// let sdk = Origin::in_process();
/// assert!(sdk.secure_transport);
/// assert_eq!(sdk.source_ip.to_string(), "192.0.2.10");
/// // A request through a VPC endpoint also says which VPC and endpoint.
/// let through_vpce = Origin { source_vpce: Some("vpce-1a2b3c4d".into()), ..Origin::in_process() };
/// let mut context = iamsim::Context::new();
/// through_vpce.add_context_keys(&mut context);
/// assert_eq!(context.get("aws:SourceVpce"), Some(&["vpce-1a2b3c4d".to_owned()][..]));
/// assert_eq!(context.get("aws:SourceVpc"), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The caller's IP address (`aws:SourceIp`).
    pub source_ip: IpAddr,
    /// Whether the request came over TLS (`aws:SecureTransport`).
    pub secure_transport: bool,
    /// The VPC the request came from through a VPC endpoint (`aws:SourceVpc`).
    pub source_vpc: Option<String>,
    /// The VPC endpoint it came through (`aws:SourceVpce`).
    pub source_vpce: Option<String>,
}

impl Origin {
    /// A request over plain HTTP from this machine (the loopback server).
    pub fn loopback() -> Origin {
        Origin {
            source_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            secure_transport: false,
            source_vpc: None,
            source_vpce: None,
        }
    }

    /// The condition keys that describe where a request came from: `aws:SourceIp`,
    /// `aws:SecureTransport`, and `aws:SourceVpc`/`aws:SourceVpce` when it came through a VPC
    /// endpoint. Every service adds them to every authorization.
    ///
    /// ```
    /// use iamsim::wire::Origin;
    /// let mut context = iamsim::Context::new();
    /// Origin::loopback().add_context_keys(&mut context);
    /// assert_eq!(context.get("aws:SourceIp"), Some(&["127.0.0.1".to_owned()][..]));
    /// assert_eq!(context.get("aws:SecureTransport"), Some(&["false".to_owned()][..]));
    /// ```
    pub fn add_context_keys(&self, context: &mut crate::policy::Context) {
        context.set("aws:SourceIp", [ip_text(self.source_ip)]);
        context.set("aws:SecureTransport", [self.secure_transport.to_string()]);
        if let Some(vpc) = &self.source_vpc {
            context.set("aws:SourceVpc", [vpc.clone()]);
        }
        if let Some(vpce) = &self.source_vpce {
            context.set("aws:SourceVpce", [vpce.clone()]);
        }
    }

    /// A request from an SDK client in the same process, which believes it speaks HTTPS to AWS.
    /// Its source address is `192.0.2.10` (a documentation address, RFC 5737), as if the
    /// application ran on a host of its own.
    pub fn in_process() -> Origin {
        Origin {
            source_ip: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)),
            secure_transport: true,
            source_vpc: None,
            source_vpce: None,
        }
    }
}

/// An address as `IpAddr`'s `Display` writes it; IPv4 (every origin so far) without the
/// formatter's machinery.
fn ip_text(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let mut out = String::with_capacity(15);
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                if octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
            out
        }
        std::net::IpAddr::V6(_) => ip.to_string(),
    }
}

/// One request, body collected.
///
/// ```
/// use iamsim::wire::{Origin, WireRequest};
///
/// let request = http::Request::get("https://photos.s3.amazonaws.com/a/../b.jpg?versionId=3")
///     .header("x-amz-date", "20260101T000000Z")
///     .body(bytes::Bytes::new())?;
/// let request = WireRequest::new(request, Origin::in_process());
/// // The path stays as sent: S3 keys may contain `..`.
/// assert_eq!(request.path(), "/a/../b.jpg");
/// assert_eq!(request.host(), "photos.s3.amazonaws.com");
/// assert_eq!(request.header("x-amz-date"), Some("20260101T000000Z"));
/// assert!(request.body.is_empty());
/// # Ok::<(), http::Error>(())
/// ```
#[derive(Debug)]
pub struct WireRequest {
    /// Method, URI (raw), headers.
    pub parts: http::request::Parts,
    /// The whole body, as sent (still aws-chunked when it was).
    pub body: Bytes,
    /// Where it came from.
    pub origin: Origin,
}

impl WireRequest {
    /// Wraps a request.
    pub fn new(request: http::Request<Bytes>, origin: Origin) -> WireRequest {
        let (parts, body) = request.into_parts();
        WireRequest { parts, body, origin }
    }

    /// The `Host` header, or the URI's authority when the header is missing (the in-process
    /// transport sends none).
    pub fn host(&self) -> &str {
        self.parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| self.parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or_default()
    }

    /// A header's value as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The raw path, exactly as sent.
    pub fn path(&self) -> &str {
        self.parts.uri.path()
    }

    /// The raw query string, without `?`.
    pub fn query(&self) -> &str {
        self.parts.uri.query().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    #[test]
    fn ip_text_is_the_display_text() {
        for a in [0u8, 1, 9, 10, 99, 100, 199, 255] {
            for b in [0u8, 7, 42, 200] {
                let ip = IpAddr::V4(Ipv4Addr::new(a, b, 255 - a, 100 - b / 3));
                assert_eq!(super::ip_text(ip), ip.to_string());
            }
        }
        let v6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
        assert_eq!(super::ip_text(v6), "::1");
    }
}
