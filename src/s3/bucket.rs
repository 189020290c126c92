//! Bucket operations: `ListBuckets`, `CreateBucket`, `DeleteBucket`, `HeadBucket`,
//! `GetBucketLocation`.

use base64::Engine;

use super::authorize::Call;
use super::response::Reply;
use super::time::iso_millis;
use super::{NAMESPACE, S3Error, XmlElement};
use crate::live::CreateBucketError;
use crate::model::names;
use crate::policy::{AccountId, Context};
use crate::xml::XmlWriter;

const TOKEN: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `GET /`: the buckets the caller's account owns
/// (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html>): `s3:ListAllMyBuckets`
/// on `*`; `prefix`, `bucket-region`, `max-buckets` (1–10,000) and `continuation-token`.
pub(crate) fn list_buckets(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    call.require("s3:ListAllMyBuckets", "*", &Context::new())?;
    let account = call.auth.caller.account().unwrap_or_default().to_owned();
    let max = match call.target.param("max-buckets") {
        None => None,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=10_000).contains(&n) => Some(n),
            // S3's wording for a value outside 1–10,000 (from its responses; no page quotes it).
            _ => {
                return Err(S3Error::invalid_argument(
                    "Argument max-buckets must be an integer between 1 and 10000",
                    "max-buckets",
                    text,
                ));
            }
        },
    };
    let after = match call.target.param("continuation-token") {
        None => None,
        Some(token) => Some(decode_token(token).ok_or_else(|| {
            S3Error::invalid_argument("The continuation token provided is incorrect", "continuation-token", token)
        })?),
    };
    let prefix = call.target.param("prefix").unwrap_or_default().to_owned();
    let region = call.target.param("bucket-region").map(str::to_owned);
    let mut buckets: Vec<_> = call
        .live
        .buckets()
        .all()
        .into_iter()
        .filter(|b| b.account().as_str() == account)
        .filter(|b| b.name().starts_with(&prefix))
        .filter(|b| region.as_deref().is_none_or(|r| b.region() == r))
        .filter(|b| after.as_deref().is_none_or(|a| b.name() > a))
        .collect();
    let truncated = max.is_some_and(|m| buckets.len() > m);
    if let Some(m) = max {
        buckets.truncate(m);
    }
    let owner = call.live.model().account(&account).map(|a| a.canonical_user_id.clone()).unwrap_or_default();
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("ListAllMyBucketsResult", NAMESPACE, |x| {
        x.element("Owner", |x| x.leaf("ID", &owner));
        x.element("Buckets", |x| {
            for b in &buckets {
                x.element("Bucket", |x| {
                    x.leaf("Name", b.name());
                    x.leaf("CreationDate", &iso_millis(b.created()));
                    x.leaf("BucketRegion", b.region());
                });
            }
        });
        if truncated && let Some(last) = buckets.last() {
            x.leaf("ContinuationToken", &TOKEN.encode(last.name()));
        }
        if call.target.param("prefix").is_some() {
            x.leaf("Prefix", &prefix);
        }
    });
    Ok(Reply::xml(xml.finish()))
}

fn decode_token(token: &str) -> Option<String> {
    TOKEN.decode(token).ok().and_then(|b| String::from_utf8(b).ok())
}

/// `PUT /bucket` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html>):
/// `s3:CreateBucket`. The name must follow the naming rules (`InvalidBucketName`); names are
/// global (`BucketAlreadyExists`, `BucketAlreadyOwnedByYou` — except that re-creating one's own
/// bucket in us-east-1 answers 200, "for legacy compatibility"). The region is the request's:
/// a `LocationConstraint` other than it is `IllegalLocationConstraintException`, except on
/// us-east-1's endpoint, which creates buckets anywhere; `us-east-1` itself is not a valid
/// constraint (`InvalidLocationConstraint`), and `EU` means `eu-west-1`.
pub(crate) fn create_bucket(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let name = call.target.bucket.clone().unwrap_or_default();
    if names::check_bucket_name(&name).is_some() {
        return Err(S3Error::invalid_bucket_name(&name));
    }
    let constraint = location_constraint(&call.request.body)?;
    let region = match constraint.as_deref() {
        None if call.region == "us-east-1" => "us-east-1".to_owned(),
        None => return Err(S3Error::illegal_location_constraint(None)),
        Some("us-east-1") => return Err(S3Error::invalid_location_constraint("us-east-1")),
        Some(c) => {
            let region = if c == "EU" { "eu-west-1" } else { c };
            if names::check_region(region).is_some() {
                return Err(S3Error::invalid_location_constraint(c));
            }
            if call.region != "us-east-1" && call.region != region {
                return Err(S3Error::illegal_location_constraint(Some(c)));
            }
            region.to_owned()
        }
    };
    let mut context = Context::new();
    if let Some(c) = &constraint {
        context.set("s3:locationconstraint", [c.clone()]);
    }
    for header in ["x-amz-acl", "x-amz-object-ownership"] {
        if let Some(value) = call.header(header) {
            context.set(&format!("s3:{header}"), [value.to_owned()]);
        }
    }
    call.require("s3:CreateBucket", &call.bucket_arn(), &context)?;
    // Object Ownership defaults to BucketOwnerEnforced: ACLs other than `private` are refused.
    let enforced = call.header("x-amz-object-ownership").is_none_or(|o| o == "BucketOwnerEnforced");
    let acl = call.header("x-amz-acl").is_some_and(|a| a != "private")
        || call.request.parts.headers.keys().any(|h| h.as_str().starts_with("x-amz-grant-"));
    if enforced && acl {
        return Err(S3Error::bucket_acl_with_object_ownership());
    }
    let account = call.auth.caller.account().and_then(|a| AccountId::new(a).ok());
    let Some(account) = account else {
        return Err(S3Error::access_denied("Access Denied"));
    };
    match call.live.buckets().create(&name, &account, &region, call.live.now()) {
        Ok(_) => {}
        Err(CreateBucketError::OwnedByYou { region: existing, .. })
            if existing == "us-east-1" && call.region == "us-east-1" => {}
        Err(CreateBucketError::OwnedByYou { .. }) => return Err(S3Error::bucket_already_owned_by_you(&name)),
        Err(CreateBucketError::Exists(_)) => return Err(S3Error::bucket_already_exists(&name)),
    }
    Ok(Reply::ok().header("location", format!("/{name}")))
}

/// The `LocationConstraint` of a `CreateBucketConfiguration` body, if any.
fn location_constraint(body: &[u8]) -> Result<Option<String>, S3Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let root = XmlElement::parse(body)?;
    if root.name != "CreateBucketConfiguration" {
        return Err(S3Error::malformed_xml());
    }
    Ok(root.child("LocationConstraint").map(|c| c.text().trim().to_owned()).filter(|c| !c.is_empty()))
}

/// `DELETE /bucket`: `s3:DeleteBucket`; only an empty bucket (`BucketNotEmpty`); 204.
pub(crate) fn delete_bucket(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:DeleteBucket", &call.bucket_arn(), &Context::new())?;
    match call.live.buckets().delete(bucket.name()) {
        Ok(()) => Ok(Reply::no_content()),
        Err(crate::live::DeleteBucketError::NotEmpty(name)) => Err(S3Error::bucket_not_empty(&name)),
        Err(crate::live::DeleteBucketError::NoSuchBucket(name)) => Err(S3Error::no_such_bucket(&name)),
    }
}

/// `HEAD /bucket` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html>):
/// "To use this operation, you must have permissions to perform the s3:ListBucket action."
/// Answers the bucket's region in `x-amz-bucket-region`; errors have no body.
pub(crate) fn head_bucket(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:ListBucket", &call.bucket_arn(), &Context::new())?;
    Ok(Reply::ok()
        .header("x-amz-bucket-region", bucket.region().to_owned())
        .header("x-amz-access-point-alias", "false"))
}

/// `GET /bucket?location`: `s3:GetBucketLocation`; an empty `LocationConstraint` for us-east-1.
pub(crate) fn get_bucket_location(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:GetBucketLocation", &call.bucket_arn(), &Context::new())?;
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("LocationConstraint", NAMESPACE, |x| {
        if bucket.region() != "us-east-1" {
            x.text(bucket.region());
        }
    });
    Ok(Reply::xml(xml.finish()))
}
