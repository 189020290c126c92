//! Object and bucket tags: the `Tagging` document, the `x-amz-tagging` header, S3's rules for
//! tag sets, and the six tagging operations.
//!
//! Rules, from "Categorizing your storage using tags"
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html>): up to 10 tags
//! per object (50 per bucket, <https://docs.aws.amazon.com/AmazonS3/latest/userguide/CostAllocTagging.html>),
//! unique keys, keys of 1 to 128 and values of 0 to 256 Unicode characters, made of letters,
//! digits, spaces and `+ - = . _ : / @`; keys and values are case-sensitive; the `aws:` prefix is
//! reserved. Violations are `InvalidTag` (too many tags: `BadRequest`; header violations
//! `InvalidArgument`), with S3's messages as its clients quote them.

use std::collections::BTreeMap;

use super::authorize::Call;
use super::response::Reply;
use super::{NAMESPACE, S3Error, XmlElement};
use crate::policy::Context;
use crate::xml::XmlWriter;

/// Object or bucket: their limits and wording differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TagTarget {
    Object,
    Bucket,
}

fn valid_text(text: &str) -> bool {
    text.chars().all(|c| c.is_alphanumeric() || c == ' ' || "+-=._:/@".contains(c))
}

/// Checks a tag set against S3's rules.
pub(crate) fn validate(tags: &[(String, String)], target: TagTarget) -> Result<BTreeMap<String, String>, S3Error> {
    match target {
        TagTarget::Object if tags.len() > 10 => {
            return Err(S3Error::bad_request("Object tags cannot be greater than 10"));
        }
        // The bucket wording follows the object one; S3's exact answer was not found.
        TagTarget::Bucket if tags.len() > 50 => {
            return Err(S3Error::bad_request("Bucket tag count cannot be greater than 50"));
        }
        _ => {}
    }
    let mut set = BTreeMap::new();
    for (key, value) in tags {
        if key.starts_with("aws:") {
            return Err(S3Error::invalid_tag(match target {
                TagTarget::Object => "Your TagKey cannot be prefixed with aws:",
                TagTarget::Bucket => "System tags cannot be added/updated by requester",
            }));
        }
        if key.is_empty() || key.chars().count() > 128 || !valid_text(key) {
            return Err(S3Error::invalid_tag("The TagKey you have provided is invalid"));
        }
        if value.chars().count() > 256 || !valid_text(value) {
            return Err(S3Error::invalid_tag("The TagValue you have provided is invalid"));
        }
        if set.insert(key.clone(), value.clone()).is_some() {
            return Err(S3Error::invalid_tag("Cannot provide multiple Tags with the same key"));
        }
    }
    Ok(set)
}

/// `x-amz-tagging: k1=v1&k2=v2` (URL query encoding).
pub(crate) fn parse_header(value: &str) -> Result<BTreeMap<String, String>, S3Error> {
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(value.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    if keys.windows(2).any(|w| w.first() == w.get(1)) {
        return Err(S3Error::invalid_argument(
            "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
            "x-amz-tagging",
            value,
        ));
    }
    validate(&pairs, TagTarget::Object)
}

/// `<Tagging><TagSet><Tag><Key/><Value/></Tag>…</TagSet></Tagging>`.
fn parse_document(body: &[u8], target: TagTarget) -> Result<BTreeMap<String, String>, S3Error> {
    if body.is_empty() {
        return Err(S3Error::missing_body());
    }
    let root = XmlElement::parse(body)?;
    if root.name != "Tagging" {
        return Err(S3Error::malformed_xml());
    }
    let set = root.child("TagSet").ok_or_else(S3Error::malformed_xml)?;
    let mut tags = Vec::new();
    for tag in set.children("Tag") {
        let key = tag.child("Key").ok_or_else(S3Error::malformed_xml)?;
        let value = tag.child("Value").ok_or_else(S3Error::malformed_xml)?;
        tags.push((key.text().to_owned(), value.text().to_owned()));
    }
    validate(&tags, target)
}

fn document(tags: &BTreeMap<String, String>) -> Vec<u8> {
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("Tagging", NAMESPACE, |x| {
        x.element("TagSet", |x| {
            for (k, v) in tags {
                x.element("Tag", |x| {
                    x.leaf("Key", k);
                    x.leaf("Value", v);
                });
            }
        });
    });
    xml.finish()
}

/// `s3:RequestObjectTag/<key>` and `s3:RequestObjectTagKeys`, for a request that sets tags.
pub(crate) fn request_tag_keys(context: &mut Context, tags: &BTreeMap<String, String>) {
    for (k, v) in tags {
        context.set(&format!("s3:RequestObjectTag/{k}"), [v.clone()]);
    }
    context.set("s3:RequestObjectTagKeys", tags.keys().cloned());
}

/// `GET /bucket/key?tagging`: `s3:GetObjectTagging`.
pub(crate) fn get_object_tagging(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:GetObjectTagging", &call.object_arn(), &Context::new())?;
    let object = bucket.object(call.key()).ok_or_else(|| S3Error::no_such_key(call.key()))?;
    Ok(Reply::xml(document(&object.tags)))
}

/// `PUT /bucket/key?tagging`: `s3:PutObjectTagging`, with the new tags as request keys.
pub(crate) fn put_object_tagging(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    let tags = parse_document(&call.request.body, TagTarget::Object)?;
    let mut context = Context::new();
    request_tag_keys(&mut context, &tags);
    call.require("s3:PutObjectTagging", &call.object_arn(), &context)?;
    if !bucket.set_object_tags(call.key(), tags) {
        return Err(S3Error::no_such_key(call.key()));
    }
    Ok(Reply::ok())
}

/// `DELETE /bucket/key?tagging`: `s3:DeleteObjectTagging`; 204.
pub(crate) fn delete_object_tagging(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:DeleteObjectTagging", &call.object_arn(), &Context::new())?;
    if !bucket.set_object_tags(call.key(), BTreeMap::new()) {
        return Err(S3Error::no_such_key(call.key()));
    }
    Ok(Reply::no_content())
}

/// `GET /bucket?tagging`: `s3:GetBucketTagging`; an untagged bucket is `NoSuchTagSet`.
pub(crate) fn get_bucket_tagging(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:GetBucketTagging", &call.bucket_arn(), &Context::new())?;
    let tags = bucket.tags();
    if tags.is_empty() {
        return Err(S3Error::no_such_tag_set(bucket.name()));
    }
    Ok(Reply::xml(document(&tags)))
}

/// `PUT /bucket?tagging`: `s3:PutBucketTagging`; replaces the bucket's tags.
pub(crate) fn put_bucket_tagging(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    let tags = parse_document(&call.request.body, TagTarget::Bucket)?;
    call.require("s3:PutBucketTagging", &call.bucket_arn(), &Context::new())?;
    bucket.set_tags(tags);
    Ok(Reply::no_content())
}

/// `DELETE /bucket?tagging`: "To use this operation, you must have permission to perform the
/// s3:PutBucketTagging action" (DeleteBucketTagging API reference); 204.
pub(crate) fn delete_bucket_tagging(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:PutBucketTagging", &call.bucket_arn(), &Context::new())?;
    bucket.set_tags(BTreeMap::new());
    Ok(Reply::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn tag_sets_follow_s3s_rules() {
        validate(&tags(&[("team", "photos"), ("Team", "other"), ("a b+c", "")]), TagTarget::Object).unwrap();
        let eleven: Vec<(String, String)> = (0..11).map(|i| (format!("k{i}"), String::new())).collect();
        assert_eq!(validate(&eleven, TagTarget::Object).unwrap_err().message, "Object tags cannot be greater than 10");
        validate(&eleven, TagTarget::Bucket).unwrap();
        let message = |t: &[(&str, &str)]| validate(&tags(t), TagTarget::Object).unwrap_err().message;
        assert_eq!(message(&[("", "v")]), "The TagKey you have provided is invalid");
        assert_eq!(message(&[("k", "v<")]), "The TagValue you have provided is invalid");
        assert_eq!(message(&[("k", "a"), ("k", "b")]), "Cannot provide multiple Tags with the same key");
        assert_eq!(message(&[("aws:x", "a")]), "Your TagKey cannot be prefixed with aws:");
    }

    #[test]
    fn the_tagging_header_is_a_query_string() {
        let parsed = parse_header("team=photos&env=prod%20eu").unwrap();
        assert_eq!(parsed.get("env").map(String::as_str), Some("prod eu"));
        assert_eq!(parse_header("a=1&a=2").unwrap_err().code, "InvalidArgument");
    }

    #[test]
    fn tagging_documents_round_trip() {
        let set: BTreeMap<String, String> = [("k&<".to_owned(), "ü v".to_owned())].into();
        assert_eq!(parse_document(&document(&set), TagTarget::Object).unwrap_err().code, "InvalidTag");
        let set: BTreeMap<String, String> = [("ключ".to_owned(), "ü v".to_owned())].into();
        assert_eq!(parse_document(&document(&set), TagTarget::Object).unwrap(), set);
    }
}
