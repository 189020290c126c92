//! `aws-chunked` request bodies: S3 uploads whose `x-amz-content-sha256` is a `STREAMING-*`
//! literal.
//!
//! - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: `<hex size>;chunk-signature=<sig>\r\n<data>\r\n`
//!   chunks, ending with a signed empty chunk. Each signature chains from the previous one,
//!   starting at the request's own (seed) signature.
//! - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: the same, then trailer headers and an
//!   `x-amz-trailer-signature` over them (what the Rust SDK sends to an `http://` endpoint).
//! - `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: `<hex size>\r\n<data>\r\n` chunks and trailers,
//!   without signatures (what it sends to an `https://` endpoint).
//!
//! The formats are AWS's: "Signature calculations for the Authorization header: Transferring
//! payload in multiple chunks"
//! (<https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html>) and "… with
//! trailing headers" (<https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html>).
//! Trailer checksums (`x-amz-checksum-crc32`, `-crc32c`, `-crc64nvme`, `-sha1`, `-sha256`,
//! base64) are checked against the decoded data.

use http::request::Parts;

use super::canonical::{constant_time_eq, sha256_hex};
use super::{AuthError, SignedRequest, date, signature};

/// The decoded upload: the data, and the trailer headers that came after it.
///
/// ```
/// use iamsim::auth::chunked::DecodedBody;
/// let body = DecodedBody { data: b"hello".to_vec(), trailers: vec![("x-amz-checksum-crc32".into(), "NhCmhg==".into())] };
/// assert_eq!(body.trailer("X-Amz-Checksum-CRC32"), Some("NhCmhg=="));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedBody {
    /// The object's bytes.
    pub data: Vec<u8>,
    /// Trailer headers (names lowercase, values trimmed), in order, without
    /// `x-amz-trailer-signature`.
    pub trailers: Vec<(String, String)>,
}

impl DecodedBody {
    /// A trailer's value, by case-insensitive name.
    pub fn trailer(&self, name: &str) -> Option<&str> {
        self.trailers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The `aws-chunked` variants, from `x-amz-content-sha256`.
///
/// ```
/// use iamsim::auth::chunked::StreamingMode;
/// assert_eq!(StreamingMode::from_content_sha256("STREAMING-UNSIGNED-PAYLOAD-TRAILER"), Some(StreamingMode::UnsignedPayloadTrailer));
/// assert_eq!(StreamingMode::from_content_sha256("UNSIGNED-PAYLOAD"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamingMode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`.
    SignedPayload,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`.
    SignedPayloadTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
    UnsignedPayloadTrailer,
}

impl StreamingMode {
    /// The mode a `x-amz-content-sha256` value names, if it names one this module decodes.
    pub fn from_content_sha256(value: &str) -> Option<StreamingMode> {
        match value {
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" => Some(StreamingMode::SignedPayload),
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" => Some(StreamingMode::SignedPayloadTrailer),
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER" => Some(StreamingMode::UnsignedPayloadTrailer),
            _ => None,
        }
    }

    fn signed(self) -> bool {
        !matches!(self, StreamingMode::UnsignedPayloadTrailer)
    }

    fn trailer(self) -> bool {
        !matches!(self, StreamingMode::SignedPayload)
    }
}

/// Decodes an `aws-chunked` body. `Ok(None)`: the request's `x-amz-content-sha256` is not a
/// `STREAMING-*` value, so its body is the data as is.
///
/// Call it after [`super::verify`] accepted the request: chunk signatures chain from the
/// request's signature, so they prove the data only if that one is right. Checks, in order:
/// the framing; each chunk's signature (signed modes); `x-amz-decoded-content-length`; the
/// trailer's signature (signed trailer mode); every trailer declared by `x-amz-trailer`; every
/// `x-amz-checksum-*` trailer against the data.
///
/// ```
/// use iamsim::auth::{self, chunked};
///
/// let request = http::Request::put("https://127.0.0.1:1/demo/hello.txt?x-id=PutObject")
///     .header("x-amz-date", "20261122T204322Z")
///     .header("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
///     .header("content-encoding", "aws-chunked")
///     .header("x-amz-decoded-content-length", "5")
///     .header("x-amz-trailer", "x-amz-checksum-crc32")
///     .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/s3/aws4_request, \
///         SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-trailer, \
///         Signature=00")
///     .body(())?;
/// let (parts, ()) = request.into_parts();
/// let signed = auth::parse(&parts)?.expect("signed");
/// // (auth::verify(&signed, &parts, body, secret, CanonicalUri::S3) comes first in a service.)
///
/// let body = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
/// let decoded = chunked::decode(&signed, &parts, body, "secret")?.expect("aws-chunked");
/// assert_eq!(decoded.data, b"hello");
/// assert_eq!(decoded.trailer("x-amz-checksum-crc32"), Some("NhCmhg=="));
///
/// let corrupted = b"5\r\nhellO\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
/// let error = chunked::decode(&signed, &parts, corrupted, "secret").unwrap_err();
/// assert_eq!(error.aws_error("s3").code, "BadDigest");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decode(
    signed: &SignedRequest,
    parts: &Parts,
    body: &[u8],
    secret: &str,
) -> Result<Option<DecodedBody>, AuthError> {
    let Some(value) = signed.content_sha256.as_deref() else { return Ok(None) };
    let Some(mode) = StreamingMode::from_content_sha256(value) else {
        if value.starts_with("STREAMING-") {
            return Err(AuthError::UnsupportedStreamingMode { value: value.to_owned() });
        }
        return Ok(None);
    };
    let declared_length = parts
        .headers
        .get("x-amz-decoded-content-length")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .ok_or(AuthError::MissingDecodedContentLength)?;
    let declared_trailers = declared_trailers(parts)?;

    let chain = Chain::new(signed, secret);
    let mut reader = Reader { body, pos: 0 };
    let mut data = Vec::with_capacity(body.len());
    let mut previous = signed.signature.clone();
    let mut index = 0usize;
    loop {
        index += 1;
        let line = reader.line()?;
        let (size_text, chunk_signature) = match line.split_once(';') {
            Some((size, extension)) => (size, extension.strip_prefix("chunk-signature=")),
            None => (line, None),
        };
        let size = parse_size(size_text)?;
        let chunk = reader.take(size)?;
        if size > 0 {
            reader.crlf()?;
        }
        if mode.signed() {
            let Some(provided) = chunk_signature else {
                return Err(malformed(format!("chunk {index} has no chunk-signature")));
            };
            chain.check(
                &format!("chunk {index}"),
                "AWS4-HMAC-SHA256-PAYLOAD",
                &previous,
                &format!("{}\n{}", sha256_hex(b""), sha256_hex(chunk)),
                provided,
            )?;
            provided.clone_into(&mut previous);
        }
        data.extend_from_slice(chunk);
        if size == 0 {
            break;
        }
    }

    let mut trailers = Vec::new();
    let mut trailer_signature = None;
    if mode.trailer() {
        loop {
            let line = reader.line()?;
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(malformed(format!("trailer line `{line}` is not `name:value`")));
            };
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_owned());
            if name == "x-amz-trailer-signature" {
                trailer_signature = Some(value);
            } else {
                trailers.push((name, value));
            }
        }
    } else {
        reader.crlf()?;
    }
    if reader.pos != body.len() {
        return Err(malformed("data after the final chunk".to_owned()));
    }

    let actual = u64::try_from(data.len()).unwrap_or(u64::MAX);
    if declared_length.trim().parse::<u64>().ok() != Some(actual) {
        return Err(AuthError::DecodedLengthMismatch { declared: declared_length, actual });
    }
    if mode == StreamingMode::SignedPayloadTrailer {
        let Some(provided) = trailer_signature else {
            return Err(malformed("the trailer has no x-amz-trailer-signature".to_owned()));
        };
        let mut sorted: Vec<&(String, String)> = trailers.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let canonical: String = sorted.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
        chain.check(
            "the trailer",
            "AWS4-HMAC-SHA256-TRAILER",
            &previous,
            &sha256_hex(canonical.as_bytes()),
            &provided,
        )?;
    }
    for name in &declared_trailers {
        if !trailers.iter().any(|(n, _)| n == name) {
            return Err(AuthError::MissingTrailer { header: name.clone() });
        }
    }
    for (name, value) in &trailers {
        if name.starts_with("x-amz-checksum-") {
            check_checksum(name, value, &data)?;
        }
    }
    Ok(Some(DecodedBody { data, trailers }))
}

/// Checks a `x-amz-checksum-<algorithm>` value (base64) against `data`; the same rule serves
/// the header form of a plain upload. Algorithms: CRC32, CRC32C, CRC64NVME, SHA1, SHA256.
///
/// ```
/// use iamsim::auth::{chunked, AuthError};
/// chunked::check_checksum("x-amz-checksum-crc32", "NhCmhg==", b"hello")?;
/// let wrong = chunked::check_checksum("x-amz-checksum-sha256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", b"hellO").unwrap_err();
/// assert_eq!(wrong.aws_error("s3").message, "The SHA256 you specified did not match the calculated checksum.");
/// assert!(matches!(chunked::check_checksum("x-amz-checksum-crc32", "not base64!", b""), Err(AuthError::InvalidChecksum { .. })));
/// # Ok::<(), AuthError>(())
/// ```
pub fn check_checksum(header: &str, value: &str, data: &[u8]) -> Result<(), AuthError> {
    let lower = header.to_ascii_lowercase();
    let (algorithm, upper) = match lower.strip_prefix("x-amz-checksum-") {
        Some("crc32") => (aws_smithy_checksums::ChecksumAlgorithm::Crc32, "CRC32"),
        Some("crc32c") => (aws_smithy_checksums::ChecksumAlgorithm::Crc32c, "CRC32C"),
        Some("crc64nvme") => (aws_smithy_checksums::ChecksumAlgorithm::Crc64Nvme, "CRC64NVME"),
        Some("sha1") => (aws_smithy_checksums::ChecksumAlgorithm::Sha1, "SHA1"),
        Some("sha256") => (aws_smithy_checksums::ChecksumAlgorithm::Sha256, "SHA256"),
        _ => return Err(AuthError::UnsupportedTrailer { header: lower }),
    };
    let mut checksum = algorithm.into_impl();
    let invalid = || AuthError::InvalidChecksum { header: lower.clone(), value: value.to_owned() };
    let expected = aws_smithy_types::base64::decode(value.trim()).map_err(|_| invalid())?;
    if u64::try_from(expected.len()).ok() != Some(aws_smithy_checksums::Checksum::size(&*checksum)) {
        return Err(invalid());
    }
    checksum.update(data);
    let computed = checksum.finalize();
    if computed.as_ref() == expected.as_slice() {
        Ok(())
    } else {
        Err(AuthError::ChecksumMismatch {
            algorithm: upper,
            expected: value.trim().to_owned(),
            computed: aws_smithy_types::base64::encode(&computed),
        })
    }
}

/// `x-amz-trailer`: comma-separated names, each an `x-amz-checksum-*` header.
fn declared_trailers(parts: &Parts) -> Result<Vec<String>, AuthError> {
    let mut names = Vec::new();
    for value in parts.headers.get_all("x-amz-trailer") {
        for name in String::from_utf8_lossy(value.as_bytes())
            .split(',')
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
        {
            if !matches!(
                name.strip_prefix("x-amz-checksum-"),
                Some("crc32" | "crc32c" | "crc64nvme" | "sha1" | "sha256")
            ) {
                return Err(AuthError::UnsupportedTrailer { header: name });
            }
            names.push(name);
        }
    }
    Ok(names)
}

fn malformed(reason: String) -> AuthError {
    AuthError::MalformedChunkedBody { reason }
}

fn parse_size(text: &str) -> Result<usize, AuthError> {
    if text.is_empty() || text.len() > 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed(format!("chunk size `{text}` is not hexadecimal")));
    }
    usize::from_str_radix(text, 16).map_err(|_| malformed(format!("chunk size `{text}` is too large")))
}

/// Chunk and trailer signatures: `HMAC(key, "<algorithm>\n<date>\n<scope>\n<previous>\n<hash>")`
/// with the request's signing key, as `aws_sigv4::sign::v4::sign_chunk` and `sign_trailer`
/// compute them.
struct Chain<'a> {
    signed: &'a SignedRequest,
    secret: &'a str,
    amz_date: String,
    scope: String,
}

impl<'a> Chain<'a> {
    fn new(signed: &'a SignedRequest, secret: &'a str) -> Chain<'a> {
        Chain {
            signed,
            secret,
            amz_date: date::format_basic_or_unknown(signed.amz_date),
            scope: signed.scope.to_string(),
        }
    }

    fn check(&self, part: &str, algorithm: &str, previous: &str, hash: &str, provided: &str) -> Result<(), AuthError> {
        let string_to_sign = format!("{algorithm}\n{}\n{}\n{previous}\n{hash}", self.amz_date, self.scope);
        let expected = signature(self.secret, &self.signed.scope, string_to_sign.as_bytes());
        if expected.as_deref().is_some_and(|e| constant_time_eq(e.as_bytes(), provided.as_bytes())) {
            Ok(())
        } else {
            Err(AuthError::ChunkSignatureDoesNotMatch {
                part: part.to_owned(),
                access_key_id: self.signed.access_key_id.clone(),
                signature_provided: provided.to_owned(),
                string_to_sign,
            })
        }
    }
}

/// A cursor over the encoded body.
struct Reader<'a> {
    body: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// The next line without its CRLF, as text.
    fn line(&mut self) -> Result<&'a str, AuthError> {
        let rest = self.body.get(self.pos..).unwrap_or_default();
        let Some(end) = rest.windows(2).position(|w| w == b"\r\n") else {
            return Err(malformed("the body ends in the middle of a line".to_owned()));
        };
        let line = rest.get(..end).unwrap_or_default();
        self.pos += end + 2;
        std::str::from_utf8(line).map_err(|_| malformed("a chunk header or trailer is not UTF-8".to_owned()))
    }

    fn take(&mut self, size: usize) -> Result<&'a [u8], AuthError> {
        let end = self.pos.checked_add(size).ok_or_else(|| malformed("chunk size overflows".to_owned()))?;
        let chunk = self.body.get(self.pos..end).ok_or_else(|| malformed("the body ends inside a chunk".to_owned()))?;
        self.pos = end;
        Ok(chunk)
    }

    fn crlf(&mut self) -> Result<(), AuthError> {
        if self.body.get(self.pos..self.pos.saturating_add(2)) == Some(b"\r\n") {
            self.pos += 2;
            Ok(())
        } else {
            Err(malformed("a chunk is not followed by CRLF".to_owned()))
        }
    }
}
