//! `DeleteObjects` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html>):
//! up to 1,000 keys in one `<Delete>` document, each authorized on its own — "you must have
//! the s3:DeleteObject permission" for every key — so one request can delete some keys and
//! answer `AccessDenied` for others in the same `<DeleteResult>`. The request must carry
//! `Content-MD5` or an `x-amz-checksum-*` header (the API reference requires an integrity
//! check on this operation; SDKs send CRC32 even with checksums turned off, WIRE.md §3).
//! `<Quiet>true</Quiet>` leaves the deleted keys out.

use super::authorize::Call;
use super::payload;
use super::response::Reply;
use super::{NAMESPACE, S3Error, XmlElement};
use crate::policy::Context;
use crate::xml::XmlWriter;

/// The most keys one request may name.
const MAX_KEYS: usize = 1000;

/// One key's outcome.
enum Outcome {
    Deleted(String),
    Failed { key: String, code: &'static str, message: String },
}

pub(crate) fn delete_objects(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    let has_checksum = call.request.parts.headers.keys().any(|h| {
        let h = h.as_str();
        h == "content-md5" || (h.starts_with("x-amz-checksum-") && h != "x-amz-checksum-type")
    });
    if !has_checksum {
        // S3's InvalidRequest wording for the missing header (from its responses; the exact
        // text was not found in a page).
        return Err(S3Error::invalid_request(
            "Missing required header for this request: Content-MD5 OR x-amz-checksum-*",
        ));
    }
    let body = payload::read(call)?.data;
    if body.is_empty() {
        return Err(S3Error::missing_body());
    }
    let root = XmlElement::parse(&body)?;
    if root.name != "Delete" {
        return Err(S3Error::malformed_xml());
    }
    let quiet = root.child("Quiet").is_some_and(|q| q.text().trim().eq_ignore_ascii_case("true"));
    let mut keys = Vec::new();
    for object in root.children("Object") {
        let key = object.child("Key").ok_or_else(S3Error::malformed_xml)?;
        if object.child("VersionId").is_some_and(|v| !v.text().is_empty()) {
            return Err(S3Error::not_implemented("VersionId"));
        }
        keys.push(key.text().to_owned());
    }
    if keys.is_empty() || keys.len() > MAX_KEYS {
        return Err(S3Error::malformed_xml());
    }
    let bucket_name = bucket.name().to_owned();
    let mut outcomes = Vec::with_capacity(keys.len());
    for key in keys {
        if key.is_empty() {
            outcomes.push(Outcome::Failed { key, code: "InvalidArgument", message: "Invalid key".to_owned() });
            continue;
        }
        let decision = call.decide("s3:DeleteObject", &format!("arn:aws:s3:::{bucket_name}/{key}"), &Context::new())?;
        if decision.is_allowed() {
            bucket.delete_object(&key);
            outcomes.push(Outcome::Deleted(key));
        } else {
            let message = call.denial_message(&decision);
            outcomes.push(Outcome::Failed { key, code: "AccessDenied", message });
        }
    }
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("DeleteResult", NAMESPACE, |x| {
        for outcome in &outcomes {
            match outcome {
                Outcome::Deleted(key) if !quiet => x.element("Deleted", |x| x.leaf("Key", key)),
                Outcome::Deleted(_) => {}
                Outcome::Failed { key, code, message } => x.element("Error", |x| {
                    x.leaf("Key", key);
                    x.leaf("Code", code);
                    x.leaf("Message", message);
                }),
            }
        }
    });
    Ok(Reply::xml(xml.finish()))
}
