//! SigV4 verification, pure: no clock of its own, no world, no I/O.
//!
//! A request goes through four steps, each a function:
//!
//! 1. [`parse`] reads what the request claims (the `Authorization` header or a presigned URL's
//!    `X-Amz-*` parameters): access key, credential scope, signed headers, signature, date,
//!    session token. `None` means the request is not signed at all (anonymous).
//! 2. [`check_scope`] and [`check_time`] check the claim against the answering service's
//!    region and name, and against the world's clock.
//! 3. [`verify`] recomputes the signature with the secret of the named key, from the request
//!    exactly as it arrived (raw path, the request's own `SignedHeaders`), and compares in
//!    constant time.
//! 4. For S3 uploads in `aws-chunked` encoding, [`chunked::decode`] checks every chunk's
//!    signature, the trailer's signature and checksum, and returns the data.
//!
//! Every failure is an [`AuthError`]; [`AuthError::aws_error`] gives the code, status, message
//! and extra elements the service (`"s3"`, `"sts"`) answers with.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use iamsim::auth::{self, CanonicalUri};
//!
//! // The example request of AWS's "Signature Version 4 signing process" documentation.
//! let request = http::Request::get("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
//!     .header("host", "iam.amazonaws.com")
//!     .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
//!     .header("x-amz-date", "20150830T123600Z")
//!     .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
//!         SignedHeaders=content-type;host;x-amz-date, \
//!         Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
//!     .body(())?;
//! let (parts, ()) = request.into_parts();
//!
//! let signed = auth::parse(&parts)?.expect("the request is signed");
//! assert_eq!(signed.access_key_id, "AKIDEXAMPLE");
//! auth::check_scope(&signed, "us-east-1", "iam")?;
//! auth::check_time(&signed, UNIX_EPOCH + Duration::from_secs(1_440_938_160 + 60))?;
//! auth::verify(&signed, &parts, b"", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", CanonicalUri::Standard)?;
//!
//! let wrong = auth::verify(&signed, &parts, b"", "not the secret", CanonicalUri::Standard).unwrap_err();
//! assert_eq!(wrong.aws_error("sts").code, "SignatureDoesNotMatch");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use hmac::{Hmac, KeyInit, Mac};
use http::request::Parts;
use sha2::Sha256;

mod canonical;
pub mod chunked;
mod date;
mod error;

pub use error::{AuthError, AwsError, ExpiresProblem, Placement};

/// How the path becomes the canonical URI.
///
/// ```
/// use iamsim::auth::CanonicalUri;
/// assert_ne!(CanonicalUri::S3, CanonicalUri::Standard);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CanonicalUri {
    /// S3: the raw path as received (already encoded once), never normalized. Also turns on
    /// S3's own rules: `x-amz-content-sha256` required and signed, every `x-amz-*` header signed,
    /// `UNSIGNED-PAYLOAD` for presigned URLs.
    S3,
    /// Every other service (STS): dot segments removed, then encoded once more.
    Standard,
}

/// The credential scope: `<date>/<region>/<service>/aws4_request`.
///
/// ```
/// use iamsim::auth::CredentialScope;
/// let scope = CredentialScope { date: "20261122".into(), region: "us-east-1".into(), service: "sts".into() };
/// assert_eq!(scope.to_string(), "20261122/us-east-1/sts/aws4_request");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CredentialScope {
    /// `yyyymmdd`.
    pub date: String,
    /// `us-east-1`...
    pub region: String,
    /// `sts`, `s3`...
    pub service: String,
}

impl fmt::Display for CredentialScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/aws4_request", self.date, self.region, self.service)
    }
}

/// Where the signature is, and for a presigned URL how long it is valid.
///
/// ```
/// use std::time::Duration;
/// use iamsim::auth::SignatureLocation;
/// let presigned = SignatureLocation::Query { expires: Duration::from_secs(300) };
/// assert_ne!(presigned, SignatureLocation::Header);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureLocation {
    /// The `Authorization` header.
    Header,
    /// The query string of a presigned URL.
    Query {
        /// `X-Amz-Expires`.
        expires: Duration,
    },
}

impl SignatureLocation {
    fn placement(self) -> Placement {
        match self {
            SignatureLocation::Header => Placement::Header,
            SignatureLocation::Query { .. } => Placement::Query,
        }
    }
}

/// What a signed request claims, parsed but not yet verified.
///
/// ```
/// use iamsim::auth;
///
/// let request = http::Request::post("http://127.0.0.1:4566/")
///     .header("x-amz-date", "20261122T204322Z")
///     .header("x-amz-security-token", "FwoGZXIvYXdzEXAMPLE")
///     .header("authorization", "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261122/us-east-1/sts/aws4_request, \
///         SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=0123abcd")
///     .body(())?;
/// let signed = auth::parse(&request.into_parts().0)?.expect("signed");
/// assert_eq!(signed.scope.service, "sts");
/// assert_eq!(signed.signed_headers, ["host", "x-amz-date", "x-amz-security-token"]);
/// assert_eq!(signed.security_token.as_deref(), Some("FwoGZXIvYXdzEXAMPLE"));
/// assert_eq!(signed.content_sha256, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedRequest {
    /// The access key the request names.
    pub access_key_id: String,
    /// Date, region and service of the credential.
    pub scope: CredentialScope,
    /// The request's own `SignedHeaders` list, in its order, as sent (SDKs send them lowercase
    /// and sorted).
    pub signed_headers: Vec<String>,
    /// The signature, as sent (lowercase hex from every SDK).
    pub signature: String,
    /// `x-amz-date` / `X-Amz-Date`, or the `Date` header when there is no `x-amz-date`.
    pub amz_date: SystemTime,
    /// Header or presigned query.
    pub location: SignatureLocation,
    /// `x-amz-security-token` header, or `X-Amz-Security-Token` query parameter.
    pub security_token: Option<String>,
    /// `x-amz-content-sha256` as sent (for a presigned URL, also `X-Amz-Content-Sha256`).
    pub content_sha256: Option<String>,
}

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);
const MAX_EXPIRES: u64 = 604_800;

/// The parameters a presigned URL must carry, in the order S3 names them.
const PRESIGNED_PARAMETERS: [&str; 6] =
    ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"];

/// Reads the signature a request claims. `Ok(None)`: the request is not signed at all
/// (anonymous). `Err`: it tries to be signed but is malformed.
///
/// ```
/// use iamsim::auth::{self, AuthError};
///
/// let anonymous = http::Request::get("http://127.0.0.1:1/public/index.html").body(())?.into_parts().0;
/// assert_eq!(auth::parse(&anonymous)?, None);
///
/// let half = http::Request::get("http://127.0.0.1:1/?X-Amz-Algorithm=AWS4-HMAC-SHA256").body(())?.into_parts().0;
/// assert!(matches!(auth::parse(&half), Err(AuthError::MissingQueryParameters { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse(parts: &Parts) -> Result<Option<SignedRequest>, AuthError> {
    let query = parts.uri.query().unwrap_or_default();
    let pairs = canonical::query_pairs(query);
    let presigned = pairs
        .iter()
        .any(|(name, _)| matches!(name.as_slice(), b"X-Amz-Algorithm" | b"X-Amz-Credential" | b"X-Amz-Signature"));
    match parts.headers.get(http::header::AUTHORIZATION) {
        Some(_) if presigned => Err(AuthError::MultipleAuthMechanisms),
        Some(value) => parse_header(&header_str(value), parts).map(Some),
        None if presigned => parse_query(&pairs, parts).map(Some),
        None => Ok(None),
    }
}

fn header_text(parts: &Parts, name: &str) -> Option<String> {
    parts.headers.get(name).map(|value| header_str(value).into_owned())
}

/// A header's value as text: borrowed when it is visible ASCII (what every signer sends),
/// otherwise read as UTF-8 with replacement characters.
fn header_str(value: &http::HeaderValue) -> std::borrow::Cow<'_, str> {
    match value.to_str() {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(value.as_bytes()),
    }
}

fn parse_header(header: &str, parts: &Parts) -> Result<SignedRequest, AuthError> {
    let trimmed = header.trim();
    let (algorithm, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
    if algorithm != ALGORITHM {
        return Err(AuthError::UnsupportedAlgorithm { value: header.to_owned(), placement: Placement::Header });
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for component in rest.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let Some((key, value)) = component.split_once('=') else {
            return Err(AuthError::MalformedComponent { component: component.to_owned(), header: header.to_owned() });
        };
        let slot = match key.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.trim());
        }
    }
    let header_value = |name: &str| parts.headers.get(name).map(header_str);
    let date_text = header_value("x-amz-date").map(|v| (v, true)).or_else(|| header_value("date").map(|v| (v, false)));
    let mut missing = Vec::new();
    for (name, present) in [
        ("Credential", credential.is_some()),
        ("Signature", signature.is_some()),
        ("SignedHeaders", signed_headers.is_some()),
        ("Date", date_text.is_some()),
    ] {
        if !present {
            missing.push(name);
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some((date_text, amz))) =
        (credential, signed_headers, signature, date_text)
    else {
        return Err(AuthError::IncompleteSignature { missing, header: header.to_owned() });
    };
    let (access_key_id, scope) = parse_credential(credential, Placement::Header)?;
    let parsed = if amz { date::parse_amz_date(&date_text) } else { date::parse_http_date(&date_text) };
    let amz_date = parsed.ok_or_else(|| AuthError::InvalidDate {
        value: date_text.clone().into_owned(),
        placement: Placement::Header,
    })?;
    check_scope_date(&scope, amz_date, &date_text, Placement::Header)?;
    Ok(SignedRequest {
        access_key_id,
        scope,
        signed_headers: split_signed_headers(signed_headers),
        signature: signature.to_owned(),
        amz_date,
        location: SignatureLocation::Header,
        security_token: header_text(parts, "x-amz-security-token"),
        content_sha256: header_text(parts, "x-amz-content-sha256"),
    })
}

fn parse_query(pairs: &[(Vec<u8>, Vec<u8>)], parts: &Parts) -> Result<SignedRequest, AuthError> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n.as_slice() == name.as_bytes())
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    let missing: Vec<&'static str> =
        PRESIGNED_PARAMETERS.into_iter().filter(|name| get(name).is_none_or(|v| v.is_empty())).collect();
    let (Some(algorithm), Some(credential), Some(signature), Some(date_text), Some(signed_headers), Some(expires)) = (
        get("X-Amz-Algorithm"),
        get("X-Amz-Credential"),
        get("X-Amz-Signature"),
        get("X-Amz-Date"),
        get("X-Amz-SignedHeaders"),
        get("X-Amz-Expires"),
    ) else {
        return Err(AuthError::MissingQueryParameters { missing });
    };
    if !missing.is_empty() {
        return Err(AuthError::MissingQueryParameters { missing });
    }
    if algorithm != ALGORITHM {
        return Err(AuthError::UnsupportedAlgorithm { value: algorithm, placement: Placement::Query });
    }
    let (access_key_id, scope) = parse_credential(&credential, Placement::Query)?;
    let amz_date = date::parse_amz_date(&date_text)
        .ok_or_else(|| AuthError::InvalidDate { value: date_text.clone(), placement: Placement::Query })?;
    check_scope_date(&scope, amz_date, &date_text, Placement::Query)?;
    let expires = parse_expires(&expires)?;
    Ok(SignedRequest {
        access_key_id,
        scope,
        signed_headers: split_signed_headers(&signed_headers),
        signature,
        amz_date,
        location: SignatureLocation::Query { expires },
        security_token: get("X-Amz-Security-Token").or_else(|| header_text(parts, "x-amz-security-token")),
        content_sha256: header_text(parts, "x-amz-content-sha256").or_else(|| get("X-Amz-Content-Sha256")),
    })
}

/// `X-Amz-Expires`: whole seconds, 0 to 604800. A value above a week is rejected here for every
/// service; STS otherwise ignores it (see [`check_time`]).
fn parse_expires(value: &str) -> Result<Duration, AuthError> {
    let invalid = |problem| AuthError::InvalidExpires { value: value.to_owned(), problem };
    if let Some(negative) = value.strip_prefix('-') {
        return Err(invalid(if negative.parse::<u64>().is_ok() {
            ExpiresProblem::Negative
        } else {
            ExpiresProblem::NotANumber
        }));
    }
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(ExpiresProblem::NotANumber));
    }
    match value.parse::<u64>() {
        Ok(seconds) if seconds <= MAX_EXPIRES => Ok(Duration::from_secs(seconds)),
        _ => Err(invalid(ExpiresProblem::TooLarge)),
    }
}

fn parse_credential(credential: &str, placement: Placement) -> Result<(String, CredentialScope), AuthError> {
    let malformed = || AuthError::MalformedCredential { credential: credential.to_owned(), placement };
    let mut parts = credential.split('/');
    let (Some(key), Some(day), Some(region), Some(service), Some(terminator), None) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    if key.is_empty()
        || region.is_empty()
        || service.is_empty()
        || terminator != "aws4_request"
        || date::parse_date8(day).is_none()
    {
        return Err(malformed());
    }
    Ok((
        key.to_owned(),
        CredentialScope { date: day.to_owned(), region: region.to_owned(), service: service.to_owned() },
    ))
}

fn check_scope_date(
    scope: &CredentialScope,
    amz_date: SystemTime,
    date_text: &str,
    placement: Placement,
) -> Result<(), AuthError> {
    if date::is_day(amz_date, &scope.date) {
        Ok(())
    } else {
        Err(AuthError::CredentialDateMismatch {
            scope_date: scope.date.clone(),
            amz_date: date_text.to_owned(),
            placement,
        })
    }
}

fn split_signed_headers(list: &str) -> Vec<String> {
    list.split(';').map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned).collect()
}

/// Checks that the credential is scoped to the answering `region` and `service`.
///
/// ```
/// use iamsim::auth::{self, AuthError};
///
/// let request = http::Request::get("http://127.0.0.1:1/b/k")
///     .header("x-amz-date", "20261122T204322Z")
///     .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/eu-west-1/s3/aws4_request, \
///         SignedHeaders=host;x-amz-date, Signature=00")
///     .body(())?;
/// let signed = auth::parse(&request.into_parts().0)?.expect("signed");
/// let error = auth::check_scope(&signed, "us-east-1", "s3").unwrap_err();
/// assert!(matches!(error, AuthError::WrongRegion { .. }));
/// assert_eq!(error.aws_error("s3").message, "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_scope(signed: &SignedRequest, region: &str, service: &str) -> Result<(), AuthError> {
    let placement = signed.location.placement();
    if signed.scope.service != service {
        return Err(AuthError::WrongService {
            got: signed.scope.service.clone(),
            expected: service.to_owned(),
            placement,
        });
    }
    if signed.scope.region != region {
        return Err(AuthError::WrongRegion {
            got: signed.scope.region.clone(),
            expected: region.to_owned(),
            placement,
        });
    }
    Ok(())
}

/// Checks the request's date against `now`, the world's clock.
///
/// - Signed in the header: at most 15 minutes either way ([`AuthError::RequestTimeTooSkewed`]).
/// - Presigned for S3 (the scope's service is `s3`): `X-Amz-Expires` at most 604800; not used
///   after `X-Amz-Date + X-Amz-Expires` ([`AuthError::PresignedExpired`]); not dated more than
///   15 minutes ahead ([`AuthError::PresignedNotYetValid`]).
/// - Presigned for any other service: STS ignores `X-Amz-Expires` and accepts a presigned
///   request for 15 minutes either way of its date, like a header-signed one
///   (<https://github.com/aws/aws-sdk-go/issues/2167>,
///   <https://github.com/kubernetes-sigs/aws-iam-authenticator/pull/160>).
///
/// ```
/// use std::time::Duration;
/// use iamsim::auth::{self, AuthError};
///
/// let request = http::Request::post("http://127.0.0.1:1/")
///     .header("x-amz-date", "20261122T204322Z")
///     .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/sts/aws4_request, \
///         SignedHeaders=host;x-amz-date, Signature=00")
///     .body(())?;
/// let signed = auth::parse(&request.into_parts().0)?.expect("signed");
/// auth::check_time(&signed, signed.amz_date + Duration::from_secs(900))?;
/// let late = auth::check_time(&signed, signed.amz_date + Duration::from_secs(901)).unwrap_err();
/// assert!(matches!(late, AuthError::RequestTimeTooSkewed { .. }));
/// assert_eq!(late.aws_error("sts").message,
///     "Signature expired: 20261122T204322Z is now earlier than 20261122T204323Z (20261122T205823Z - 15 min.)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_time(signed: &SignedRequest, now: SystemTime) -> Result<(), AuthError> {
    let skewed = || AuthError::RequestTimeTooSkewed {
        request_time: signed.amz_date,
        server_time: now,
        max_allowed_skew: MAX_SKEW,
    };
    let within_skew = |t: SystemTime| {
        let distance = now.duration_since(t).or_else(|_| t.duration_since(now)).unwrap_or(Duration::MAX);
        distance <= MAX_SKEW
    };
    match signed.location {
        SignatureLocation::Query { expires } if signed.scope.service == "s3" => {
            if expires.as_secs() > MAX_EXPIRES {
                return Err(AuthError::InvalidExpires {
                    value: expires.as_secs().to_string(),
                    problem: ExpiresProblem::TooLarge,
                });
            }
            let expires_at = date::add(signed.amz_date, expires).unwrap_or(signed.amz_date);
            if date::sub(signed.amz_date, MAX_SKEW).is_some_and(|earliest| now < earliest) {
                return Err(AuthError::PresignedNotYetValid {
                    amz_date: signed.amz_date,
                    expires_at,
                    server_time: now,
                });
            }
            if now > expires_at {
                return Err(AuthError::PresignedExpired {
                    amz_date: signed.amz_date,
                    expires,
                    expires_at,
                    server_time: now,
                });
            }
            Ok(())
        }
        _ if within_skew(signed.amz_date) => Ok(()),
        _ => Err(skewed()),
    }
}

/// The payload literals S3 accepts in `x-amz-content-sha256` besides a hex SHA-256.
const PAYLOAD_LITERALS: [&str; 6] = [
    "UNSIGNED-PAYLOAD",
    "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
];

fn is_hex_sha256(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Recomputes the signature with `secret` and compares it, in constant time, with the one the
/// request carries.
///
/// - The canonical request is built from `parts` exactly as received: method, raw path (for
///   [`CanonicalUri::S3`]) or normalized and re-encoded path ([`CanonicalUri::Standard`]),
///   every query parameter (minus `X-Amz-Signature` when presigned), and the headers the
///   request's own `SignedHeaders` names. A missing `Host` header is taken from the URI
///   authority without a default port, as `aws-sigv4` signs it.
/// - The payload hash is `x-amz-content-sha256` as sent (a hex hash, `UNSIGNED-PAYLOAD` or a
///   `STREAMING-*` literal); without it, `UNSIGNED-PAYLOAD` for a presigned S3 URL, otherwise
///   `hex(sha256(body))` (STS).
/// - After the signature matches, a hex `x-amz-content-sha256` must be the body's hash
///   ([`AuthError::ContentSha256Mismatch`], S3's `XAmzContentSHA256Mismatch`). Streaming
///   bodies are checked by [`chunked::decode`].
/// - `host` must be signed. With [`CanonicalUri::S3`]: `x-amz-content-sha256` must be present
///   (header-signed requests), valid and signed, and every `x-amz-*` header present must be
///   signed.
///
/// ```
/// use iamsim::auth::{self, AuthError, CanonicalUri};
///
/// // AWS's documented example request (see the module documentation), with a body the
/// // signature does not cover: the payload hash no longer matches.
/// let request = http::Request::get("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
///     .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
///     .header("x-amz-date", "20150830T123600Z")
///     .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
///         SignedHeaders=content-type;host;x-amz-date, \
///         Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
///     .body(())?;
/// let (parts, ()) = request.into_parts();
/// let signed = auth::parse(&parts)?.expect("signed");
/// let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// auth::verify(&signed, &parts, b"", secret, CanonicalUri::Standard)?;
/// let error = auth::verify(&signed, &parts, b"Action=DeleteUser", secret, CanonicalUri::Standard).unwrap_err();
/// let AuthError::SignatureDoesNotMatch { canonical_request, .. } = &error else { panic!("{error}") };
/// assert!(canonical_request.starts_with("GET\n/\nAction=ListUsers&Version=2010-05-08\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify(
    signed: &SignedRequest,
    parts: &Parts,
    body: &[u8],
    secret: &str,
    uri: CanonicalUri,
) -> Result<(), AuthError> {
    verify_request(signed, parts, body, secret, uri, None)
}

/// [`verify`], with the signing key taken from (or added to) `keys`: the same checks and the
/// same errors, without deriving the key again for every request of one day.
///
/// ```
/// use iamsim::auth::{self, CanonicalUri, SigningKeys};
///
/// let request = http::Request::get("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08")
///     .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
///     .header("x-amz-date", "20150830T123600Z")
///     .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
///         SignedHeaders=content-type;host;x-amz-date, \
///         Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
///     .body(())?;
/// let (parts, ()) = request.into_parts();
/// let signed = auth::parse(&parts)?.expect("signed");
/// let keys = SigningKeys::default();
/// let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// auth::verify_with(&signed, &parts, b"", secret, CanonicalUri::Standard, &keys)?;
/// auth::verify_with(&signed, &parts, b"", secret, CanonicalUri::Standard, &keys)?; // from the cache
/// assert_eq!(keys.len(), 1);
/// assert!(auth::verify_with(&signed, &parts, b"", "not the secret", CanonicalUri::Standard, &keys).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_with(
    signed: &SignedRequest,
    parts: &Parts,
    body: &[u8],
    secret: &str,
    uri: CanonicalUri,
    keys: &SigningKeys,
) -> Result<(), AuthError> {
    verify_request(signed, parts, body, secret, uri, Some(keys))
}

fn verify_request(
    signed: &SignedRequest,
    parts: &Parts,
    body: &[u8],
    secret: &str,
    uri: CanonicalUri,
    keys: Option<&SigningKeys>,
) -> Result<(), AuthError> {
    let is_signed = |name: &str| signed.signed_headers.iter().any(|h| h.eq_ignore_ascii_case(name));
    if !is_signed("host") {
        return Err(AuthError::HostNotSigned);
    }
    let presigned = matches!(signed.location, SignatureLocation::Query { .. });
    if uri == CanonicalUri::S3 {
        check_s3_rules(signed, parts, presigned, &is_signed)?;
    }
    let payload_hash = match (&signed.content_sha256, presigned, uri) {
        (Some(value), _, _) => value.clone(),
        (None, true, CanonicalUri::S3) => "UNSIGNED-PAYLOAD".to_owned(),
        (None, _, _) => canonical::sha256_hex(body),
    };
    let canonical_request = canonical::canonical_request(signed, parts, &payload_hash, uri);
    let amz_date = date::format_basic_or_unknown(signed.amz_date);
    let string_to_sign = canonical::string_to_sign(&amz_date, &signed.scope, &canonical_request);
    let expected = match keys {
        Some(keys) => keys.mac(secret, &signed.scope).map(|mac| sign_with(mac, string_to_sign.as_bytes())),
        None => signature(secret, &signed.scope, string_to_sign.as_bytes()),
    };
    if !expected.as_deref().is_some_and(|e| canonical::constant_time_eq(e.as_bytes(), signed.signature.as_bytes())) {
        return Err(AuthError::SignatureDoesNotMatch {
            access_key_id: signed.access_key_id.clone(),
            signature_provided: signed.signature.clone(),
            string_to_sign,
            canonical_request: String::from_utf8_lossy(&canonical_request).into_owned(),
        });
    }
    if let Some(client) = signed.content_sha256.as_deref().filter(|v| is_hex_sha256(v)) {
        let computed = canonical::sha256_hex(body);
        if !client.eq_ignore_ascii_case(&computed) {
            return Err(AuthError::ContentSha256Mismatch { client: client.to_owned(), computed });
        }
    }
    Ok(())
}

fn check_s3_rules(
    signed: &SignedRequest,
    parts: &Parts,
    presigned: bool,
    is_signed: &dyn Fn(&str) -> bool,
) -> Result<(), AuthError> {
    match signed.content_sha256.as_deref() {
        None if !presigned => return Err(AuthError::MissingContentSha256),
        Some(value) if !is_hex_sha256(value) && !PAYLOAD_LITERALS.contains(&value) => {
            return Err(AuthError::InvalidContentSha256 { value: value.to_owned() });
        }
        _ => {}
    }
    if parts.headers.contains_key("x-amz-content-sha256") && !is_signed("x-amz-content-sha256") {
        return Err(AuthError::ContentSha256NotSigned);
    }
    let mut unsigned: Vec<String> = parts
        .headers
        .keys()
        .map(http::HeaderName::as_str)
        .filter(|name| name.starts_with("x-amz-") && !is_signed(name))
        .map(str::to_owned)
        .collect();
    unsigned.dedup();
    if unsigned.is_empty() { Ok(()) } else { Err(AuthError::HeadersNotSigned { headers: unsigned }) }
}

/// The signing key for the scope's day, region and service (the key is derived from the
/// credential scope's date, as AWS derives it), then the HMAC of `string_to_sign`.
fn signing_key(secret: &str, scope: &CredentialScope) -> Option<impl AsRef<[u8]>> {
    let day = date::date8_midnight(&scope.date)?;
    Some(aws_sigv4::sign::v4::generate_signing_key(secret, day, &scope.region, &scope.service))
}

fn signature(secret: &str, scope: &CredentialScope, string_to_sign: &[u8]) -> Option<String> {
    let key = signing_key(secret, scope)?;
    Some(sign(key, string_to_sign))
}

fn sign(key: impl AsRef<[u8]>, string_to_sign: &[u8]) -> String {
    aws_sigv4::sign::v4::calculate_signature(key, string_to_sign)
}

/// `hex(HMAC-SHA256(key, string_to_sign))` from the MAC already keyed with the signing key: the
/// same value as [`sign`], without hashing the key's padded blocks again.
fn sign_with(mut mac: Hmac<Sha256>, string_to_sign: &[u8]) -> String {
    mac.update(string_to_sign);
    let mut out = String::with_capacity(64);
    canonical::push_hex(&mac.finalize().into_bytes(), &mut out);
    out
}

/// How many derived keys a [`SigningKeys`] keeps: keys change only with the day, so a world
/// signs with few of them at a time.
const SIGNING_KEYS_KEPT: usize = 64;

/// Signing keys already derived (`HMAC` four times from the secret, the scope's day, region and
/// service), by secret and credential scope, so a world does not derive the same key for every
/// request. Bounded: past `SIGNING_KEYS_KEPT` (64) keys the oldest is forgotten. Safe to share
/// between threads.
///
/// ```
/// use iamsim::auth::SigningKeys;
/// let keys = SigningKeys::default();
/// assert!(keys.is_empty());
/// assert_eq!(format!("{keys:?}"), "SigningKeys { len: 0, .. }"); // never the secrets
/// ```
#[derive(Default)]
pub struct SigningKeys {
    entries: std::sync::Mutex<Vec<CachedKey>>,
}

struct CachedKey {
    secret: Box<str>,
    scope: CredentialScope,
    /// HMAC-SHA256 keyed with the signing key, ready to take a string to sign.
    mac: Hmac<Sha256>,
}

impl fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeys").field("len", &self.len()).finish_non_exhaustive()
    }
}

impl SigningKeys {
    /// How many keys are kept.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    /// Whether no key is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The HMAC keyed with the signing key of `secret` for `scope`, derived once; `None` for a
    /// scope whose date is not a day (never kept).
    fn mac(&self, secret: &str, scope: &CredentialScope) -> Option<Hmac<Sha256>> {
        let found = |entries: &[CachedKey]| {
            entries.iter().find(|e| *e.secret == *secret && e.scope == *scope).map(|e| e.mac.clone())
        };
        if let Some(mac) = found(&self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)) {
            return Some(mac);
        }
        let mac = Hmac::<Sha256>::new_from_slice(signing_key(secret, scope)?.as_ref()).ok()?;
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if found(&entries).is_none() {
            if entries.len() >= SIGNING_KEYS_KEPT {
                entries.remove(0);
            }
            entries.push(CachedKey { secret: secret.into(), scope: scope.clone(), mac: mac.clone() });
        }
        Some(mac)
    }
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "sdk"))]
mod sdk_tests;
