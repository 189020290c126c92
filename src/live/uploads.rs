//! Multipart uploads in progress: what `CreateMultipartUpload` starts, `UploadPart` fills and
//! `CompleteMultipartUpload` turns into an object (kept per bucket by
//! [`LiveBucket`](crate::live::LiveBucket)).

use std::collections::BTreeMap;
use std::time::SystemTime;

use bytes::Bytes;
use md5::{Digest, Md5};

use super::StoredChecksum;

/// One uploaded part.
///
/// ```
/// use iamsim::live::UploadedPart;
/// let part = UploadedPart::new("hello".into(), None, std::time::UNIX_EPOCH);
/// assert_eq!(part.etag, "5d41402abc4b2a76b9719d911017c592");
/// assert_eq!(part.size(), 5);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadedPart {
    /// The part's bytes (shared, never copied).
    pub data: Bytes,
    /// The MD5 of the part in hex, without quotes.
    pub etag: String,
    /// The checksum the uploader supplied.
    pub checksum: Option<StoredChecksum>,
    /// When it was uploaded, on the world's clock.
    pub last_modified: SystemTime,
}

impl UploadedPart {
    /// A part of these bytes, its ETag computed.
    pub fn new(data: Bytes, checksum: Option<StoredChecksum>, now: SystemTime) -> UploadedPart {
        UploadedPart { etag: hex::encode(Md5::digest(&data)), data, checksum, last_modified: now }
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        u64::try_from(self.data.len()).unwrap_or(u64::MAX)
    }
}

/// A multipart upload in progress: the object-to-be's key and attributes, and its parts.
///
/// ```
/// use iamsim::live::MultipartUpload;
/// let upload = MultipartUpload::new("big.bin", "arn:aws:iam::111111111111:user/alice", std::time::UNIX_EPOCH);
/// assert!(upload.parts.is_empty());
/// assert_eq!(upload.content_type, "binary/octet-stream");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultipartUpload {
    /// The key the object will have.
    pub key: String,
    /// Who started it (ARN).
    pub initiator: String,
    /// When it was started.
    pub initiated: SystemTime,
    /// `Content-Type` of the object.
    pub content_type: String,
    /// User metadata of the object.
    pub metadata: BTreeMap<String, String>,
    /// Stored representation headers of the object.
    pub headers: Vec<(String, String)>,
    /// Object tags from `x-amz-tagging`.
    pub tags: BTreeMap<String, String>,
    /// `x-amz-server-side-encryption` of the object.
    pub encryption: String,
    /// Parts by part number.
    pub parts: BTreeMap<u32, UploadedPart>,
}

impl MultipartUpload {
    /// An upload of `key` with no parts yet, started by `initiator` at `now`.
    pub fn new(key: &str, initiator: &str, now: SystemTime) -> MultipartUpload {
        MultipartUpload {
            key: key.to_owned(),
            initiator: initiator.to_owned(),
            initiated: now,
            content_type: "binary/octet-stream".to_owned(),
            metadata: BTreeMap::new(),
            headers: Vec::new(),
            tags: BTreeMap::new(),
            encryption: "AES256".to_owned(),
            parts: BTreeMap::new(),
        }
    }
}
