//! S3 errors: the one table of codes, HTTP statuses and messages, written as S3's bare
//! `<Error><Code>…` document (no wrapper: the SDK reads `code()` only from that shape).
//!
//! Codes, statuses and descriptions are from "Error responses — List of error codes"
//! (<https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html>). S3's `<Message>`
//! often differs from the table's description; where it does, the message is S3's as quoted in
//! a public report of a real response, cited on the constructor, and so are the extra elements
//! (`BucketName`, `Key`, `Condition`, …). Messages without a citation are the table's wording
//! as S3 clients quote it (e.g. the table minio-go keeps of S3's messages,
//! <https://github.com/minio/minio-go/blob/master/s3-error.go>).

use std::fmt;

use crate::auth::AwsError;
use crate::xml::XmlWriter;

/// One S3 error as AWS answers it.
///
/// ```
/// use iamsim::s3::S3Error;
/// let error = S3Error::no_such_key("photos/a.jpg");
/// assert_eq!((error.status, error.code), (404, "NoSuchKey"));
/// let xml = String::from_utf8(error.to_xml("4442587FB7D0A2F9", "host-id")).unwrap();
/// assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"));
/// assert!(xml.contains("<Key>photos/a.jpg</Key><RequestId>4442587FB7D0A2F9</RequestId>"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Error {
    /// The HTTP status.
    pub status: u16,
    /// The error code.
    pub code: &'static str,
    /// The message.
    pub message: String,
    /// Elements after `<Message>`, in S3's order.
    pub fields: Vec<(&'static str, String)>,
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for S3Error {}

impl From<AwsError> for S3Error {
    fn from(e: AwsError) -> S3Error {
        S3Error { status: e.status, code: e.code, message: e.message, fields: e.extra_fields }
    }
}

impl S3Error {
    /// An error with any code.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> S3Error {
        S3Error { status, code, message: message.into(), fields: Vec::new() }
    }

    /// Adds an element after `<Message>`.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> S3Error {
        self.fields.push((name, value.into()));
        self
    }

    /// 403 `AccessDenied`, worded by the caller (see `s3::authorize`).
    pub fn access_denied(message: impl Into<String>) -> S3Error {
        S3Error::new(403, "AccessDenied", message)
    }

    /// 404 `NoSuchBucket`, with `BucketName`.
    pub fn no_such_bucket(bucket: &str) -> S3Error {
        S3Error::new(404, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", bucket)
    }

    /// 404 `NoSuchKey`, with `Key` (the template of WIRE.md §3, as S3 answers).
    pub fn no_such_key(key: &str) -> S3Error {
        S3Error::new(404, "NoSuchKey", "The specified key does not exist.").with("Key", key)
    }

    /// 409 `BucketNotEmpty`, with `BucketName`.
    pub fn bucket_not_empty(bucket: &str) -> S3Error {
        S3Error::new(409, "BucketNotEmpty", "The bucket you tried to delete is not empty").with("BucketName", bucket)
    }

    /// 409 `BucketAlreadyOwnedByYou`, with `BucketName`.
    pub fn bucket_already_owned_by_you(bucket: &str) -> S3Error {
        S3Error::new(
            409,
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
        )
        .with("BucketName", bucket)
    }

    /// 409 `BucketAlreadyExists`, with `BucketName`.
    pub fn bucket_already_exists(bucket: &str) -> S3Error {
        S3Error::new(
            409,
            "BucketAlreadyExists",
            "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        )
        .with("BucketName", bucket)
    }

    /// 400 `InvalidBucketName`, with `BucketName`.
    pub fn invalid_bucket_name(bucket: &str) -> S3Error {
        S3Error::new(400, "InvalidBucketName", "The specified bucket is not valid.").with("BucketName", bucket)
    }

    /// 400 `InvalidArgument`, with `ArgumentName` and `ArgumentValue`.
    pub fn invalid_argument(message: impl Into<String>, name: &str, value: &str) -> S3Error {
        S3Error::new(400, "InvalidArgument", message).with("ArgumentName", name).with("ArgumentValue", value)
    }

    /// 400 `InvalidRequest`.
    pub fn invalid_request(message: impl Into<String>) -> S3Error {
        S3Error::new(400, "InvalidRequest", message)
    }

    /// 400 `InvalidURI`: a path that is not percent-encoded UTF-8.
    pub fn invalid_uri(uri: &str) -> S3Error {
        S3Error::new(400, "InvalidURI", "Couldn't parse the specified URI.").with("URI", uri)
    }

    /// 400 `MalformedXML`.
    pub fn malformed_xml() -> S3Error {
        S3Error::new(
            400,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
        )
    }

    /// 400 `MissingRequestBodyError`.
    pub fn missing_body() -> S3Error {
        S3Error::new(400, "MissingRequestBodyError", "Request Body is empty")
    }

    /// 400 `BadRequest`: S3's answer to more than 10 object tags, "Object tags cannot be greater
    /// than 10" (<https://github.com/boto/boto3/issues/1213>) — not `InvalidTag`.
    pub fn bad_request(message: impl Into<String>) -> S3Error {
        S3Error::new(400, "BadRequest", message)
    }

    /// 400 `InvalidTag` ("The TagKey you have provided is invalid" as S3 answers it:
    /// <https://github.com/versity/versitygw/issues/1232>).
    pub fn invalid_tag(message: impl Into<String>) -> S3Error {
        S3Error::new(400, "InvalidTag", message)
    }

    /// 404 `NoSuchTagSet` (GetBucketTagging on an untagged bucket), with `BucketName`: S3's
    /// answer as quoted in <https://github.com/versity/versitygw/issues/2072> (the API reference
    /// still describes it as "There is no tag set associated with the bucket.").
    pub fn no_such_tag_set(bucket: &str) -> S3Error {
        S3Error::new(404, "NoSuchTagSet", "The TagSet does not exist").with("BucketName", bucket)
    }

    /// 412 `PreconditionFailed`, with the failed `Condition` (`If-Match`, …).
    pub fn precondition_failed(condition: &str) -> S3Error {
        S3Error::new(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
            .with("Condition", condition)
    }

    /// 416 `InvalidRange`, with `RangeRequested` and `ActualObjectSize`: S3's answer as quoted in
    /// <https://github.com/versity/versitygw/issues/2069>. The response also carries
    /// `Content-Range: bytes */SIZE` (see `Reply::error`).
    pub fn invalid_range(range: &str, size: u64) -> S3Error {
        S3Error::new(416, "InvalidRange", "The requested range is not satisfiable")
            .with("RangeRequested", range)
            .with("ActualObjectSize", size.to_string())
    }

    /// 405 `MethodNotAllowed`, with `Method` and `ResourceType` (`BUCKET`, `OBJECT`, `SERVICE`).
    pub fn method_not_allowed(method: &str, resource_type: &str) -> S3Error {
        S3Error::new(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
            .with("Method", method)
            .with("ResourceType", resource_type)
    }

    /// 501 `NotImplemented`: an operation S3 has and iamsim does not serve (yet), with the
    /// header or parameter that selected it.
    pub fn not_implemented(what: &str) -> S3Error {
        S3Error::new(501, "NotImplemented", "A header you provided implies functionality that is not implemented")
            .with("Header", what)
    }

    /// 400 `KeyTooLongError`, with `Size` and `MaxSizeAllowed` (1,024 bytes).
    pub fn key_too_long(size: usize) -> S3Error {
        S3Error::new(400, "KeyTooLongError", "Your key is too long")
            .with("Size", size.to_string())
            .with("MaxSizeAllowed", "1024")
    }

    /// 400 `EntityTooLarge`: a single PUT above 5 GiB.
    pub fn entity_too_large(size: u64) -> S3Error {
        S3Error::new(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            .with("ProposedSize", size.to_string())
            .with("MaxSizeAllowed", "5368709120")
    }

    /// 400 `InvalidDigest`: a `Content-MD5` that is not the base64 of 16 bytes.
    pub fn invalid_digest(content_md5: &str) -> S3Error {
        S3Error::new(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
            .with("Content-MD5", content_md5)
    }

    /// 400 `BadDigest`: a `Content-MD5` that is not the body's.
    pub fn bad_digest(expected: &str, calculated: &str) -> S3Error {
        S3Error::new(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
            .with("ExpectedDigest", expected)
            .with("CalculatedDigest", calculated)
    }

    /// 400 `InvalidLocationConstraint`, with `LocationConstraint`.
    pub fn invalid_location_constraint(constraint: &str) -> S3Error {
        S3Error::new(400, "InvalidLocationConstraint", "The specified location-constraint is not valid")
            .with("LocationConstraint", constraint)
    }

    /// 400 `IllegalLocationConstraintException`: a bucket's region and the endpoint's disagree.
    /// Both wordings as S3 answers them: <https://github.com/tweag/aws-secrets/issues/22>
    /// (unspecified), <https://github.com/iterate-ch/cyberduck/issues/17301> (a region).
    pub fn illegal_location_constraint(constraint: Option<&str>) -> S3Error {
        let message = match constraint {
            Some(c) => format!(
                "The {c} location constraint is incompatible for the region specific endpoint this request was sent to."
            ),
            None => "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.".to_owned(),
        };
        S3Error::new(400, "IllegalLocationConstraintException", message)
    }

    /// 403 `InvalidAccessKeyId`, with `AWSAccessKeyId`.
    pub fn invalid_access_key_id(access_key_id: &str) -> S3Error {
        S3Error::new(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
            .with("AWSAccessKeyId", access_key_id)
    }

    /// 400 `InvalidToken`: a session token the world never issued with that key.
    pub fn invalid_token() -> S3Error {
        S3Error::new(400, "InvalidToken", "The provided token is malformed or otherwise invalid.")
    }

    /// 400 `ExpiredToken`, with the token as `Token-0`: S3's answer as quoted in
    /// <https://github.com/craftcms/aws-s3/issues/182>.
    pub fn expired_token(token: &str) -> S3Error {
        S3Error::new(400, "ExpiredToken", "The provided token has expired.").with("Token-0", token)
    }

    /// 400 `AccessControlListNotSupported`: an ACL on a bucket whose Object Ownership is
    /// `BucketOwnerEnforced` (every new bucket's default since April 2023).
    pub fn acl_not_supported() -> S3Error {
        S3Error::new(400, "AccessControlListNotSupported", "The bucket does not allow ACLs")
    }

    /// 400 `InvalidBucketAclWithObjectOwnership`: CreateBucket with an ACL while Object Ownership
    /// is `BucketOwnerEnforced`.
    pub fn bucket_acl_with_object_ownership() -> S3Error {
        S3Error::new(
            400,
            "InvalidBucketAclWithObjectOwnership",
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
        )
    }

    /// 500 `InternalError`.
    pub fn internal(message: impl Into<String>) -> S3Error {
        S3Error::new(500, "InternalError", message)
    }

    /// The `<Error>` document, with the request's ids last, as S3 writes it.
    pub fn to_xml(&self, request_id: &str, host_id: &str) -> Vec<u8> {
        let mut xml = XmlWriter::with_declaration();
        xml.element("Error", |x| {
            x.leaf("Code", self.code);
            x.leaf("Message", &self.message);
            for (name, value) in &self.fields {
                x.leaf(name, value);
            }
            x.leaf("RequestId", request_id);
            x.leaf("HostId", host_id);
        });
        xml.finish()
    }
}
