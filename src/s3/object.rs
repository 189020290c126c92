//! Object operations: `GetObject` and `HeadObject`, `PutObject`, `DeleteObject`.

use std::collections::BTreeMap;

use super::authorize::Call;
use super::payload;
use super::preconditions::{Conditions, Verdict, parse_range};
use super::response::Reply;
use super::tagging;
use super::time::http_date;
use super::{S3Error, payload::object_checksum};
use crate::live::{StoredChecksum, StoredObject};
use crate::policy::Context;

/// S3's limit on a single `PutObject`: 5 GiB.
pub(crate) const MAX_PUT: u64 = 5 * 1024 * 1024 * 1024;
/// S3's limit on user metadata: "the user-defined metadata is limited to 2 KB in size"
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html>).
const MAX_METADATA: usize = 2 * 1024;
/// Keys are at most 1,024 bytes of UTF-8
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html>).
pub(crate) const MAX_KEY: usize = 1024;

/// Representation headers S3 stores with an object and returns with it.
const STORED_HEADERS: [&str; 5] =
    ["content-encoding", "content-disposition", "content-language", "cache-control", "expires"];

/// `response-*` parameters that override a `GetObject` response header
/// (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html>, "Overriding response header values").
const RESPONSE_OVERRIDES: [(&str, &str); 6] = [
    ("response-content-type", "content-type"),
    ("response-content-language", "content-language"),
    ("response-expires", "expires"),
    ("response-cache-control", "cache-control"),
    ("response-content-disposition", "content-disposition"),
    ("response-content-encoding", "content-encoding"),
];

/// Request headers that become `s3:` condition keys of the same name on a write
/// (the `PutObject` row of the Service Authorization Reference).
const WRITE_KEY_HEADERS: [&str; 12] = [
    "x-amz-acl",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-storage-class",
    "x-amz-website-redirect-location",
    "x-amz-grant-full-control",
    "x-amz-grant-read",
    "x-amz-grant-read-acp",
    "x-amz-grant-write",
    "x-amz-grant-write-acp",
    "x-amz-metadata-directive",
];

/// `GET`/`HEAD /bucket/key`: `s3:GetObject`.
///
/// A missing key is `NoSuchKey` (404) only for a caller who may `s3:ListBucket`; anyone else
/// gets 403 — "If you don't have the s3:ListBucket permission, Amazon S3 returns an HTTP status
/// code 403 Access Denied error" (GetObject API reference, "Permissions"). The 403's message is
/// the ListBucket denial's (the check that failed; AWS's exact wording here was not found).
pub(crate) fn get_object(call: &mut Call<'_>, head: bool) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    for unsupported in ["versionId", "partNumber"] {
        if call.target.has(unsupported) {
            return Err(S3Error::not_implemented(unsupported));
        }
    }
    call.require("s3:GetObject", &call.object_arn(), &Context::new())?;
    let Some(object) = bucket.object(call.key()) else {
        let list = call.decide("s3:ListBucket", &call.bucket_arn(), &Context::new())?;
        return Err(if list.is_allowed() { S3Error::no_such_key(call.key()) } else { call.access_denied(&list) });
    };
    let conditions = Conditions {
        if_match: call.header("if-match"),
        if_none_match: call.header("if-none-match"),
        if_modified_since: call.header("if-modified-since"),
        if_unmodified_since: call.header("if-unmodified-since"),
    };
    let etag = format!("\"{}\"", object.etag);
    if conditions.evaluate(&object.etag, object.last_modified, false)? == Verdict::NotModified {
        return Ok(Reply::ok()
            .status(304)
            .header("etag", etag)
            .header("last-modified", http_date(object.last_modified)));
    }
    let size = object.size();
    let range = match call.header("range") {
        Some(range) => parse_range(range, size)?,
        None => None,
    };
    let mut reply = Reply::ok()
        .header("content-type", object.content_type.clone())
        .header("etag", etag)
        .header("last-modified", http_date(object.last_modified))
        .header("accept-ranges", "bytes")
        .header("x-amz-server-side-encryption", "AES256");
    for (name, value) in &object.headers {
        reply = reply.header(name.clone(), value.clone());
    }
    for (name, value) in &object.metadata {
        reply = reply.header(format!("x-amz-meta-{name}"), value.clone());
    }
    if !head && !object.tags.is_empty() {
        reply = reply.header("x-amz-tagging-count", object.tags.len().to_string());
    }
    // The checksum covers the whole object: a range is sent without one.
    if range.is_none()
        && call.header("x-amz-checksum-mode").is_some_and(|m| m.eq_ignore_ascii_case("ENABLED"))
        && let Some(checksum) = object_checksum(object.checksum.as_ref(), &object.content)
    {
        reply = reply
            .header(format!("x-amz-checksum-{}", checksum.algorithm.to_ascii_lowercase()), checksum.value)
            .header("x-amz-checksum-type", "FULL_OBJECT");
    }
    let overrides: Vec<(&str, String)> = RESPONSE_OVERRIDES
        .iter()
        .filter_map(|(param, header)| call.target.param(param).map(|v| (*header, v.to_owned())))
        .collect();
    if !overrides.is_empty() && call.auth.signed.is_none() {
        // "You must sign the request … to use these parameters. They cannot be used with an
        // unsigned (anonymous) request."
        return Err(S3Error::invalid_request(
            "Request specific response headers cannot be used for anonymous GET requests.",
        ));
    }
    for (header, value) in overrides {
        reply.headers.retain(|(n, _)| n != header);
        reply = reply.header(header, value);
    }
    // `parse_range` keeps `first <= last < size`; checked again so a slice can never panic.
    let part = range.and_then(|r| {
        let (first, last) = (usize::try_from(r.first).ok()?, usize::try_from(r.last).ok()?);
        (first <= last && last < object.content.len()).then(|| (r, object.content.slice(first..=last)))
    });
    let (status, body) = match part {
        Some((r, part)) => {
            reply = reply.header("content-range", format!("bytes {}-{}/{size}", r.first, r.last));
            (206, part)
        }
        None => (200, object.content.clone()),
    };
    reply = reply.header("content-length", body.len().to_string()).status(status);
    reply.body = body;
    Ok(reply)
}

/// What a write names about the new object besides its data: type, stored headers, metadata.
pub(crate) struct Described {
    pub(crate) content_type: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) metadata: BTreeMap<String, String>,
}

/// Reads `Content-Type`, the stored representation headers and `x-amz-meta-*` of a request.
pub(crate) fn describe(call: &Call<'_>) -> Result<Described, S3Error> {
    let content_type = call.header("content-type").unwrap_or("binary/octet-stream").to_owned();
    let mut headers = Vec::new();
    for name in STORED_HEADERS {
        let Some(value) = call.header(name) else { continue };
        // `aws-chunked` describes the transfer, not the object.
        let value = if name == "content-encoding" {
            value
                .split(',')
                .map(str::trim)
                .filter(|e| !e.eq_ignore_ascii_case("aws-chunked"))
                .collect::<Vec<_>>()
                .join(",")
        } else {
            value.to_owned()
        };
        if !value.is_empty() {
            headers.push((name.to_owned(), value));
        }
    }
    let mut metadata = BTreeMap::new();
    let mut size = 0usize;
    for (name, value) in &call.request.parts.headers {
        if let Some(meta) = name.as_str().strip_prefix("x-amz-meta-") {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            size += meta.len() + value.len();
            metadata.insert(meta.to_owned(), value);
        }
    }
    if size > MAX_METADATA {
        return Err(S3Error::new(
            400,
            "MetadataTooLarge",
            "Your metadata headers exceed the maximum allowed metadata size",
        )
        .with("Size", size.to_string())
        .with("MaxSizeAllowed", MAX_METADATA.to_string()));
    }
    Ok(Described { content_type, headers, metadata })
}

/// The `s3:` condition keys a write's headers supply.
pub(crate) fn write_keys(call: &Call<'_>, context: &mut Context) {
    for header in WRITE_KEY_HEADERS {
        if let Some(value) = call.header(header) {
            context.set(&format!("s3:{header}"), [value.to_owned()]);
        }
    }
}

/// ACLs on a bucket with Object Ownership `BucketOwnerEnforced` (the default, and the only
/// setting iamsim models): "PUT requests that specify ACLs other than bucket-owner-full-control
/// fail with AccessControlListNotSupported"
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html>).
pub(crate) fn check_acl(call: &Call<'_>) -> Result<(), S3Error> {
    let canned = call.header("x-amz-acl").is_some_and(|a| a != "bucket-owner-full-control");
    let grants = call.request.parts.headers.keys().any(|h| h.as_str().starts_with("x-amz-grant-"));
    if canned || grants { Err(S3Error::acl_not_supported()) } else { Ok(()) }
}

/// `x-amz-server-side-encryption`: SSE-S3 (`AES256`) or SSE-KMS; objects are always encrypted.
pub(crate) fn encryption(call: &Call<'_>) -> Result<String, S3Error> {
    match call.header("x-amz-server-side-encryption") {
        None => Ok("AES256".to_owned()),
        Some(v @ ("AES256" | "aws:kms" | "aws:kms:dsse")) => Ok(v.to_owned()),
        Some(other) => Err(S3Error::invalid_argument(
            "The encryption method specified is not supported",
            "x-amz-server-side-encryption",
            other,
        )),
    }
}

/// `PUT /bucket/key` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html>):
/// `s3:PutObject`, and `s3:PutObjectTagging` when `x-amz-tagging` sets tags ("To use tagging,
/// you must have s3:PutObjectTagging"). Conditional writes: `If-None-Match: *` fails with 412
/// when the key exists, `If-Match` when its ETag differs (404 when there is none).
pub(crate) fn put_object(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    if call.key().len() > MAX_KEY {
        return Err(S3Error::key_too_long(call.key().len()));
    }
    let tags = match call.header("x-amz-tagging") {
        Some(value) => Some(tagging::parse_header(value)?),
        None => None,
    };
    let mut context = Context::new();
    write_keys(call, &mut context);
    for (header, key) in [("if-none-match", "s3:if-none-match"), ("if-match", "s3:if-match")] {
        if let Some(value) = call.header(header) {
            context.set(key, [value.to_owned()]);
        }
    }
    if let Some(tags) = &tags {
        tagging::request_tag_keys(&mut context, tags);
    }
    let arn = call.object_arn();
    call.require("s3:PutObject", &arn, &context)?;
    if tags.as_ref().is_some_and(|t| !t.is_empty()) {
        call.require("s3:PutObjectTagging", &arn, &context)?;
    }
    check_acl(call)?;
    let sse = encryption(call)?;
    let described = describe(call)?;
    let payload = payload::read(call)?;
    let size = u64::try_from(payload.data.len()).unwrap_or(u64::MAX);
    if size > MAX_PUT {
        return Err(S3Error::entity_too_large(size));
    }
    let existing = bucket.object(call.key());
    if call.header("if-none-match").is_some_and(|v| v.trim() == "*") && existing.is_some() {
        return Err(S3Error::precondition_failed("If-None-Match"));
    }
    if let Some(expected) = call.header("if-match") {
        match &existing {
            None => return Err(S3Error::no_such_key(call.key())),
            Some(o) if expected.trim().trim_matches('"') != o.etag => {
                return Err(S3Error::precondition_failed("If-Match"));
            }
            Some(_) => {}
        }
    }
    let mut object = StoredObject::new(payload.data, &described.content_type, call.live.now());
    object.headers = described.headers;
    object.metadata = described.metadata;
    object.tags = tags.unwrap_or_default();
    object.checksum = payload.checksum;
    let reply = written(&object, &sse);
    bucket.put_object(call.key(), object).map_err(|_| S3Error::no_such_bucket(bucket.name()))?;
    Ok(reply)
}

/// The headers of a successful write: ETag, encryption, the supplied checksum.
pub(crate) fn written(object: &StoredObject, sse: &str) -> Reply {
    let mut reply = Reply::ok()
        .header("etag", format!("\"{}\"", object.etag))
        .header("x-amz-server-side-encryption", sse.to_owned());
    if let Some(StoredChecksum { algorithm, value }) = &object.checksum {
        reply = reply
            .header(format!("x-amz-checksum-{}", algorithm.to_ascii_lowercase()), value.clone())
            .header("x-amz-checksum-type", "FULL_OBJECT");
    }
    reply
}

/// `DELETE /bucket/key`: `s3:DeleteObject`; 204 whether or not the key existed.
pub(crate) fn delete_object(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    if call.target.has("versionId") {
        return Err(S3Error::not_implemented("versionId"));
    }
    call.require("s3:DeleteObject", &call.object_arn(), &Context::new())?;
    bucket.delete_object(call.key());
    Ok(Reply::no_content())
}
