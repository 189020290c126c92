//! The data an upload carries, decoded and checked: a plain body (its `x-amz-content-sha256`
//! already checked by the verifier), `UNSIGNED-PAYLOAD`, or `aws-chunked` (signed chunks and a
//! signed trailer, or unsigned chunks and a trailer: [`chunked::decode`] checks them all); then
//! `Content-MD5` and any `x-amz-checksum-*` header against the data.
//!
//! Checksums are those of "Checking object integrity"
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html>):
//! CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256. The one the uploader supplied is stored and returned
//! by `GetObject` in checksum mode; an object uploaded without one gets CRC64NVME, as S3 does
//! for every new object.

use base64::Engine;
use bytes::Bytes;
use md5::{Digest, Md5};

use super::S3Error;
use super::authorize::Call;
use crate::auth::chunked;
use crate::live::StoredChecksum;

/// The algorithms, as S3 names them in `x-amz-sdk-checksum-algorithm` and `ChecksumAlgorithm`.
const ALGORITHMS: [&str; 5] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/// An upload's data, checked, and the checksum to store with it.
pub(crate) struct Payload {
    pub(crate) data: Bytes,
    pub(crate) checksum: Option<StoredChecksum>,
}

/// Decodes and checks the body of an upload.
pub(crate) fn read(call: &Call<'_>) -> Result<Payload, S3Error> {
    let request = call.request;
    let secret = call.auth.key.as_ref().map(|k| k.secret.as_str()).unwrap_or_default();
    let (data, trailers) = match &call.auth.signed {
        Some(signed) => match chunked::decode(signed, &request.parts, &request.body, secret)
            .map_err(|e| S3Error::from(e.aws_error("s3")))?
        {
            Some(decoded) => (Bytes::from(decoded.data), decoded.trailers),
            None => (request.body.clone(), Vec::new()),
        },
        None if call.header("x-amz-content-sha256").is_some_and(|v| v.starts_with("STREAMING-")) => {
            // An aws-chunked body needs the signature it chains from.
            return Err(S3Error::not_implemented("x-amz-content-sha256"));
        }
        None => (request.body.clone(), Vec::new()),
    };
    if let Some(md5) = call.header("content-md5") {
        check_content_md5(md5, &data)?;
    }
    let mut supplied: Vec<(String, String)> =
        trailers.into_iter().filter(|(name, _)| name.starts_with("x-amz-checksum-")).collect();
    for (name, value) in &request.parts.headers {
        let name = name.as_str();
        if let Some(algorithm) = name.strip_prefix("x-amz-checksum-")
            && algorithm != "type"
            && algorithm != "mode"
        {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            chunked::check_checksum(name, &value, &data).map_err(|e| S3Error::from(e.aws_error("s3")))?;
            supplied.push((name.to_owned(), value));
        }
    }
    // "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
    // (S3's InvalidRequest for two algorithms at once; wording from S3's responses.)
    if supplied.len() > 1 {
        return Err(S3Error::invalid_request(
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
        ));
    }
    let checksum = match supplied.pop() {
        Some((name, value)) => Some(StoredChecksum {
            algorithm: name.trim_start_matches("x-amz-checksum-").to_ascii_uppercase(),
            value: value.trim().to_owned(),
        }),
        // An algorithm asked for without a value: S3 computes it.
        None => call
            .header("x-amz-sdk-checksum-algorithm")
            .map(str::to_ascii_uppercase)
            .filter(|a| ALGORITHMS.contains(&a.as_str()))
            .and_then(|algorithm| compute(&algorithm, &data).map(|value| StoredChecksum { algorithm, value })),
    };
    Ok(Payload { data, checksum })
}

/// `Content-MD5`: the base64 MD5 of the body. Malformed: `InvalidDigest`; another body's:
/// `BadDigest`.
pub(crate) fn check_content_md5(value: &str, data: &[u8]) -> Result<(), S3Error> {
    let expected = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()
        .filter(|d| d.len() == 16)
        .ok_or_else(|| S3Error::invalid_digest(value))?;
    let computed = Md5::digest(data);
    if computed.as_slice() == expected.as_slice() {
        Ok(())
    } else {
        Err(S3Error::bad_digest(value.trim(), &base64::engine::general_purpose::STANDARD.encode(computed)))
    }
}

/// The checksum of `data` with an algorithm S3 names (`CRC32`, …), base64.
pub(crate) fn compute(algorithm: &str, data: &[u8]) -> Option<String> {
    let algorithm: aws_smithy_checksums::ChecksumAlgorithm = algorithm.to_ascii_lowercase().parse().ok()?;
    let mut checksum = algorithm.into_impl();
    checksum.update(data);
    Some(aws_smithy_types::base64::encode(checksum.finalize()))
}

/// The checksum `GetObject` returns for an object: the stored one, or CRC64NVME.
pub(crate) fn object_checksum(stored: Option<&StoredChecksum>, data: &[u8]) -> Option<StoredChecksum> {
    match stored {
        Some(c) => Some(c.clone()),
        None => compute("CRC64NVME", data).map(|value| StoredChecksum { algorithm: "CRC64NVME".to_owned(), value }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        // CRC32 of "hello" as the SDK sends it (WIRE.md, aws-chunked example uses the same form).
        assert_eq!(compute("CRC32", b"hello").as_deref(), Some("NhCmhg=="));
        assert_eq!(compute("SHA256", b"hello").as_deref(), Some("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="));
        assert_eq!(compute("MD4", b"hello"), None);
    }

    #[test]
    fn content_md5_is_checked() {
        check_content_md5("XUFAKrxLKna5cZ2REBfFkg==", b"hello").unwrap();
        assert_eq!(check_content_md5("XUFAKrxLKna5cZ2REBfFkg==", b"hellO").unwrap_err().code, "BadDigest");
        assert_eq!(check_content_md5("not md5", b"hello").unwrap_err().code, "InvalidDigest");
    }
}
