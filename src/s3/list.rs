//! `ListObjectsV2` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html>)
//! and `ListObjects` (version 1, <https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html>):
//! `s3:ListBucket` on the bucket, with `s3:prefix`, `s3:delimiter` and `s3:max-keys` as the
//! request gives them.
//!
//! Keys come in UTF-8 binary order. With a delimiter, keys that contain it after the prefix roll
//! up into one `CommonPrefixes` entry each; keys and common prefixes together count against
//! `max-keys` (at most 1,000). A page ends after its last entry, and the next starts after it:
//! `NextContinuationToken` (opaque: the last entry, base64) for V2, `NextMarker` (only with a
//! delimiter, as S3 sends it) or the last key for V1. `start-after` and `marker` start after any
//! key. `encoding-type=url` percent-encodes keys and prefixes in the answer.

use base64::Engine;

use super::authorize::Call;
use super::response::Reply;
use super::time::iso_millis;
use super::{NAMESPACE, S3Error};
use crate::live::StoredObject;
use crate::policy::Context;
use crate::xml::XmlWriter;

const TOKEN: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Which list operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    V1,
    V2,
}

/// One page of a listing.
#[derive(Debug, Default)]
struct Page {
    contents: Vec<(String, StoredObject)>,
    prefixes: Vec<String>,
    truncated: bool,
    /// The last entry of the page (a key or a common prefix).
    last: Option<String>,
}

/// Lists `prefix`ed entries strictly after `marker`, at most `max`.
fn page(bucket: &crate::live::LiveBucket, prefix: &str, delimiter: &str, marker: Option<&str>, max: usize) -> Page {
    let mut page = Page::default();
    if max == 0 {
        // Nothing is asked for: an empty, complete page (a paginator must not loop on it).
        return page;
    }
    let mut count = 0usize;
    // Scanning starts after the marker, or where the prefix would sort.
    let start = match marker {
        Some(m) if m >= prefix => Some(m),
        _ => None,
    };
    bucket.scan(start, |key, object| {
        if !key.starts_with(prefix) {
            // Keys are sorted: once past every key with the prefix, nothing more can match.
            return key < prefix;
        }
        let rolled = (!delimiter.is_empty())
            .then(|| key.get(prefix.len()..).and_then(|rest| rest.find(delimiter)))
            .flatten()
            .and_then(|at| key.get(..prefix.len() + at + delimiter.len()));
        let entry = rolled.unwrap_or(key);
        if marker.is_some_and(|m| entry <= m) || (rolled.is_some() && page.last.as_deref() == Some(entry)) {
            return true;
        }
        if count == max {
            page.truncated = true;
            return false;
        }
        count += 1;
        match rolled {
            Some(p) => page.prefixes.push(p.to_owned()),
            None => page.contents.push((key.to_owned(), object.clone())),
        }
        page.last = Some(entry.to_owned());
        true
    });
    page
}

/// Percent-encodes for `encoding-type=url`: everything but unreserved characters and `/`.
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn list_objects(call: &mut Call<'_>, version: Version) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    let target = &call.target;
    let prefix = target.param("prefix").unwrap_or_default().to_owned();
    let delimiter = target.param("delimiter").unwrap_or_default().to_owned();
    let max_text = target.param("max-keys").map(str::to_owned);
    let max_keys: i64 = match &max_text {
        None => 1000,
        // S3's wording for each (from its responses; no page quotes them).
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (0..=i64::from(i32::MAX)).contains(&n) => n,
            Ok(_) => {
                return Err(S3Error::invalid_argument(
                    "Argument maxKeys must be an integer between 0 and 2147483647",
                    "maxKeys",
                    text,
                ));
            }
            Err(_) => {
                return Err(S3Error::invalid_argument(
                    "Provided max-keys not an integer or within integer range",
                    "max-keys",
                    text,
                ));
            }
        },
    };
    let encode = match target.param("encoding-type") {
        None => false,
        Some("url") => true,
        Some(other) => {
            return Err(S3Error::invalid_argument(
                "Invalid Encoding Method specified in Request",
                "encoding-type",
                other,
            ));
        }
    };
    let continuation = target.param("continuation-token").map(str::to_owned);
    let start_after = target.param("start-after").map(str::to_owned);
    let v1_marker = target.param("marker").map(str::to_owned);
    let fetch_owner = target.param("fetch-owner") == Some("true");

    let mut context = Context::new();
    for (param, key) in [("prefix", "s3:prefix"), ("delimiter", "s3:delimiter"), ("max-keys", "s3:max-keys")] {
        if let Some(value) = call.target.param(param) {
            context.set(key, [value.to_owned()]);
        }
    }
    call.require("s3:ListBucket", &call.bucket_arn(), &context)?;

    let marker = match version {
        Version::V1 => v1_marker.clone(),
        Version::V2 => match &continuation {
            Some(token) => Some(TOKEN.decode(token).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(|| {
                S3Error::invalid_argument("The continuation token provided is incorrect", "continuation-token", token)
            })?),
            None => start_after.clone(),
        },
    };
    // "Returns some or all (up to 1,000) of the objects in a bucket."
    let max = usize::try_from(max_keys.min(1000)).unwrap_or(1000);
    let page = page(&bucket, &prefix, &delimiter, marker.as_deref(), max);

    let owner = call.live.model().account(bucket.account().as_str()).map(|a| a.canonical_user_id.clone());
    let text = |t: &str| if encode { url_encode(t) } else { t.to_owned() };
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("ListBucketResult", NAMESPACE, |x| {
        x.leaf("Name", bucket.name());
        x.leaf("Prefix", &text(&prefix));
        if version == Version::V1 {
            x.leaf("Marker", &text(v1_marker.as_deref().unwrap_or_default()));
            if page.truncated && !delimiter.is_empty() {
                x.optional_leaf("NextMarker", page.last.as_deref().map(text).as_deref());
            }
        }
        if !delimiter.is_empty() {
            x.leaf("Delimiter", &text(&delimiter));
        }
        x.leaf("MaxKeys", &max_keys.to_string());
        if encode {
            x.leaf("EncodingType", "url");
        }
        if version == Version::V2 {
            x.leaf("KeyCount", &(page.contents.len() + page.prefixes.len()).to_string());
            x.optional_leaf("ContinuationToken", continuation.as_deref());
            if page.truncated {
                x.optional_leaf("NextContinuationToken", page.last.as_deref().map(|l| TOKEN.encode(l)).as_deref());
            }
            x.optional_leaf("StartAfter", start_after.as_deref().map(text).as_deref());
        }
        x.leaf("IsTruncated", if page.truncated { "true" } else { "false" });
        for (key, object) in &page.contents {
            x.element("Contents", |x| {
                x.leaf("Key", &text(key));
                x.leaf("LastModified", &iso_millis(object.last_modified));
                x.leaf("ETag", &format!("\"{}\"", object.etag));
                let algorithm = object.checksum.as_ref().map_or("CRC64NVME", |c| c.algorithm.as_str());
                x.leaf("ChecksumAlgorithm", algorithm);
                x.leaf("ChecksumType", "FULL_OBJECT");
                x.leaf("Size", &object.size().to_string());
                if let Some(id) = owner.as_deref().filter(|_| version == Version::V1 || fetch_owner) {
                    x.element("Owner", |x| x.leaf("ID", id));
                }
                x.leaf("StorageClass", "STANDARD");
            });
        }
        for p in &page.prefixes {
            x.element("CommonPrefixes", |x| x.leaf("Prefix", &text(p)));
        }
    });
    Ok(Reply::xml(xml.finish()))
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::live::BucketStore;
    use crate::policy::AccountId;

    fn bucket(keys: &[&str]) -> std::sync::Arc<crate::live::LiveBucket> {
        let store = BucketStore::default();
        let account = AccountId::new("111111111111").unwrap();
        let bucket = store.create("b", &account, "us-east-1", SystemTime::UNIX_EPOCH).unwrap();
        for key in keys {
            bucket
                .put_object(key, StoredObject::new(bytes::Bytes::new(), "text/plain", SystemTime::UNIX_EPOCH))
                .unwrap();
        }
        bucket
    }

    fn names(page: &Page) -> (Vec<&str>, Vec<&str>) {
        (page.contents.iter().map(|(k, _)| k.as_str()).collect(), page.prefixes.iter().map(String::as_str).collect())
    }

    #[test]
    fn delimiters_roll_keys_up_into_common_prefixes() {
        let b = bucket(&["a.txt", "photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/x.jpg", "z"]);
        let p = page(&b, "photos/", "/", None, 1000);
        assert_eq!(names(&p), (vec!["photos/x.jpg"], vec!["photos/2024/", "photos/2025/"]));
        assert!(!p.truncated);
        let p = page(&b, "", "/", None, 1000);
        assert_eq!(names(&p), (vec!["a.txt", "z"], vec!["photos/"]));
    }

    #[test]
    fn pages_resume_after_their_last_entry_even_a_common_prefix() {
        let b = bucket(&["a", "d/1", "d/2", "e"]);
        let first = page(&b, "", "/", None, 2);
        assert_eq!(names(&first), (vec!["a"], vec!["d/"]));
        assert!(first.truncated);
        let second = page(&b, "", "/", first.last.as_deref(), 2);
        assert_eq!(names(&second), (vec!["e"], vec![]));
        assert!(!second.truncated);
        let after = page(&b, "", "", Some("d/1"), 1000);
        assert_eq!(names(&after), (vec!["d/2", "e"], vec![]));
        assert!(page(&b, "", "", None, 0).contents.is_empty());
    }

    #[test]
    fn url_encoding_keeps_slashes() {
        assert_eq!(url_encode("a b/ü+&"), "a%20b/%C3%BC%2B%26");
    }
}
