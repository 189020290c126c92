//! The fake S3: REST requests in, every one authorized by the world's engine, AWS's XML out.
//!
//! A request goes: target ([`Target`]: bucket and key from the raw path or the host) →
//! [`Operation`] → authentication (SigV4 with S3's canonical URI, or anonymous) → the bucket
//! (`NoSuchBucket` before any policy is read; the signing region must be the bucket's) → one
//! [`Live::authorize`] per permission AWS checks, with the request's condition keys → the
//! operation on the live [`BucketStore`](crate::live::BucketStore) → the response or S3's
//! `<Error>` → one access log entry with every decision.
//!
//! Operations and the permissions they need, from "Required permissions for Amazon S3 API
//! operations" (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html>)
//! and each operation's API reference page:
//!
//! | operation | permission (resource) | condition keys the request adds |
//! | --- | --- | --- |
//! | `ListBuckets` | `s3:ListAllMyBuckets` (`*`) | |
//! | `CreateBucket` | `s3:CreateBucket` (bucket) | `s3:locationconstraint`, `s3:x-amz-acl`, `s3:x-amz-object-ownership` |
//! | `DeleteBucket` | `s3:DeleteBucket` (bucket) | |
//! | `HeadBucket` | `s3:ListBucket` (bucket) | |
//! | `GetBucketLocation` | `s3:GetBucketLocation` (bucket) | |
//! | `ListObjects`, `ListObjectsV2` | `s3:ListBucket` (bucket) | `s3:prefix`, `s3:delimiter`, `s3:max-keys` |
//! | `GetObject`, `HeadObject` | `s3:GetObject` (object); a missing key is `NoSuchKey` only with `s3:ListBucket` | `s3:ExistingObjectTag/…` (from the object) |
//! | `PutObject` | `s3:PutObject` (object), and `s3:PutObjectTagging` with `x-amz-tagging` | `s3:RequestObjectTag/…`, `s3:RequestObjectTagKeys`, `s3:x-amz-server-side-encryption`, `s3:x-amz-storage-class`, … |
//! | `CopyObject` | `s3:GetObject` (source object), `s3:PutObject` (target object) | `s3:x-amz-copy-source`, `s3:x-amz-metadata-directive`, … |
//! | `DeleteObject` | `s3:DeleteObject` (object) | |
//! | `DeleteObjects` | `s3:DeleteObject` (each key, decided on its own) | |
//! | `Get`/`Put`/`DeleteObjectTagging` | `s3:GetObjectTagging`, `s3:PutObjectTagging`, `s3:DeleteObjectTagging` (object) | `s3:RequestObjectTag/…` (put) |
//! | `Get`/`PutBucketTagging`, `DeleteBucketTagging` | `s3:GetBucketTagging`, `s3:PutBucketTagging` (bucket; delete needs put) | |
//! | `Get`/`Put`/`DeleteBucketPolicy` | `s3:GetBucketPolicy`, `s3:PutBucketPolicy`, `s3:DeleteBucketPolicy` (bucket); only the owner account's identities (others: 405), its root user always | |
//! | `GetBucketPolicyStatus` | `s3:GetBucketPolicyStatus` (bucket) | |
//! | `Get`/`Put`/`DeletePublicAccessBlock` | `s3:GetBucketPublicAccessBlock`, `s3:PutBucketPublicAccessBlock` (bucket; delete needs put) | |
//! | `CreateMultipartUpload`, `UploadPart`, `CompleteMultipartUpload` | `s3:PutObject` (object; `s3:PutObjectTagging` too with tags on create) | as `PutObject` (create) |
//! | `AbortMultipartUpload` | `s3:AbortMultipartUpload` (object) | |
//! | `ListParts` | `s3:ListMultipartUploadParts` (object) | |
//! | `ListMultipartUploads` | `s3:ListBucketMultipartUploads` (bucket) | |
//!
//! Every authorization also carries `aws:SourceIp`, `aws:SecureTransport`,
//! `aws:RequestedRegion`, and for signed requests `s3:authType` (`REST-HEADER` or
//! `REST-QUERY-STRING`), `s3:signatureversion` (`AWS4-HMAC-SHA256`), `s3:signatureAge` (ms since
//! the signature's date) and `s3:x-amz-content-sha256`; the world adds the resource's
//! (`aws:ResourceAccount`, `s3:ResourceAccount`, bucket tags when ABAC is on, existing object
//! tags) and the principal's keys, the time on its clock, and the organization's.
//!
//! Behaviour fixed by AWS for every bucket created today, and so here: Object Ownership is
//! `BucketOwnerEnforced` (ACLs are refused with `AccessControlListNotSupported`), every object is
//! encrypted with SSE-S3 (`x-amz-server-side-encryption: AES256`), objects uploaded without a
//! checksum get a CRC64NVME one, and versioning is off.
//!
//! Block Public Access is on (all four settings) for every bucket, created over the wire or in
//! the fixture, unless the fixture gives the bucket its own `public_access_block`; an account's
//! settings combine with its buckets'. `BlockPublicPolicy` refuses a public bucket policy,
//! `RestrictPublicBuckets` is applied in every decision ([`Model::prepare_in`](crate::model::Model::prepare_in)),
//! and `BlockPublicAcls`/`IgnorePublicAcls` change nothing because ACLs are disabled.
//!
//! Recognised and answered `NotImplemented`: `UploadPartCopy`, ACLs, versioning and the other
//! bucket configurations.

mod authenticate;
mod authorize;
mod bucket;
mod copy;
mod delete_objects;
mod error;
mod list;
mod multipart;
mod object;
mod operation;
mod payload;
mod policy;
mod preconditions;
mod request;
mod response;
mod tagging;
mod time;
mod xml_body;

use bytes::Bytes;

pub use error::S3Error;
pub use operation::Operation;
pub use request::Target;
pub use xml_body::XmlElement;

use self::authorize::Call;
use self::response::Reply;
use crate::live::{Decided, Live, LogEntry};
use crate::wire::WireRequest;

/// The XML namespace of S3's documents.
///
/// ```
/// assert_eq!(iamsim::s3::NAMESPACE, "http://s3.amazonaws.com/doc/2006-03-01/");
/// ```
pub const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Serves one S3 request and logs it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use iamsim::wire::{Origin, WireRequest};
/// let world = iamsim::World::from_yaml("accounts:\n  \"111111111111\":\n    buckets:\n      photos: {}\n")?;
/// // An unsigned request is anonymous; nothing lets anonymous callers list the bucket.
/// let request = http::Request::get("https://iamsim.test/photos?list-type=2").body(bytes::Bytes::new())?;
/// let response = iamsim::s3::handle(world.live(), &WireRequest::new(request, Origin::in_process()));
/// assert_eq!(response.status(), 403);
/// assert!(response.headers().contains_key("x-amz-request-id"));
/// assert_eq!(world.access_log().last().map(|e| e.operation.as_str()), Some("ListObjectsV2"));
/// # Ok(()) }
/// ```
pub fn handle(live: &Live, request: &WireRequest) -> http::Response<Bytes> {
    let n = live.next_request();
    let (request_id, host_id) = response::request_ids(live, n);
    let mut entry = LogEntry {
        request: n,
        time: crate::clock::format_rfc3339(live.now()),
        service: "s3".to_owned(),
        operation: "Unknown".to_owned(),
        caller: None,
        access_key_id: None,
        authorizations: Vec::new(),
        status: 200,
        error: None,
    };
    let mut decided = Vec::new();
    let reply = match serve(live, request, &mut entry, &mut decided) {
        Ok(reply) => reply,
        Err(error) => {
            entry.error = Some(error.code.to_owned());
            Reply::error(&error, &request_id, &host_id)
        }
    };
    entry.status = reply.status;
    live.log_decided(entry, decided);
    reply.into_response(&request.parts.method, &request_id, &host_id)
}

fn serve(
    live: &Live,
    request: &WireRequest,
    entry: &mut LogEntry,
    decided: &mut Vec<Decided>,
) -> Result<Reply, S3Error> {
    let target = Target::parse(&request.parts, |b| live.buckets().bucket(b).is_some())?;
    let operation = Operation::identify(&request.parts.method, &target, &request.parts.headers);
    if let Ok(op) = operation {
        op.name().clone_into(&mut entry.operation);
    }
    let authenticated = authenticate::authenticate(live, request)?;
    entry.access_key_id = authenticated.key.as_ref().map(|k| k.access_key_id.clone());
    entry.caller = Some(live.caller_arn(&authenticated.caller));
    let operation = operation?;
    let mut call = Call::new(live, request, target, operation, authenticated);
    let result = dispatch(&mut call);
    *decided = std::mem::take(&mut call.authorizations);
    result
}

fn dispatch(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    match call.operation {
        Operation::ListBuckets => bucket::list_buckets(call),
        Operation::CreateBucket => bucket::create_bucket(call),
        Operation::DeleteBucket => bucket::delete_bucket(call),
        Operation::HeadBucket => bucket::head_bucket(call),
        Operation::GetBucketLocation => bucket::get_bucket_location(call),
        Operation::ListObjectsV2 => list::list_objects(call, list::Version::V2),
        Operation::ListObjects => list::list_objects(call, list::Version::V1),
        Operation::GetObject => object::get_object(call, false),
        Operation::HeadObject => object::get_object(call, true),
        Operation::PutObject => object::put_object(call),
        Operation::CopyObject => copy::copy_object(call),
        Operation::DeleteObject => object::delete_object(call),
        Operation::DeleteObjects => delete_objects::delete_objects(call),
        Operation::GetObjectTagging => tagging::get_object_tagging(call),
        Operation::PutObjectTagging => tagging::put_object_tagging(call),
        Operation::DeleteObjectTagging => tagging::delete_object_tagging(call),
        Operation::GetBucketTagging => tagging::get_bucket_tagging(call),
        Operation::PutBucketTagging => tagging::put_bucket_tagging(call),
        Operation::DeleteBucketTagging => tagging::delete_bucket_tagging(call),
        Operation::GetBucketPolicy => policy::get_bucket_policy(call),
        Operation::PutBucketPolicy => policy::put_bucket_policy(call),
        Operation::DeleteBucketPolicy => policy::delete_bucket_policy(call),
        Operation::GetBucketPolicyStatus => policy::get_bucket_policy_status(call),
        Operation::GetPublicAccessBlock => policy::get_public_access_block(call),
        Operation::PutPublicAccessBlock => policy::put_public_access_block(call),
        Operation::DeletePublicAccessBlock => policy::delete_public_access_block(call),
        Operation::CreateMultipartUpload => multipart::create(call),
        Operation::UploadPart => multipart::upload_part(call),
        Operation::CompleteMultipartUpload => multipart::complete(call),
        Operation::AbortMultipartUpload => multipart::abort(call),
        Operation::ListParts => multipart::list_parts(call),
        Operation::ListMultipartUploads => multipart::list_uploads(call),
        Operation::Unsupported(name) => Err(S3Error::not_implemented(name)),
    }
}
