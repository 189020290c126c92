//! `CopyObject` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html>): read
//! on the source, write on the target — "you must have s3:GetObject permission to read the
//! source object … and s3:PutObject permission to write the object copy to the destination
//! bucket"; `s3:PutObjectTagging` too when the copy replaces the tags with new ones.
//!
//! `x-amz-copy-source` is `bucket/key` (a leading `/` allowed, `?versionId=` after it). SDKs
//! send it as typed — the Rust SDK does not percent-encode it, spaces included (WIRE.md §3) —
//! while others encode it, so it is decoded leniently: each valid `%XX` once, anything else as
//! it is.

use super::authorize::Call;
use super::object::{check_acl, describe, encryption, write_keys, written};
use super::preconditions::Conditions;
use super::request::percent_decode;
use super::response::Reply;
use super::tagging;
use super::time::iso_millis;
use super::{NAMESPACE, S3Error};
use crate::live::StoredObject;
use crate::policy::Context;
use crate::xml::XmlWriter;

/// The source a copy names: bucket and key.
fn copy_source(value: &str) -> Result<(String, String), S3Error> {
    let invalid = || {
        S3Error::invalid_argument(
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
            "x-amz-copy-source",
            value,
        )
    };
    let text = value.strip_prefix('/').unwrap_or(value);
    let text = match text.rfind("?versionId=") {
        Some(at) => text.get(..at).unwrap_or(text),
        None => text,
    };
    let decoded = percent_decode(text).ok_or_else(invalid)?;
    match decoded.split_once('/') {
        Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() => Ok((bucket.to_owned(), key.to_owned())),
        _ => Err(invalid()),
    }
}

pub(crate) fn copy_object(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let target_bucket = call.bucket()?;
    let raw_source = call.header("x-amz-copy-source").unwrap_or_default().to_owned();
    if raw_source.contains("?versionId=") {
        return Err(S3Error::not_implemented("x-amz-copy-source versionId"));
    }
    let (source_bucket_name, source_key) = copy_source(&raw_source)?;
    let source_bucket =
        call.live.buckets().bucket(&source_bucket_name).ok_or_else(|| S3Error::no_such_bucket(&source_bucket_name))?;
    let metadata_replace = match call.header("x-amz-metadata-directive") {
        None | Some("COPY") => false,
        Some("REPLACE") => true,
        Some(other) => {
            return Err(S3Error::invalid_argument("Unknown metadata directive.", "x-amz-metadata-directive", other));
        }
    };
    let new_tags = match call.header("x-amz-tagging-directive") {
        None | Some("COPY") => None,
        Some("REPLACE") => Some(match call.header("x-amz-tagging") {
            Some(value) => tagging::parse_header(value)?,
            None => Default::default(),
        }),
        Some(other) => {
            return Err(S3Error::invalid_argument("Unknown tagging directive.", "x-amz-tagging-directive", other));
        }
    };

    let source_arn = format!("arn:aws:s3:::{source_bucket_name}/{source_key}");
    call.require("s3:GetObject", &source_arn, &Context::new())?;
    let mut context = Context::new();
    write_keys(call, &mut context);
    context.set("s3:x-amz-copy-source", [format!("{source_bucket_name}/{source_key}")]);
    if let Some(tags) = &new_tags {
        tagging::request_tag_keys(&mut context, tags);
    }
    let target_arn = call.object_arn();
    call.require("s3:PutObject", &target_arn, &context)?;
    if new_tags.as_ref().is_some_and(|t| !t.is_empty()) {
        call.require("s3:PutObjectTagging", &target_arn, &context)?;
    }
    check_acl(call)?;
    let sse = encryption(call)?;

    let source = source_bucket.object(&source_key).ok_or_else(|| S3Error::no_such_key(&source_key))?;
    let conditions = Conditions {
        if_match: call.header("x-amz-copy-source-if-match"),
        if_none_match: call.header("x-amz-copy-source-if-none-match"),
        if_modified_since: call.header("x-amz-copy-source-if-modified-since"),
        if_unmodified_since: call.header("x-amz-copy-source-if-unmodified-since"),
    };
    conditions.evaluate(&source.etag, source.last_modified, true)?;
    let same_object = source_bucket.name() == target_bucket.name() && source_key == call.key();
    let changes_something = metadata_replace
        || call.header("x-amz-storage-class").is_some()
        || call.header("x-amz-website-redirect-location").is_some()
        || call.header("x-amz-server-side-encryption").is_some();
    if same_object && !changes_something {
        return Err(S3Error::invalid_request(
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }

    // The same bytes (shared, not copied), so the same ETag and checksum; new metadata and tags
    // only when the directives say REPLACE.
    let mut object = StoredObject { last_modified: call.live.now(), ..source };
    if metadata_replace {
        let described = describe(call)?;
        object.content_type = described.content_type;
        object.headers = described.headers;
        object.metadata = described.metadata;
    }
    if let Some(tags) = new_tags {
        object.tags = tags;
    }
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("CopyObjectResult", NAMESPACE, |x| {
        x.leaf("ETag", &format!("\"{}\"", object.etag));
        x.leaf("LastModified", &iso_millis(object.last_modified));
        if let Some(checksum) = &object.checksum {
            x.leaf(&format!("Checksum{}", checksum.algorithm), &checksum.value);
        }
    });
    let mut reply = written(&object, &sse);
    reply.headers.retain(|(n, _)| n == "x-amz-server-side-encryption");
    reply.headers.push(("content-type".into(), "application/xml".into()));
    reply.body = xml.finish().into();
    target_bucket.put_object(call.key(), object).map_err(|_| S3Error::no_such_bucket(target_bucket.name()))?;
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_sources_are_read_leniently() {
        assert_eq!(
            copy_source("demo/src dir/hello world.txt").unwrap(),
            ("demo".into(), "src dir/hello world.txt".into())
        );
        assert_eq!(copy_source("/demo/a%20b%2Bc.txt").unwrap(), ("demo".into(), "a b+c.txt".into()));
        assert_eq!(copy_source("demo/100%/x").unwrap(), ("demo".into(), "100%/x".into()));
        assert_eq!(copy_source("demo/a?versionId=3").unwrap(), ("demo".into(), "a".into()));
        assert_eq!(copy_source("demo").unwrap_err().code, "InvalidArgument");
        assert_eq!(copy_source("/demo/").unwrap_err().code, "InvalidArgument");
    }
}
