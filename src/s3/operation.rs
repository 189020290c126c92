//! Which S3 operation a request is: method, whether it names a bucket and a key, and its
//! subresource parameters (`?tagging`, `?delete`, `?list-type=2`, …), as the S3 API Reference
//! defines each operation's request line
//! (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html>).
//!
//! Operations iamsim does not serve yet are still recognised by name ([`Operation::Unsupported`])
//! so the access log says what was asked and the answer is S3's `NotImplemented`.

use super::{S3Error, Target};

/// An S3 operation.
///
/// ```
/// use iamsim::s3::{Operation, Target};
/// let target = Target { bucket: Some("b".into()), query: vec![("list-type".into(), "2".into())], ..Target::default() };
/// assert_eq!(Operation::identify(&http::Method::GET, &target, &http::HeaderMap::new()), Ok(Operation::ListObjectsV2));
/// assert_eq!(Operation::ListObjectsV2.name(), "ListObjectsV2");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `GET /`.
    ListBuckets,
    /// `PUT /bucket`.
    CreateBucket,
    /// `DELETE /bucket`.
    DeleteBucket,
    /// `HEAD /bucket`.
    HeadBucket,
    /// `GET /bucket?location`.
    GetBucketLocation,
    /// `GET /bucket?list-type=2`.
    ListObjectsV2,
    /// `GET /bucket`.
    ListObjects,
    /// `GET /bucket/key`.
    GetObject,
    /// `HEAD /bucket/key`.
    HeadObject,
    /// `PUT /bucket/key`.
    PutObject,
    /// `PUT /bucket/key` with `x-amz-copy-source`.
    CopyObject,
    /// `DELETE /bucket/key`.
    DeleteObject,
    /// `POST /bucket?delete`.
    DeleteObjects,
    /// `GET /bucket/key?tagging`.
    GetObjectTagging,
    /// `PUT /bucket/key?tagging`.
    PutObjectTagging,
    /// `DELETE /bucket/key?tagging`.
    DeleteObjectTagging,
    /// `GET /bucket?tagging`.
    GetBucketTagging,
    /// `PUT /bucket?tagging`.
    PutBucketTagging,
    /// `DELETE /bucket?tagging`.
    DeleteBucketTagging,
    /// `GET /bucket?policy`.
    GetBucketPolicy,
    /// `PUT /bucket?policy`.
    PutBucketPolicy,
    /// `DELETE /bucket?policy`.
    DeleteBucketPolicy,
    /// `GET /bucket?policyStatus`.
    GetBucketPolicyStatus,
    /// `GET /bucket?publicAccessBlock`.
    GetPublicAccessBlock,
    /// `PUT /bucket?publicAccessBlock`.
    PutPublicAccessBlock,
    /// `DELETE /bucket?publicAccessBlock`.
    DeletePublicAccessBlock,
    /// `GET /bucket?uploads`.
    ListMultipartUploads,
    /// `POST /bucket/key?uploads`.
    CreateMultipartUpload,
    /// `PUT /bucket/key?partNumber=N&uploadId=ID`.
    UploadPart,
    /// `POST /bucket/key?uploadId=ID`.
    CompleteMultipartUpload,
    /// `DELETE /bucket/key?uploadId=ID`.
    AbortMultipartUpload,
    /// `GET /bucket/key?uploadId=ID`.
    ListParts,
    /// An operation S3 has that iamsim does not serve yet (`UploadPartCopy`, ACLs, versioning,
    /// …), by its API name.
    Unsupported(&'static str),
}

/// Bucket subresources of operations not served yet: (parameter, GET, PUT, DELETE, POST).
const BUCKET_SUBRESOURCES: [(&str, &str, &str, &str, &str); 21] = [
    ("acl", "GetBucketAcl", "PutBucketAcl", "", ""),
    ("versioning", "GetBucketVersioning", "PutBucketVersioning", "", ""),
    ("versions", "ListObjectVersions", "", "", ""),
    ("cors", "GetBucketCors", "PutBucketCors", "DeleteBucketCors", ""),
    ("lifecycle", "GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle", ""),
    ("encryption", "GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption", ""),
    ("website", "GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite", ""),
    ("logging", "GetBucketLogging", "PutBucketLogging", "", ""),
    ("notification", "GetBucketNotificationConfiguration", "PutBucketNotificationConfiguration", "", ""),
    ("replication", "GetBucketReplication", "PutBucketReplication", "DeleteBucketReplication", ""),
    (
        "ownershipControls",
        "GetBucketOwnershipControls",
        "PutBucketOwnershipControls",
        "DeleteBucketOwnershipControls",
        "",
    ),
    ("object-lock", "GetObjectLockConfiguration", "PutObjectLockConfiguration", "", ""),
    ("accelerate", "GetBucketAccelerateConfiguration", "PutBucketAccelerateConfiguration", "", ""),
    ("requestPayment", "GetBucketRequestPayment", "PutBucketRequestPayment", "", ""),
    (
        "analytics",
        "GetBucketAnalyticsConfiguration",
        "PutBucketAnalyticsConfiguration",
        "DeleteBucketAnalyticsConfiguration",
        "",
    ),
    (
        "inventory",
        "GetBucketInventoryConfiguration",
        "PutBucketInventoryConfiguration",
        "DeleteBucketInventoryConfiguration",
        "",
    ),
    (
        "metrics",
        "GetBucketMetricsConfiguration",
        "PutBucketMetricsConfiguration",
        "DeleteBucketMetricsConfiguration",
        "",
    ),
    (
        "intelligent-tiering",
        "GetBucketIntelligentTieringConfiguration",
        "PutBucketIntelligentTieringConfiguration",
        "DeleteBucketIntelligentTieringConfiguration",
        "",
    ),
    ("abac", "GetBucketAbac", "PutBucketAbac", "", ""),
    (
        "metadataTable",
        "GetBucketMetadataTableConfiguration",
        "",
        "DeleteBucketMetadataTableConfiguration",
        "CreateBucketMetadataTableConfiguration",
    ),
    ("session", "CreateSession", "", "", ""),
];

/// Object subresources of operations not served yet.
const OBJECT_SUBRESOURCES: [(&str, &str, &str, &str, &str); 7] = [
    ("acl", "GetObjectAcl", "PutObjectAcl", "", ""),
    ("retention", "GetObjectRetention", "PutObjectRetention", "", ""),
    ("legal-hold", "GetObjectLegalHold", "PutObjectLegalHold", "", ""),
    ("attributes", "GetObjectAttributes", "", "", ""),
    ("torrent", "GetObjectTorrent", "", "", ""),
    ("restore", "", "", "", "RestoreObject"),
    ("select", "", "", "", "SelectObjectContent"),
];

impl Operation {
    /// The operation's name in the S3 API (and the access log).
    pub fn name(self) -> &'static str {
        match self {
            Operation::ListBuckets => "ListBuckets",
            Operation::CreateBucket => "CreateBucket",
            Operation::DeleteBucket => "DeleteBucket",
            Operation::HeadBucket => "HeadBucket",
            Operation::GetBucketLocation => "GetBucketLocation",
            Operation::ListObjectsV2 => "ListObjectsV2",
            Operation::ListObjects => "ListObjects",
            Operation::GetObject => "GetObject",
            Operation::HeadObject => "HeadObject",
            Operation::PutObject => "PutObject",
            Operation::CopyObject => "CopyObject",
            Operation::DeleteObject => "DeleteObject",
            Operation::DeleteObjects => "DeleteObjects",
            Operation::GetObjectTagging => "GetObjectTagging",
            Operation::PutObjectTagging => "PutObjectTagging",
            Operation::DeleteObjectTagging => "DeleteObjectTagging",
            Operation::GetBucketTagging => "GetBucketTagging",
            Operation::PutBucketTagging => "PutBucketTagging",
            Operation::DeleteBucketTagging => "DeleteBucketTagging",
            Operation::GetBucketPolicy => "GetBucketPolicy",
            Operation::PutBucketPolicy => "PutBucketPolicy",
            Operation::DeleteBucketPolicy => "DeleteBucketPolicy",
            Operation::GetBucketPolicyStatus => "GetBucketPolicyStatus",
            Operation::GetPublicAccessBlock => "GetPublicAccessBlock",
            Operation::PutPublicAccessBlock => "PutPublicAccessBlock",
            Operation::DeletePublicAccessBlock => "DeletePublicAccessBlock",
            Operation::ListMultipartUploads => "ListMultipartUploads",
            Operation::CreateMultipartUpload => "CreateMultipartUpload",
            Operation::UploadPart => "UploadPart",
            Operation::CompleteMultipartUpload => "CompleteMultipartUpload",
            Operation::AbortMultipartUpload => "AbortMultipartUpload",
            Operation::ListParts => "ListParts",
            Operation::Unsupported(name) => name,
        }
    }

    /// Identifies the operation of a request. A method the resource does not support is
    /// S3's `MethodNotAllowed`.
    pub fn identify(method: &http::Method, target: &Target, headers: &http::HeaderMap) -> Result<Operation, S3Error> {
        use http::Method;
        let m = method.as_str();
        if target.bucket.is_none() {
            return match *method {
                Method::GET => Ok(Operation::ListBuckets),
                _ => Err(S3Error::method_not_allowed(m, "SERVICE")),
            };
        }
        let pick =
            |(_, get, put, delete, post): (&str, &'static str, &'static str, &'static str, &'static str)| match *method
            {
                Method::GET | Method::HEAD => get,
                Method::PUT => put,
                Method::DELETE => delete,
                Method::POST => post,
                _ => "",
            };
        if target.key.is_none() {
            if target.has("tagging") {
                return match *method {
                    Method::GET => Ok(Operation::GetBucketTagging),
                    Method::PUT => Ok(Operation::PutBucketTagging),
                    Method::DELETE => Ok(Operation::DeleteBucketTagging),
                    _ => Err(S3Error::method_not_allowed(m, "BUCKET")),
                };
            }
            if target.has("location") {
                return match *method {
                    Method::GET => Ok(Operation::GetBucketLocation),
                    _ => Err(S3Error::method_not_allowed(m, "BUCKET")),
                };
            }
            if target.has("delete") && *method == Method::POST {
                return Ok(Operation::DeleteObjects);
            }
            let served = [
                (
                    "policy",
                    [
                        Some(Operation::GetBucketPolicy),
                        Some(Operation::PutBucketPolicy),
                        Some(Operation::DeleteBucketPolicy),
                    ],
                ),
                ("policyStatus", [Some(Operation::GetBucketPolicyStatus), None, None]),
                (
                    "publicAccessBlock",
                    [
                        Some(Operation::GetPublicAccessBlock),
                        Some(Operation::PutPublicAccessBlock),
                        Some(Operation::DeletePublicAccessBlock),
                    ],
                ),
                ("uploads", [Some(Operation::ListMultipartUploads), None, None]),
            ];
            for (parameter, [get, put, delete]) in served {
                if target.has(parameter) {
                    let op = match *method {
                        Method::GET => get,
                        Method::PUT => put,
                        Method::DELETE => delete,
                        _ => None,
                    };
                    return op.ok_or_else(|| S3Error::method_not_allowed(m, "BUCKET"));
                }
            }
            for entry in BUCKET_SUBRESOURCES {
                if target.has(entry.0) {
                    return match pick(entry) {
                        "" => Err(S3Error::method_not_allowed(m, "BUCKET")),
                        name => Ok(Operation::Unsupported(name)),
                    };
                }
            }
            return match *method {
                Method::GET if target.param("list-type") == Some("2") => Ok(Operation::ListObjectsV2),
                Method::GET => Ok(Operation::ListObjects),
                Method::PUT => Ok(Operation::CreateBucket),
                Method::DELETE => Ok(Operation::DeleteBucket),
                Method::HEAD => Ok(Operation::HeadBucket),
                _ => Err(S3Error::method_not_allowed(m, "BUCKET")),
            };
        }
        if target.has("tagging") {
            return match *method {
                Method::GET => Ok(Operation::GetObjectTagging),
                Method::PUT => Ok(Operation::PutObjectTagging),
                Method::DELETE => Ok(Operation::DeleteObjectTagging),
                _ => Err(S3Error::method_not_allowed(m, "OBJECT")),
            };
        }
        if target.has("uploads") && *method == Method::POST {
            return Ok(Operation::CreateMultipartUpload);
        }
        if target.has("uploadId") {
            return match *method {
                Method::PUT if headers.contains_key("x-amz-copy-source") => {
                    Ok(Operation::Unsupported("UploadPartCopy"))
                }
                Method::PUT => Ok(Operation::UploadPart),
                Method::GET => Ok(Operation::ListParts),
                Method::POST => Ok(Operation::CompleteMultipartUpload),
                Method::DELETE => Ok(Operation::AbortMultipartUpload),
                _ => Err(S3Error::method_not_allowed(m, "OBJECT")),
            };
        }
        for entry in OBJECT_SUBRESOURCES {
            if target.has(entry.0) {
                return match pick(entry) {
                    "" => Err(S3Error::method_not_allowed(m, "OBJECT")),
                    name => Ok(Operation::Unsupported(name)),
                };
            }
        }
        match *method {
            Method::GET => Ok(Operation::GetObject),
            Method::HEAD => Ok(Operation::HeadObject),
            Method::PUT if headers.contains_key("x-amz-copy-source") => Ok(Operation::CopyObject),
            Method::PUT => Ok(Operation::PutObject),
            Method::DELETE => Ok(Operation::DeleteObject),
            // A browser-form POST upload (POST /bucket with a form) is not served.
            Method::POST => Ok(Operation::Unsupported("PostObject")),
            _ => Err(S3Error::method_not_allowed(m, "OBJECT")),
        }
    }

    /// Whether the operation acts on an object (the request names a key).
    pub fn is_object_operation(self) -> bool {
        matches!(
            self,
            Operation::GetObject
                | Operation::HeadObject
                | Operation::PutObject
                | Operation::CopyObject
                | Operation::DeleteObject
                | Operation::GetObjectTagging
                | Operation::PutObjectTagging
                | Operation::DeleteObjectTagging
                | Operation::CreateMultipartUpload
                | Operation::UploadPart
                | Operation::CompleteMultipartUpload
                | Operation::AbortMultipartUpload
                | Operation::ListParts
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: http::Method, bucket: bool, key: bool, query: &[&str], copy: bool) -> Result<Operation, S3Error> {
        let target = Target {
            bucket: bucket.then(|| "b".to_owned()),
            key: key.then(|| "k".to_owned()),
            virtual_hosted: false,
            query: query.iter().map(|q| ((*q).to_owned(), String::new())).collect(),
        };
        let mut headers = http::HeaderMap::new();
        if copy {
            headers.insert("x-amz-copy-source", http::HeaderValue::from_static("b/src"));
        }
        Operation::identify(&method, &target, &headers)
    }

    #[test]
    fn requests_map_to_their_operations() {
        use http::Method;
        assert_eq!(op(Method::GET, false, false, &[], false), Ok(Operation::ListBuckets));
        assert_eq!(op(Method::PUT, true, false, &[], false), Ok(Operation::CreateBucket));
        assert_eq!(op(Method::HEAD, true, false, &[], false), Ok(Operation::HeadBucket));
        assert_eq!(op(Method::GET, true, false, &["location"], false), Ok(Operation::GetBucketLocation));
        assert_eq!(op(Method::GET, true, false, &[], false), Ok(Operation::ListObjects));
        assert_eq!(op(Method::POST, true, false, &["delete"], false), Ok(Operation::DeleteObjects));
        assert_eq!(op(Method::PUT, true, true, &[], true), Ok(Operation::CopyObject));
        assert_eq!(op(Method::PUT, true, true, &["tagging"], false), Ok(Operation::PutObjectTagging));
        assert_eq!(op(Method::DELETE, true, false, &["tagging"], false), Ok(Operation::DeleteBucketTagging));
        assert_eq!(op(Method::PUT, true, false, &["policy"], false), Ok(Operation::PutBucketPolicy));
        assert_eq!(op(Method::GET, true, false, &["policyStatus"], false), Ok(Operation::GetBucketPolicyStatus));
        assert_eq!(
            op(Method::DELETE, true, false, &["publicAccessBlock"], false),
            Ok(Operation::DeletePublicAccessBlock)
        );
        assert_eq!(op(Method::POST, true, false, &["policy"], false).unwrap_err().code, "MethodNotAllowed");
        assert_eq!(op(Method::GET, true, false, &["uploads"], false), Ok(Operation::ListMultipartUploads));
        assert_eq!(op(Method::POST, true, true, &["uploads"], false), Ok(Operation::CreateMultipartUpload));
        assert_eq!(op(Method::PUT, true, true, &["uploadId", "partNumber"], false), Ok(Operation::UploadPart));
        assert_eq!(op(Method::PUT, true, true, &["uploadId"], true), Ok(Operation::Unsupported("UploadPartCopy")));
        assert_eq!(op(Method::PUT, false, false, &[], false).unwrap_err().code, "MethodNotAllowed");
        assert_eq!(op(Method::PATCH, true, true, &[], false).unwrap_err().code, "MethodNotAllowed");
    }
}
