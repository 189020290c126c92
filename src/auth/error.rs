//! Why a request failed authentication, and how each AWS service answers it.
//!
//! Every code, HTTP status and message below is the one the service returns, with the page it
//! was taken from next to it. Where no page with the exact wording was found, the comment
//! says so.

use std::fmt;
use std::time::{Duration, SystemTime};

use super::date;

/// Where the request put its signature, for errors that AWS words differently for the
/// `Authorization` header and for presigned query parameters.
///
/// ```
/// use iamsim::auth::{AuthError, Placement};
///
/// let wrong = |placement| AuthError::WrongRegion { got: "eu-west-1".into(), expected: "us-east-1".into(), placement };
/// // S3 words the same problem differently for a header and for a presigned URL.
/// assert_eq!(wrong(Placement::Header).aws_error("s3").code, "AuthorizationHeaderMalformed");
/// assert_eq!(wrong(Placement::Query).aws_error("s3").code, "AuthorizationQueryParametersError");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// The `Authorization` header.
    Header,
    /// The `X-Amz-*` query parameters of a presigned URL.
    Query,
}

/// What is wrong with an `X-Amz-Expires` value.
///
/// ```
/// use iamsim::auth::{AuthError, ExpiresProblem};
///
/// let error = AuthError::InvalidExpires { value: "604801".into(), problem: ExpiresProblem::TooLarge };
/// let answer = error.aws_error("s3");
/// assert_eq!((answer.status, answer.code), (400, "AuthorizationQueryParametersError"));
/// assert!(answer.message.contains("less than 604800 seconds"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiresProblem {
    /// Not a whole number.
    NotANumber,
    /// Below zero.
    Negative,
    /// Above 604800 seconds (seven days).
    TooLarge,
}

/// Why a request failed authentication. [`AuthError::aws_error`] gives AWS's answer to it.
///
/// ```
/// use iamsim::auth::{AuthError, Placement};
///
/// let error = AuthError::MissingQueryParameters { missing: vec!["X-Amz-Signature"] };
/// assert_eq!(error.to_string(), "a presigned request lacks the `X-Amz-Signature` query parameter(s)");
/// assert_eq!(error.aws_error("s3").code, "AuthorizationQueryParametersError");
/// # let _ = Placement::Header;
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The `Authorization` header or `X-Amz-Algorithm` names something other than
    /// `AWS4-HMAC-SHA256` (SigV2, SigV4a, a bearer token...).
    #[error("unsupported authorization type `{value}`")]
    UnsupportedAlgorithm {
        /// The whole header value, or the `X-Amz-Algorithm` value.
        value: String,
        /// Header or query.
        placement: Placement,
    },
    /// Both an `Authorization` header and presigned query parameters.
    #[error("a request may carry an authorization header or presigned query parameters, not both")]
    MultipleAuthMechanisms,
    /// The `Authorization` header lacks `Credential`, `Signature` or `SignedHeaders`, or the
    /// request has neither `x-amz-date` nor `Date` (listed as `Date`).
    #[error("the authorization header lacks {}", missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "))]
    IncompleteSignature {
        /// `Credential`, `Signature`, `SignedHeaders` and/or `Date`, in that order.
        missing: Vec<&'static str>,
        /// The header as sent.
        header: String,
    },
    /// A part of the `Authorization` header is not `key=value`.
    #[error("`{component}` is not a key=value pair in the authorization header")]
    MalformedComponent {
        /// The offending part.
        component: String,
        /// The header as sent.
        header: String,
    },
    /// The credential is not `<access key id>/<yyyymmdd>/<region>/<service>/aws4_request`.
    #[error(
        "the credential `{credential}` is not of the form `<access key id>/<yyyymmdd>/<region>/<service>/aws4_request`"
    )]
    MalformedCredential {
        /// The credential as sent.
        credential: String,
        /// Header or query.
        placement: Placement,
    },
    /// `x-amz-date`, `Date` or `X-Amz-Date` is not a date in the required form.
    #[error("`{value}` is not a valid request date")]
    InvalidDate {
        /// The value as sent.
        value: String,
        /// Header or query.
        placement: Placement,
    },
    /// The credential scope's date is not the request date's day.
    #[error("the credential date `{scope_date}` is not the day of the request date `{amz_date}`")]
    CredentialDateMismatch {
        /// `yyyymmdd` from the credential.
        scope_date: String,
        /// The request date as sent.
        amz_date: String,
        /// Header or query.
        placement: Placement,
    },
    /// A presigned request lacks some of the six required `X-Amz-*` parameters.
    #[error("a presigned request lacks the {} query parameter(s)", missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "))]
    MissingQueryParameters {
        /// The missing parameter names.
        missing: Vec<&'static str>,
    },
    /// `X-Amz-Expires` is not a number of seconds from 0 to 604800.
    #[error("`X-Amz-Expires={value}` is not a valid expiry")]
    InvalidExpires {
        /// The value as sent.
        value: String,
        /// What is wrong with it.
        problem: ExpiresProblem,
    },
    /// `host` is not among the signed headers.
    #[error("the `host` header is not signed")]
    HostNotSigned,
    /// S3: headers that must be signed (`x-amz-*`) are present but not signed.
    #[error("headers {} are present but not signed", headers.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", "))]
    HeadersNotSigned {
        /// Their names, lowercase.
        headers: Vec<String>,
    },
    /// S3: a header-signed request without `x-amz-content-sha256`.
    #[error("the request has no `x-amz-content-sha256` header")]
    MissingContentSha256,
    /// S3: `x-amz-content-sha256` is neither a SHA-256 in hex nor a known literal.
    #[error("`x-amz-content-sha256: {value}` is neither a hex SHA-256 nor a known payload mode")]
    InvalidContentSha256 {
        /// The value as sent.
        value: String,
    },
    /// S3: `x-amz-content-sha256` is present but not signed.
    #[error("the `x-amz-content-sha256` header is not signed")]
    ContentSha256NotSigned,
    /// The signature recomputed with the secret differs from the request's.
    #[error("the signature does not match (string to sign `{string_to_sign}`)")]
    SignatureDoesNotMatch {
        /// The access key the request named.
        access_key_id: String,
        /// The signature the request carried.
        signature_provided: String,
        /// The string to sign the verifier computed.
        string_to_sign: String,
        /// The canonical request the verifier computed.
        canonical_request: String,
    },
    /// `x-amz-content-sha256` is a hex hash that is not the body's.
    #[error("`x-amz-content-sha256` is `{client}` but the body hashes to `{computed}`")]
    ContentSha256Mismatch {
        /// The header's value.
        client: String,
        /// `hex(sha256(body))`.
        computed: String,
    },
    /// A header-signed request (or, for services other than S3, a presigned one) dated more than
    /// the allowed skew away from the clock.
    #[error("the request time `{}` is more than {} s away from the clock `{}`", date::format_basic_or_unknown(*request_time), max_allowed_skew.as_secs(), date::format_basic_or_unknown(*server_time))]
    RequestTimeTooSkewed {
        /// The request's date.
        request_time: SystemTime,
        /// The clock's time.
        server_time: SystemTime,
        /// 15 minutes.
        max_allowed_skew: Duration,
    },
    /// S3: a presigned request dated more than the allowed skew in the future.
    #[error("the presigned request is dated `{}`, after the clock `{}`", date::format_basic_or_unknown(*amz_date), date::format_basic_or_unknown(*server_time))]
    PresignedNotYetValid {
        /// `X-Amz-Date`.
        amz_date: SystemTime,
        /// `X-Amz-Date` plus `X-Amz-Expires`.
        expires_at: SystemTime,
        /// The clock's time.
        server_time: SystemTime,
    },
    /// S3: a presigned request used after `X-Amz-Date` plus `X-Amz-Expires`.
    #[error("the presigned request expired at `{}`; the clock says `{}`", date::format_basic_or_unknown(*expires_at), date::format_basic_or_unknown(*server_time))]
    PresignedExpired {
        /// `X-Amz-Date`.
        amz_date: SystemTime,
        /// `X-Amz-Expires`.
        expires: Duration,
        /// `X-Amz-Date` plus `X-Amz-Expires`.
        expires_at: SystemTime,
        /// The clock's time.
        server_time: SystemTime,
    },
    /// The credential scope names another region than the one answering.
    #[error("the credential is scoped to region `{got}`, not `{expected}`")]
    WrongRegion {
        /// The scope's region.
        got: String,
        /// The answering region.
        expected: String,
        /// Header or query.
        placement: Placement,
    },
    /// The credential scope names another service than the one answering.
    #[error("the credential is scoped to service `{got}`, not `{expected}`")]
    WrongService {
        /// The scope's service.
        got: String,
        /// The answering service.
        expected: String,
        /// Header or query.
        placement: Placement,
    },
    /// aws-chunked: a chunk's or the trailer's signature does not match.
    #[error("the signature of {part} does not match")]
    ChunkSignatureDoesNotMatch {
        /// `chunk 3` or `the trailer`.
        part: String,
        /// The access key the request named.
        access_key_id: String,
        /// The signature the body carried.
        signature_provided: String,
        /// The string to sign the verifier computed.
        string_to_sign: String,
    },
    /// aws-chunked: the body is not a well-formed aws-chunked stream.
    #[error("malformed aws-chunked body: {reason}")]
    MalformedChunkedBody {
        /// What is wrong, for people.
        reason: String,
    },
    /// aws-chunked: no `x-amz-decoded-content-length` header.
    #[error("an aws-chunked request has no `x-amz-decoded-content-length` header")]
    MissingDecodedContentLength,
    /// aws-chunked: the decoded data is not as long as `x-amz-decoded-content-length` says.
    #[error("`x-amz-decoded-content-length` is {declared} but the chunks carry {actual} bytes")]
    DecodedLengthMismatch {
        /// The header's value as sent.
        declared: String,
        /// The bytes the chunks carry.
        actual: u64,
    },
    /// A declared trailer (`x-amz-trailer`) did not arrive.
    #[error("the trailer `{header}` declared by `x-amz-trailer` is missing")]
    MissingTrailer {
        /// The declared name.
        header: String,
    },
    /// `x-amz-trailer` names something other than an `x-amz-checksum-*` header.
    #[error("trailer `{header}` is not supported")]
    UnsupportedTrailer {
        /// The declared name.
        header: String,
    },
    /// A `x-amz-checksum-*` value is not the base64 of a checksum of the right size.
    #[error("`{header}: {value}` is not a valid checksum")]
    InvalidChecksum {
        /// `x-amz-checksum-crc32`...
        header: String,
        /// The value as sent.
        value: String,
    },
    /// A `x-amz-checksum-*` value is not the data's checksum.
    #[error("the {algorithm} checksum `{expected}` does not match the data's `{computed}`")]
    ChecksumMismatch {
        /// `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1` or `SHA256`.
        algorithm: &'static str,
        /// The base64 value the request carried.
        expected: String,
        /// The base64 value of the data.
        computed: String,
    },
    /// A streaming mode this verifier does not implement (the SigV4a `STREAMING-AWS4-ECDSA-*`).
    #[error("streaming payload mode `{value}` is not supported")]
    UnsupportedStreamingMode {
        /// The `x-amz-content-sha256` value.
        value: String,
    },
}

/// AWS's answer to a failed request: what the service puts on the wire.
///
/// For S3 the fields go into `<Error><Code/><Message/>{extra_fields}<RequestId/></Error>`; for
/// STS into `<ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error>…`.
///
/// ```
/// use iamsim::auth::AuthError;
///
/// let error = AuthError::ContentSha256Mismatch { client: "aa".into(), computed: "bb".into() };
/// let s3 = error.aws_error("s3");
/// assert_eq!((s3.status, s3.code), (400, "XAmzContentSHA256Mismatch"));
/// assert_eq!(s3.extra_fields, vec![("ClientComputedContentSHA256", "aa".to_owned()), ("S3ComputedContentSHA256", "bb".to_owned())]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    /// HTTP status.
    pub status: u16,
    /// AWS's error code.
    pub code: &'static str,
    /// AWS's message, verbatim.
    pub message: String,
    /// Further elements the service adds to its error, in AWS's order.
    pub extra_fields: Vec<(&'static str, String)>,
}

impl AwsError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> AwsError {
        AwsError { status, code, message: message.into(), extra_fields: Vec::new() }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> AwsError {
        self.extra_fields.push((name, value.into()));
        self
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

/// `41 57 53 34` — how S3 spells out the bytes of a string to sign or canonical request.
fn spaced_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for (i, byte) in text.bytes().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&hex::encode([byte]));
    }
    out
}

// S3's messages for a malformed credential, header or query form.
// https://github.com/krobertson/deb-s3/issues/157 (AuthorizationHeaderMalformed, S3's answer).
const S3_CREDENTIAL_FORM: &str =
    "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";

// awsQuery services (STS) answer SignatureDoesNotMatch with this message.
// https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html lists the code; the
// wording is AWS's as quoted in the brief and in aws-cli issue reports.
const QUERY_SIGNATURE_MESSAGE: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

// "The request signature does not conform to AWS standards." IncompleteSignature, 400 for
// awsQuery services: https://docs.amazonaws.cn/en_us/IAM/latest/APIReference/CommonErrors.md
// (IAM and STS share the awsQuery front end and its common-errors page).
const QUERY_INCOMPLETE_MESSAGE: &str = "The request signature does not conform to AWS standards.";

impl AuthError {
    /// AWS's error for this failure as `service` answers it: `"s3"` with S3's codes and extra
    /// elements, anything else (`"sts"`) with the awsQuery codes STS uses.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use iamsim::auth::AuthError;
    ///
    /// let skew = AuthError::RequestTimeTooSkewed {
    ///     request_time: UNIX_EPOCH + Duration::from_secs(1_779_000_000),
    ///     server_time: UNIX_EPOCH + Duration::from_secs(1_779_003_600),
    ///     max_allowed_skew: Duration::from_secs(900),
    /// };
    /// let s3 = skew.aws_error("s3");
    /// assert_eq!((s3.status, s3.code), (403, "RequestTimeTooSkewed"));
    /// assert_eq!(s3.extra_fields[2], ("MaxAllowedSkewMilliseconds", "900000".to_owned()));
    ///
    /// let sts = skew.aws_error("sts");
    /// assert_eq!((sts.status, sts.code), (403, "SignatureDoesNotMatch"));
    /// assert_eq!(sts.message, "Signature expired: 20260517T064000Z is now earlier than 20260517T072500Z (20260517T074000Z - 15 min.)");
    /// ```
    pub fn aws_error(&self, service: &str) -> AwsError {
        if service == "s3" { self.s3_error() } else { self.query_error() }
    }

    /// S3's codes: <https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html>
    /// (codes and statuses); messages and extra elements as S3 sends them, cited per arm.
    fn s3_error(&self) -> AwsError {
        match self {
            // https://github.com/versity/versitygw/issues/1705 quotes S3's answer, with
            // ArgumentName and ArgumentValue.
            AuthError::UnsupportedAlgorithm { value, placement: Placement::Header } => {
                AwsError::new(400, "InvalidArgument", "Unsupported Authorization Type")
                    .with("ArgumentName", "Authorization")
                    .with("ArgumentValue", value.clone())
            }
            // Wording as quoted in https://github.com/versity/versitygw/issues/1540 (the
            // expected S3-compatible answer; not confirmed against S3 itself).
            AuthError::UnsupportedAlgorithm { placement: Placement::Query, .. } => AwsError::new(
                400,
                "AuthorizationQueryParametersError",
                "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"",
            ),
            // S3's well-known answer when both are present (wording from S3's responses; no
            // page with it was found in the search corpus).
            AuthError::MultipleAuthMechanisms => AwsError::new(
                400,
                "InvalidArgument",
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
            )
            .with("ArgumentName", "Authorization"),
            // Date missing with the three components present: AccessDenied, 403.
            // https://github.com/gaul/s3proxy/pull/29 quotes S3 (s3-tests test_bucket_create_bad_date_none).
            AuthError::IncompleteSignature { missing, .. } if missing.as_slice() == ["Date"] => {
                AwsError::new(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
            }
            // https://github.com/robmcvey/cakephp-amazon-s3/issues/15 (S3's message).
            AuthError::IncompleteSignature { .. } => AwsError::new(
                400,
                "AuthorizationHeaderMalformed",
                "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.",
            ),
            // https://github.com/zendesk/apt-s3/issues/10 (S3's message for a malformed component).
            AuthError::MalformedComponent { component, .. } => AwsError::new(
                400,
                "AuthorizationHeaderMalformed",
                format!("The authorization header is malformed; the authorization component \"{component}\" is malformed."),
            ),
            AuthError::MalformedCredential { placement: Placement::Header, .. } => AwsError::new(
                400,
                "AuthorizationHeaderMalformed",
                format!("The authorization header is malformed; {S3_CREDENTIAL_FORM}"),
            ),
            // The query form prefixes S3's X-Amz-Credential parse errors with this phrase
            // (https://github.com/bigassforce/aws-sdk/issues/5); the rest mirrors the header form.
            AuthError::MalformedCredential { placement: Placement::Query, .. } => AwsError::new(
                400,
                "AuthorizationQueryParametersError",
                format!("Error parsing the X-Amz-Credential parameter; {S3_CREDENTIAL_FORM}"),
            ),
            AuthError::InvalidDate { placement: Placement::Header, .. } => {
                AwsError::new(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
            }
            // S3's wording for a bad X-Amz-Date (from S3's responses, mirrored by MinIO's
            // errMalformedPresignedDate; no AWS page with it was found in the corpus).
            AuthError::InvalidDate { placement: Placement::Query, .. } => AwsError::new(
                400,
                "AuthorizationQueryParametersError",
                "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
            ),
            // https://github.com/arqbackup/arq_restore/issues/48 and
            // https://github.com/ml-archive/storage/pull/68 (S3's message).
            AuthError::CredentialDateMismatch { placement: Placement::Header, .. } => AwsError::new(
                400,
                "AuthorizationHeaderMalformed",
                "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.",
            ),
            AuthError::CredentialDateMismatch { placement: Placement::Query, .. } => AwsError::new(
                400,
                "AuthorizationQueryParametersError",
                "Error parsing the X-Amz-Credential parameter; Invalid credential date. Date is not the same as X-Amz-Date.",
            ),
            // https://github.com/kaliber-scala/play-s3/issues/73 (S3's message).
            AuthError::MissingQueryParameters { .. } => AwsError::new(
                400,
                "AuthorizationQueryParametersError",
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
            ),
            // Too large: https://github.com/bryanjos/aws_auth/issues/31 (S3's message). The
            // other two are S3's wording as mirrored by MinIO (not found on an AWS page).
            AuthError::InvalidExpires { problem, .. } => AwsError::new(
                400,
                "AuthorizationQueryParametersError",
                match problem {
                    ExpiresProblem::NotANumber => "X-Amz-Expires should be a number",
                    ExpiresProblem::Negative => "X-Amz-Expires must be non-negative",
                    ExpiresProblem::TooLarge => {
                        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
                    }
                },
            ),
            // https://github.com/coda/packs-sdk/pull/3093 (S3's answer, with HeadersNotSigned).
            AuthError::HostNotSigned => {
                AwsError::new(403, "AccessDenied", "There were headers present in the request which were not signed")
                    .with("HeadersNotSigned", "host")
            }
            AuthError::HeadersNotSigned { headers } => {
                AwsError::new(403, "AccessDenied", "There were headers present in the request which were not signed")
                    .with("HeadersNotSigned", headers.join(", "))
            }
            // https://github.com/avi-wish/aws4-signature-php/pull/1 (S3's answer).
            AuthError::MissingContentSha256 => {
                AwsError::new(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
            }
            // https://github.com/versity/versitygw/issues/1352 quotes S3's answer.
            AuthError::InvalidContentSha256 { value } => AwsError::new(
                400,
                "InvalidArgument",
                "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
            )
            .with("ArgumentName", "x-amz-content-sha256")
            .with("ArgumentValue", value.clone()),
            // https://github.com/lucacasonato/deno_s3/pull/47 (the answer it got).
            AuthError::ContentSha256NotSigned => {
                AwsError::new(400, "InvalidRequest", "header 'x-amz-content-sha256' must be included in signature")
            }
            // S3's message and elements, as in the brief and in S3's responses.
            AuthError::SignatureDoesNotMatch { access_key_id, signature_provided, string_to_sign, canonical_request } => {
                AwsError::new(
                    403,
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                )
                .with("AWSAccessKeyId", access_key_id.clone())
                .with("StringToSign", string_to_sign.clone())
                .with("SignatureProvided", signature_provided.clone())
                .with("StringToSignBytes", spaced_hex(string_to_sign))
                .with("CanonicalRequest", canonical_request.clone())
                .with("CanonicalRequestBytes", spaced_hex(canonical_request))
            }
            AuthError::ChunkSignatureDoesNotMatch { access_key_id, signature_provided, string_to_sign, .. } => {
                AwsError::new(
                    403,
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                )
                .with("AWSAccessKeyId", access_key_id.clone())
                .with("StringToSign", string_to_sign.clone())
                .with("SignatureProvided", signature_provided.clone())
                .with("StringToSignBytes", spaced_hex(string_to_sign))
            }
            // https://github.com/grosskur/lua-resty-aws/issues/2 (S3's answer with both elements).
            AuthError::ContentSha256Mismatch { client, computed } => AwsError::new(
                400,
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            )
            .with("ClientComputedContentSHA256", client.clone())
            .with("S3ComputedContentSHA256", computed.clone()),
            // https://pastebin.com/8HJpUdsv (S3's answer: RequestTime, ServerTime,
            // MaxAllowedSkewMilliseconds).
            AuthError::RequestTimeTooSkewed { request_time, server_time, max_allowed_skew } => AwsError::new(
                403,
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
            )
            .with("RequestTime", date::format_basic_or_unknown(*request_time))
            .with("ServerTime", date::format_iso(*server_time))
            .with("MaxAllowedSkewMilliseconds", max_allowed_skew.as_millis().to_string()),
            // https://github.com/dmjio/s3-signer/issues/16 (S3's answer: X-Amz-Date, Expires,
            // ServerTime).
            AuthError::PresignedNotYetValid { amz_date, expires_at, server_time } => {
                AwsError::new(403, "AccessDenied", "Request is not yet valid")
                    .with("X-Amz-Date", date::format_basic_or_unknown(*amz_date))
                    .with("Expires", date::format_iso(*expires_at))
                    .with("ServerTime", date::format_iso(*server_time))
            }
            // https://github.com/aws/aws-sdk-php/issues/1333 (S3's answer: X-Amz-Expires,
            // Expires, ServerTime).
            AuthError::PresignedExpired { expires, expires_at, server_time, .. } => {
                AwsError::new(403, "AccessDenied", "Request has expired")
                    .with("X-Amz-Expires", expires.as_secs().to_string())
                    .with("Expires", date::format_iso(*expires_at))
                    .with("ServerTime", date::format_iso(*server_time))
            }
            // https://github.com/s3fs-fuse/s3fs-fuse/issues/1186 (header form, with Region) and
            // https://github.com/ai-dock/comfyui/issues/34 (query form, with Region).
            AuthError::WrongRegion { got, expected, placement } => AwsError::new(
                400,
                match placement {
                    Placement::Header => "AuthorizationHeaderMalformed",
                    Placement::Query => "AuthorizationQueryParametersError",
                },
                match placement {
                    Placement::Header => format!("The authorization header is malformed; the region '{got}' is wrong; expecting '{expected}'"),
                    Placement::Query => format!("Error parsing the X-Amz-Credential parameter; the region '{got}' is wrong; expecting '{expected}'"),
                },
            )
            .with("Region", expected.clone()),
            // S3's wording for a foreign service in the scope, from S3's responses; no page with
            // it was found in the search corpus.
            AuthError::WrongService { got, expected, placement } => AwsError::new(
                400,
                match placement {
                    Placement::Header => "AuthorizationHeaderMalformed",
                    Placement::Query => "AuthorizationQueryParametersError",
                },
                match placement {
                    Placement::Header => format!("The authorization header is malformed; incorrect service \"{got}\". This endpoint belongs to \"{expected}\"."),
                    Placement::Query => format!("Error parsing the X-Amz-Credential parameter; incorrect service \"{got}\". This endpoint belongs to \"{expected}\"."),
                },
            ),
            // IncompleteBody, 400: the S3 error-code list
            // (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). S3's exact
            // answer to a garbled chunk framing was not found; IncompleteBody is the closest code.
            AuthError::MalformedChunkedBody { .. } | AuthError::DecodedLengthMismatch { .. } | AuthError::MissingTrailer { .. } => {
                AwsError::new(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
            }
            // MissingContentLength, 411, same list.
            AuthError::MissingDecodedContentLength => {
                AwsError::new(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
            }
            // S3's wording, from S3's responses (no page found in the corpus).
            AuthError::UnsupportedTrailer { .. } => {
                AwsError::new(400, "InvalidRequest", "The value specified in the x-amz-trailer header is not supported")
            }
            AuthError::InvalidChecksum { header, .. } => {
                AwsError::new(400, "InvalidRequest", format!("Value for {header} trailing header is invalid."))
            }
            // https://github.com/aws/aws-sdk-ruby/issues/3322 (CRC32) and
            // https://github.com/versity/versitygw/issues/1694 (SHA1, a trailing checksum).
            AuthError::ChecksumMismatch { algorithm, .. } => {
                AwsError::new(400, "BadDigest", format!("The {algorithm} you specified did not match the calculated checksum."))
            }
            // NotImplemented, 501, with S3's standard message (ErrorResponses page).
            AuthError::UnsupportedStreamingMode { .. } => AwsError::new(
                501,
                "NotImplemented",
                "A header you provided implies functionality that is not implemented.",
            ),
        }
    }

    /// awsQuery codes as STS answers them (IncompleteSignature 400, SignatureDoesNotMatch 403).
    fn query_error(&self) -> AwsError {
        match self {
            // The awsQuery front end lists what the header lacks, then the header itself:
            // https://github.com/brendanhay/amazonka/issues/316 (IncompleteSignature from an
            // awsQuery service) and https://github.com/aws/chalice/issues/828 (the Date part and
            // a header that is not AWS4 at all).
            AuthError::IncompleteSignature { missing, header } => {
                AwsError::new(400, "IncompleteSignature", coral_missing(missing, header))
            }
            AuthError::UnsupportedAlgorithm { value, placement: Placement::Header } => AwsError::new(
                400,
                "IncompleteSignature",
                coral_missing(&["Credential", "Signature", "SignedHeaders"], value),
            ),
            // https://github.com/iann0036/cloud9-sync/issues/10 (the front end's wording).
            AuthError::MalformedComponent { component, header } => AwsError::new(
                400,
                "IncompleteSignature",
                format!(
                    "'{component}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
                ),
            ),
            // The front end's wording as recalled from AWS responses; no page with it was found.
            AuthError::MalformedCredential { credential, .. } => AwsError::new(
                400,
                "IncompleteSignature",
                format!(
                    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
                ),
            ),
            // The front end's wording as recalled from AWS responses; no page with it was found.
            AuthError::InvalidDate { value, .. } => AwsError::new(
                400,
                "IncompleteSignature",
                format!(
                    "Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
                ),
            ),
            // The front end's wording as recalled from AWS responses; no page with it was found.
            AuthError::CredentialDateMismatch { scope_date, amz_date, .. } => AwsError::new(
                403,
                "SignatureDoesNotMatch",
                format!(
                    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{}', from '{amz_date}'.",
                    amz_date.get(..8).unwrap_or(amz_date)
                ),
            ),
            // The front end's wording as recalled from AWS responses; no page with it was found.
            AuthError::MissingQueryParameters { .. } => AwsError::new(
                400,
                "IncompleteSignature",
                "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
            ),
            // https://github.com/aws/aws-sdk-php/issues/2469 (the front end's wording).
            AuthError::HostNotSigned => AwsError::new(
                400,
                "IncompleteSignature",
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
            ),
            AuthError::SignatureDoesNotMatch { .. }
            | AuthError::ChunkSignatureDoesNotMatch { .. }
            | AuthError::ContentSha256Mismatch { .. } => {
                AwsError::new(403, "SignatureDoesNotMatch", QUERY_SIGNATURE_MESSAGE)
            }
            // https://github.com/aws/aws-cli/issues/6676 (GetCallerIdentity) and
            // https://github.com/devsecops/bootcamp/issues/101 (AssumeRole): expired;
            // https://github.com/QT-DevOps/DevOpsIssues/issues/989 (sts:GetCallerIdentity, 403):
            // not yet current. STS ignores X-Amz-Expires and applies the same window to
            // presigned requests (https://github.com/aws/aws-sdk-go/issues/2167).
            AuthError::RequestTimeTooSkewed { request_time, server_time, max_allowed_skew } => AwsError::new(
                403,
                "SignatureDoesNotMatch",
                skew_message(*request_time, *server_time, *max_allowed_skew),
            ),
            AuthError::PresignedNotYetValid { amz_date, server_time, .. }
            | AuthError::PresignedExpired { amz_date, server_time, .. } => AwsError::new(
                403,
                "SignatureDoesNotMatch",
                skew_message(*amz_date, *server_time, Duration::from_secs(15 * 60)),
            ),
            // https://github.com/cognitect-labs/aws-api/issues/27 (STS, with the trailing space).
            AuthError::WrongRegion { got, .. } => AwsError::new(
                403,
                "SignatureDoesNotMatch",
                format!("Credential should be scoped to a valid region, not '{got}'. "),
            ),
            // https://github.com/timkay/aws/pull/111 (an awsQuery service, SignatureDoesNotMatch).
            AuthError::WrongService { expected, .. } => AwsError::new(
                403,
                "SignatureDoesNotMatch",
                format!("Credential should be scoped to correct service: '{expected}'. "),
            ),
            // Everything else is S3-only (payload modes, aws-chunked, presigned expiry rules)
            // or has no awsQuery-specific wording: the generic IncompleteSignature.
            AuthError::UnsupportedAlgorithm { .. }
            | AuthError::MultipleAuthMechanisms
            | AuthError::InvalidExpires { .. }
            | AuthError::HeadersNotSigned { .. }
            | AuthError::MissingContentSha256
            | AuthError::InvalidContentSha256 { .. }
            | AuthError::ContentSha256NotSigned
            | AuthError::MalformedChunkedBody { .. }
            | AuthError::MissingDecodedContentLength
            | AuthError::DecodedLengthMismatch { .. }
            | AuthError::MissingTrailer { .. }
            | AuthError::UnsupportedTrailer { .. }
            | AuthError::InvalidChecksum { .. }
            | AuthError::ChecksumMismatch { .. }
            | AuthError::UnsupportedStreamingMode { .. } => {
                AwsError::new(400, "IncompleteSignature", QUERY_INCOMPLETE_MESSAGE)
            }
        }
    }
}

/// `Authorization header requires 'Credential' parameter. … Authorization=<header>`.
fn coral_missing(missing: &[&str], header: &str) -> String {
    let mut message = String::new();
    for part in missing {
        if *part == "Date" {
            message.push_str("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        } else {
            message.push_str(&format!("Authorization header requires '{part}' parameter. "));
        }
    }
    message.push_str("Authorization=");
    message.push_str(header);
    message
}

/// `Signature expired: <t> is now earlier than <now - 15 min> (<now> - 15 min.)`, or
/// `Signature not yet current: <t> is still later than <now + 15 min> (<now> + 15 min.)`.
fn skew_message(request_time: SystemTime, server_time: SystemTime, skew: Duration) -> String {
    let minutes = skew.as_secs() / 60;
    let now = date::format_basic_or_unknown(server_time);
    let request = date::format_basic_or_unknown(request_time);
    if request_time < server_time {
        let bound = date::sub(server_time, skew).map_or_else(|| "?".to_owned(), date::format_basic_or_unknown);
        format!("Signature expired: {request} is now earlier than {bound} ({now} - {minutes} min.)")
    } else {
        let bound = date::add(server_time, skew).map_or_else(|| "?".to_owned(), date::format_basic_or_unknown);
        format!("Signature not yet current: {request} is still later than {bound} ({now} + {minutes} min.)")
    }
}
