//! Multipart uploads (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html>):
//! `CreateMultipartUpload`, `UploadPart`, `CompleteMultipartUpload`, `AbortMultipartUpload`,
//! `ListParts`, `ListMultipartUploads`.
//!
//! Permissions ("Multipart upload API and permissions",
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions>):
//! `s3:PutObject` on the object to create, upload parts and complete (and
//! `s3:PutObjectTagging` when the upload sets tags), `s3:AbortMultipartUpload`,
//! `s3:ListMultipartUploadParts` on the object, `s3:ListBucketMultipartUploads` on the bucket.
//! Authorization comes before the upload is looked up, so a caller without permission learns
//! nothing about upload ids.
//!
//! Limits ("Amazon S3 multipart upload limits",
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html>): part numbers 1 to
//! 10,000; parts of 5 MiB to 5 GiB, "There is no minimum size limit on the last part of your
//! multipart upload". The object's ETag is the MD5 of the parts' binary MD5s, a dash and the
//! number of parts (`"…-3"`), as S3 computes it for SSE-S3 objects.
//!
//! Not served: `UploadPartCopy` (`NotImplemented`), `delimiter` and `CommonPrefixes` in
//! `ListMultipartUploads`, composite checksums of the whole object (the object gets
//! S3's default full-object CRC64NVME; part checksums are verified on upload).

use md5::{Digest, Md5};

use super::authorize::Call;
use super::object::{MAX_KEY, MAX_PUT, check_acl, describe, encryption, write_keys};
use super::response::Reply;
use super::time::iso_millis;
use super::{NAMESPACE, S3Error, XmlElement, payload, tagging};
use crate::live::{MultipartUpload, StoredObject, UploadedPart};
use crate::policy::Context;
use crate::xml::XmlWriter;

/// "Part size: 5 MiB to 5 GiB. There is no minimum size limit on the last part".
const MIN_PART: u64 = 5 * 1024 * 1024;
/// "Maximum number of parts per upload: 10,000".
const MAX_PARTS: u32 = 10_000;

/// 404 `NoSuchUpload`, with `UploadId` (the error table's description, which S3 answers).
fn no_such_upload(id: &str) -> S3Error {
    S3Error::new(
        404,
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    )
    .with("UploadId", id)
}

/// 400 `InvalidPart` (the error table's wording).
fn invalid_part(id: &str, number: u32, etag: &str) -> S3Error {
    S3Error::new(
        400,
        "InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    )
    .with("UploadId", id)
    .with("PartNumber", number.to_string())
    .with("ETag", etag)
}

/// 400 `InvalidPartOrder` (the error table's wording).
fn invalid_part_order(id: &str) -> S3Error {
    S3Error::new(
        400,
        "InvalidPartOrder",
        "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
    )
    .with("UploadId", id)
}

/// 400 `EntityTooSmall` for a part other than the last under 5 MiB (the error table's wording).
fn entity_too_small(size: u64, number: u32, etag: &str) -> S3Error {
    S3Error::new(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
        .with("ProposedSize", size.to_string())
        .with("MinSizeAllowed", MIN_PART.to_string())
        .with("PartNumber", number.to_string())
        .with("ETag", etag)
}

/// The `uploadId` parameter (the operation was chosen by its presence).
fn upload_id(call: &Call<'_>) -> String {
    call.target.param("uploadId").unwrap_or_default().to_owned()
}

/// `POST /bucket/key?uploads` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html>).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, S3Error> {
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
    let initiator = call.live.caller_arn(&call.auth.caller);
    let mut upload = MultipartUpload::new(call.key(), &initiator, call.live.now());
    upload.content_type = described.content_type;
    upload.metadata = described.metadata;
    upload.headers = described.headers;
    upload.tags = tags.unwrap_or_default();
    upload.encryption.clone_from(&sse);
    let ids = call.live.model().ids();
    let scope_bucket = bucket.name().to_owned();
    let id = bucket
        .start_upload(|n| ids.opaque("s3-upload", &format!("{scope_bucket}/{n}"), 64).replace(['+', '/'], "_"), upload)
        .map_err(|_| S3Error::no_such_bucket(bucket.name()))?;
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("InitiateMultipartUploadResult", NAMESPACE, |x| {
        x.leaf("Bucket", bucket.name());
        x.leaf("Key", call.key());
        x.leaf("UploadId", &id);
    });
    let mut reply = Reply::xml(xml.finish()).header("x-amz-server-side-encryption", sse);
    if let Some(algorithm) = call.header("x-amz-checksum-algorithm") {
        reply = reply.header("x-amz-checksum-algorithm", algorithm.to_ascii_uppercase());
    }
    Ok(reply)
}

/// `PUT /bucket/key?partNumber=N&uploadId=ID` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html>):
/// plain, `UNSIGNED-PAYLOAD` or `aws-chunked` bodies, checked like `PutObject`'s.
pub(crate) fn upload_part(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    let id = upload_id(call);
    let text = call.target.param("partNumber").unwrap_or_default().to_owned();
    let number = text.parse::<u32>().ok().filter(|n| (1..=MAX_PARTS).contains(n)).ok_or_else(|| {
        S3Error::invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", &text)
    })?;
    call.require("s3:PutObject", &call.object_arn(), &Context::new())?;
    if bucket.upload(&id, call.key()).is_none() {
        return Err(no_such_upload(&id));
    }
    let payload = payload::read(call)?;
    let size = u64::try_from(payload.data.len()).unwrap_or(u64::MAX);
    if size > MAX_PUT {
        return Err(S3Error::entity_too_large(size));
    }
    let part = UploadedPart::new(payload.data, payload.checksum, call.live.now());
    let mut reply = Reply::ok().header("etag", format!("\"{}\"", part.etag));
    if let Some(c) = &part.checksum {
        reply = reply.header(format!("x-amz-checksum-{}", c.algorithm.to_ascii_lowercase()), c.value.clone());
    }
    if !bucket.put_part(&id, call.key(), number, part) {
        return Err(no_such_upload(&id));
    }
    Ok(reply.header("x-amz-server-side-encryption", "AES256"))
}

/// The parts a `CompleteMultipartUpload` document lists: (number, ETag without quotes).
fn parse_completion(body: &[u8]) -> Result<Vec<(u32, String)>, S3Error> {
    let root = XmlElement::parse(body)?;
    if root.name != "CompleteMultipartUpload" {
        return Err(S3Error::malformed_xml());
    }
    let mut parts = Vec::new();
    for part in root.children("Part") {
        let number = part
            .child("PartNumber")
            .and_then(|n| n.text().trim().parse::<u32>().ok())
            .ok_or_else(S3Error::malformed_xml)?;
        let etag = part.child("ETag").map(|e| e.text().trim().trim_matches('"').to_owned()).unwrap_or_default();
        parts.push((number, etag));
    }
    if parts.is_empty() {
        return Err(S3Error::malformed_xml());
    }
    Ok(parts)
}

/// `POST /bucket/key?uploadId=ID` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html>):
/// the listed parts, ascending (`InvalidPartOrder`), each uploaded with that ETag
/// (`InvalidPart`), each but the last at least 5 MiB (`EntityTooSmall`), become the object.
pub(crate) fn complete(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    let id = upload_id(call);
    call.require("s3:PutObject", &call.object_arn(), &Context::new())?;
    if bucket.upload(&id, call.key()).is_none() {
        return Err(no_such_upload(&id));
    }
    let listed = parse_completion(&call.request.body)?;
    let now = call.live.now();
    let assemble = |upload: &MultipartUpload| -> Result<StoredObject, S3Error> {
        if listed.windows(2).any(|w| w.first().map(|a| a.0) >= w.get(1).map(|b| b.0)) {
            return Err(invalid_part_order(&id));
        }
        let mut chosen = Vec::with_capacity(listed.len());
        for (number, etag) in &listed {
            match upload.parts.get(number) {
                Some(part) if part.etag == *etag => chosen.push((*number, part)),
                _ => return Err(invalid_part(&id, *number, etag)),
            }
        }
        let last = chosen.len().saturating_sub(1);
        for (i, (number, part)) in chosen.iter().enumerate() {
            if i < last && part.size() < MIN_PART {
                return Err(entity_too_small(part.size(), *number, &part.etag));
            }
        }
        let total: usize = chosen.iter().map(|(_, p)| p.data.len()).sum();
        let mut data = Vec::with_capacity(total);
        let mut md5s = Md5::new();
        for (_, part) in &chosen {
            data.extend_from_slice(&part.data);
            md5s.update(hex::decode(&part.etag).unwrap_or_default());
        }
        let mut object = StoredObject::new(data.into(), &upload.content_type, now);
        object.etag = format!("{}-{}", hex::encode(md5s.finalize()), chosen.len());
        object.metadata.clone_from(&upload.metadata);
        object.headers.clone_from(&upload.headers);
        object.tags.clone_from(&upload.tags);
        Ok(object)
    };
    let object = match bucket.complete_upload(&id, call.key(), assemble) {
        None => return Err(no_such_upload(&id)),
        Some(result) => result?,
    };
    let location = format!("/{}/{}", bucket.name(), call.key());
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("CompleteMultipartUploadResult", NAMESPACE, |x| {
        x.leaf("Location", &location);
        x.leaf("Bucket", bucket.name());
        x.leaf("Key", call.key());
        x.leaf("ETag", &format!("\"{}\"", object.etag));
    });
    Ok(Reply::xml(xml.finish()).header("x-amz-server-side-encryption", "AES256"))
}

/// `DELETE /bucket/key?uploadId=ID` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html>):
/// `s3:AbortMultipartUpload`; 204, or `NoSuchUpload`.
pub(crate) fn abort(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    let id = upload_id(call);
    call.require("s3:AbortMultipartUpload", &call.object_arn(), &Context::new())?;
    if bucket.abort_upload(&id, call.key()) { Ok(Reply::no_content()) } else { Err(no_such_upload(&id)) }
}

/// A positive integer parameter with a default and a ceiling (`max-parts`, `max-uploads`).
fn limit(call: &Call<'_>, name: &str) -> Result<usize, S3Error> {
    match call.target.param(name) {
        None => Ok(1000),
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX).min(1000)),
            _ => Err(S3Error::invalid_argument(
                format!("Provided {name} not an integer or within integer range"),
                name,
                text,
            )),
        },
    }
}

/// `GET /bucket/key?uploadId=ID` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html>):
/// `s3:ListMultipartUploadParts`; `max-parts` (at most 1,000) and `part-number-marker`.
pub(crate) fn list_parts(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    let id = upload_id(call);
    call.require("s3:ListMultipartUploadParts", &call.object_arn(), &Context::new())?;
    let upload = bucket.upload(&id, call.key()).ok_or_else(|| no_such_upload(&id))?;
    let max = limit(call, "max-parts")?;
    let marker_text = call.target.param("part-number-marker").unwrap_or("0").to_owned();
    let marker = marker_text.parse::<u32>().map_err(|_| {
        S3Error::invalid_argument(
            "Provided part-number-marker not an integer or within integer range",
            "part-number-marker",
            &marker_text,
        )
    })?;
    let after: Vec<_> = upload.parts.range(marker.saturating_add(1)..).collect();
    let truncated = after.len() > max;
    let shown: Vec<_> = after.into_iter().take(max).collect();
    let owner =
        call.live.model().account(bucket.account().as_str()).map(|a| a.canonical_user_id.clone()).unwrap_or_default();
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("ListPartsResult", NAMESPACE, |x| {
        x.leaf("Bucket", bucket.name());
        x.leaf("Key", call.key());
        x.leaf("UploadId", &id);
        x.leaf("PartNumberMarker", &marker.to_string());
        if let Some((last, _)) = shown.last() {
            x.leaf("NextPartNumberMarker", &last.to_string());
        }
        x.leaf("MaxParts", &max.to_string());
        x.leaf("IsTruncated", if truncated { "true" } else { "false" });
        for (number, part) in &shown {
            x.element("Part", |x| {
                x.leaf("PartNumber", &number.to_string());
                x.leaf("LastModified", &iso_millis(part.last_modified));
                x.leaf("ETag", &format!("\"{}\"", part.etag));
                x.leaf("Size", &part.size().to_string());
            });
        }
        x.element("Initiator", |x| {
            x.leaf("ID", &upload.initiator);
            x.leaf("DisplayName", &upload.initiator);
        });
        x.element("Owner", |x| x.leaf("ID", &owner));
        x.leaf("StorageClass", "STANDARD");
    });
    Ok(Reply::xml(xml.finish()))
}

/// `GET /bucket?uploads` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html>):
/// `s3:ListBucketMultipartUploads`; uploads in key order, then by start time; `prefix`,
/// `key-marker`, `max-uploads` (at most 1,000).
pub(crate) fn list_uploads(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:ListBucketMultipartUploads", &call.bucket_arn(), &Context::new())?;
    let max = limit(call, "max-uploads")?;
    let prefix = call.target.param("prefix").unwrap_or_default().to_owned();
    let key_marker = call.target.param("key-marker").unwrap_or_default().to_owned();
    let mut uploads: Vec<_> = bucket
        .uploads()
        .into_iter()
        .filter(|(_, u)| u.key.starts_with(&prefix) && (key_marker.is_empty() || u.key > key_marker))
        .collect();
    uploads.sort_by(|(ia, a), (ib, b)| (&a.key, a.initiated, ia).cmp(&(&b.key, b.initiated, ib)));
    let truncated = uploads.len() > max;
    uploads.truncate(max);
    let owner =
        call.live.model().account(bucket.account().as_str()).map(|a| a.canonical_user_id.clone()).unwrap_or_default();
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("ListMultipartUploadsResult", NAMESPACE, |x| {
        x.leaf("Bucket", bucket.name());
        x.leaf("KeyMarker", &key_marker);
        x.leaf("UploadIdMarker", "");
        if truncated && let Some((id, last)) = uploads.last() {
            x.leaf("NextKeyMarker", &last.key);
            x.leaf("NextUploadIdMarker", id);
        }
        if !prefix.is_empty() {
            x.leaf("Prefix", &prefix);
        }
        x.leaf("MaxUploads", &max.to_string());
        x.leaf("IsTruncated", if truncated { "true" } else { "false" });
        for (id, upload) in &uploads {
            x.element("Upload", |x| {
                x.leaf("Key", &upload.key);
                x.leaf("UploadId", id);
                x.element("Initiator", |x| {
                    x.leaf("ID", &upload.initiator);
                    x.leaf("DisplayName", &upload.initiator);
                });
                x.element("Owner", |x| x.leaf("ID", &owner));
                x.leaf("StorageClass", "STANDARD");
                x.leaf("Initiated", &iso_millis(upload.initiated));
            });
        }
    });
    Ok(Reply::xml(xml.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_documents_list_parts_or_are_malformed() {
        let parts = parse_completion(
            b"<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><ETag>\"abc\"</ETag><PartNumber>1</PartNumber></Part><Part><PartNumber>2</PartNumber><ETag>def</ETag></Part></CompleteMultipartUpload>",
        )
        .expect("valid");
        assert_eq!(parts, [(1, "abc".to_owned()), (2, "def".to_owned())]);
        for bad in [
            &b"<CompleteMultipartUpload/>"[..],
            b"<Other><Part><PartNumber>1</PartNumber></Part></Other>",
            b"<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>",
            b"<Comp",
        ] {
            assert_eq!(parse_completion(bad).unwrap_err().code, "MalformedXML");
        }
    }
}
