//! What an operation answers, before it becomes an HTTP response: status, headers, body. Every
//! response carries S3's two request ids (the SDK reads them from these headers only: WIRE.md
//! §9), derived from the world's seed and the request number so they never churn.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderName, HeaderValue};

use super::S3Error;
use crate::live::Live;

/// An operation's answer.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    /// Names and values as written by the operation: most are constants, kept without a copy.
    pub(crate) headers: Vec<(Cow<'static, str>, Cow<'static, str>)>,
    pub(crate) body: Bytes,
}

impl Reply {
    /// 200 with no body.
    pub(crate) fn ok() -> Reply {
        Reply { status: 200, headers: Vec::new(), body: Bytes::new() }
    }

    /// 204 No Content.
    pub(crate) fn no_content() -> Reply {
        Reply { status: 204, headers: Vec::new(), body: Bytes::new() }
    }

    /// 200 with an XML document.
    pub(crate) fn xml(body: Vec<u8>) -> Reply {
        Reply { status: 200, headers: vec![("content-type".into(), "application/xml".into())], body: Bytes::from(body) }
    }

    /// An S3 error document. A 416 also says the object's size in `Content-Range: bytes */SIZE`,
    /// as RFC 9110 §15.5.17 asks and S3 does.
    pub(crate) fn error(error: &S3Error, request_id: &str, host_id: &str) -> Reply {
        let mut headers: Vec<(Cow<'static, str>, Cow<'static, str>)> =
            vec![("content-type".into(), "application/xml".into())];
        if let Some((_, size)) = error.fields.iter().find(|(name, _)| *name == "ActualObjectSize") {
            headers.push(("content-range".into(), format!("bytes */{size}").into()));
        }
        Reply { status: error.status, headers, body: Bytes::from(error.to_xml(request_id, host_id)) }
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Cow<'static, str>>) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the status.
    pub(crate) fn status(mut self, status: u16) -> Reply {
        self.status = status;
        self
    }

    /// The HTTP response. A `HEAD` response has no body, errors included ("the response to a
    /// HEAD request contains no body", so `HeadObject`'s 404 has no `<Error>`): its
    /// `Content-Length` stays what a `GET` would send, as the operation set it.
    pub(crate) fn into_response(self, method: &http::Method, request_id: &str, host_id: &str) -> http::Response<Bytes> {
        let head = *method == http::Method::HEAD;
        let mut headers = self.headers;
        if !head || !headers.iter().any(|(n, _)| n == "content-length") {
            headers.retain(|(n, _)| n != "content-length");
            headers.push(("content-length".into(), if head { "0".into() } else { self.body.len().to_string().into() }));
        }
        let body = if head { Bytes::new() } else { self.body };
        let mut response = http::Response::new(body);
        *response.status_mut() =
            http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let map = response.headers_mut();
        // Sized once: growing a header map rehashes it.
        map.reserve(headers.len() + 2);
        for (name, value) in headers {
            // Names and values come from stored metadata; one that is not valid in a header is
            // dropped rather than answered with a broken response.
            if let (Some(name), Some(value)) = (header_name(name), header_value(value)) {
                map.append(name, value);
            }
        }
        if let Ok(id) = http::HeaderValue::from_str(request_id) {
            map.insert("x-amz-request-id", id);
        }
        if let Ok(id) = http::HeaderValue::from_str(host_id) {
            map.insert("x-amz-id-2", id);
        }
        response
    }
}

/// A header name without copying a constant one (`from_static` only after the check that
/// keeps it from panicking: a lowercase token).
fn header_name(name: Cow<'static, str>) -> Option<HeaderName> {
    match name {
        Cow::Borrowed(name)
            if !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b)) =>
        {
            Some(HeaderName::from_static(name))
        }
        name => HeaderName::from_bytes(name.as_bytes()).ok(),
    }
}

/// A header value without copying: a constant is used in place (after the check that keeps
/// `from_static` from panicking: visible ASCII and spaces), an owned one is moved in.
fn header_value(value: Cow<'static, str>) -> Option<HeaderValue> {
    match value {
        Cow::Borrowed(value) if value.bytes().all(|b| (b' '..=b'~').contains(&b)) => {
            Some(HeaderValue::from_static(value))
        }
        Cow::Borrowed(value) => HeaderValue::from_str(value).ok(),
        Cow::Owned(value) => HeaderValue::try_from(value).ok(),
    }
}

/// The `x-amz-request-id` (16 uppercase hex digits, like `4442587FB7D0A2F9`) and `x-amz-id-2`
/// (opaque base64 text) of request number `n`.
pub(crate) fn request_ids(live: &Live, n: u64) -> (String, String) {
    let ids = live.model().ids();
    let scope = n.to_string();
    let mut request_id = ids.opaque_hex("s3-request", &scope, 16);
    request_id.make_ascii_uppercase();
    (request_id, ids.opaque("s3-host", &scope, 76))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_headers_never_panic_and_keep_their_text() {
        // A constant that `from_static` would refuse takes the checked path instead.
        assert_eq!(header_name(Cow::Borrowed("Content-Type")).map(|n| n.to_string()), Some("content-type".to_owned()));
        assert_eq!(header_name(Cow::Borrowed("x-amz-meta-a b")), None);
        assert_eq!(header_name(Cow::Borrowed("")), None);
        assert_eq!(header_value(Cow::Borrowed("a\tb")).as_ref().map(HeaderValue::as_bytes), Some(&b"a\tb"[..]));
        assert_eq!(header_value(Cow::Borrowed("bad\nvalue")), None);
        assert_eq!(header_value(Cow::Owned("bad\r\nvalue".to_owned())), None);
        assert_eq!(header_value(Cow::Borrowed("AES256")), Some(HeaderValue::from_static("AES256")));
        assert_eq!(header_value(Cow::Owned("\"etag\"".to_owned())), Some(HeaderValue::from_static("\"etag\"")));
    }
}
