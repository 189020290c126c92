//! Bucket policies and Block Public Access over the wire: `Get`/`Put`/`DeleteBucketPolicy`,
//! `GetBucketPolicyStatus`, `Get`/`Put`/`DeletePublicAccessBlock`.
//!
//! Who may: the permission of the same name (`s3:GetBucketPolicy`, `s3:PutBucketPolicy`,
//! `s3:DeleteBucketPolicy`, `s3:GetBucketPolicyStatus`, `s3:GetBucketPublicAccessBlock`,
//! `s3:PutBucketPublicAccessBlock` — also for DeletePublicAccessBlock), and for the three policy
//! operations two rules of their own
//! (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html>): "If you have
//! the correct permissions, but you're not using an identity that belongs to the bucket owner's
//! account, Amazon S3 returns a 405 Method Not Allowed error", and "As a security precaution,
//! the root user of the AWS account that owns a bucket can always use this operation, even if
//! the policy explicitly denies the root user the ability to perform this action" (the same on
//! the Get and Delete pages) — a bucket policy can lock out every identity of the owner account
//! except its root user.
//!
//! A policy is validated as S3 validates it, with S3's `MalformedPolicy` messages (each cited at
//! [`malformed`]), and refused with `AccessDenied` when it is public and `BlockPublicPolicy` is
//! on for the bucket or its owner account. What "public" means is [`Policy::is_public`].

use std::sync::Arc;

use super::authorize::Call;
use super::response::Reply;
use super::{NAMESPACE, S3Error, XmlElement};
use crate::live::LiveBucket;
use crate::model::{AttachedPolicy, Caller, PublicAccessBlock};
use crate::policy::document::{AwsEntry, parse_aws_entry};
use crate::policy::{AccountId, Context, Policy, PolicyErrorKind, PolicyKind, Severity};
use crate::xml::XmlWriter;

/// "Bucket policies are limited to 20 KB in size"
/// (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html>).
pub(crate) const MAX_POLICY_BYTES: usize = 20 * 1024;

/// Whether the caller is the root user of the bucket owner's account.
fn is_owner_root(call: &Call<'_>, owner: &AccountId) -> bool {
    match &call.auth.caller {
        Caller::Root { account } => account == owner.as_str(),
        Caller::UserSession { account, name: None, .. } => account == owner.as_str(),
        _ => false,
    }
}

/// Authorizes one of the three policy operations (see the module docs).
fn require_policy_permission(call: &mut Call<'_>, action: &str, bucket: &LiveBucket) -> Result<(), S3Error> {
    let decision = call.decide(action, &call.bucket_arn(), &Context::new())?;
    if !decision.is_allowed() && !is_owner_root(call, bucket.account()) {
        return Err(call.access_denied(&decision));
    }
    if call.auth.caller.account() != Some(bucket.account().as_str()) {
        return Err(S3Error::method_not_allowed(call.request.parts.method.as_str(), "BUCKET"));
    }
    Ok(())
}

/// 404 `NoSuchBucketPolicy`, with `BucketName`: "The bucket policy does not exist" as S3
/// answers (the error table describes it as "The specified bucket does not have a bucket
/// policy").
fn no_such_bucket_policy(bucket: &str) -> S3Error {
    S3Error::new(404, "NoSuchBucketPolicy", "The bucket policy does not exist").with("BucketName", bucket)
}

/// 400 `MalformedPolicy` with one of S3's messages. Those S3 answers, as quoted from real
/// responses:
/// - "Policies must be valid JSON and the first byte must be '{'" (<https://github.com/aws/aws-cli/issues/2779>);
/// - "This policy contains invalid Json" for text that starts with `{` but is not JSON
///   (<https://github.com/versity/versitygw/pull/1156>, matching S3);
/// - "Policy has invalid resource" for a resource outside the bucket, or `*`
///   (<https://github.com/aws-samples/aws-serverless-appsync-app/issues/4>, <https://github.com/noobaa/noobaa-core/issues/10058>);
/// - "Invalid principal in policy" (<https://github.com/cloud-custodian/cloud-custodian/issues/4948>,
///   <https://github.com/versity/versitygw/issues/649>), also for a user or role that does not exist;
/// - "Policy has invalid action" (<https://github.com/versity/versitygw/issues/650>);
/// - "Invalid effect: VALUE" (<https://github.com/versity/versitygw/issues/647>);
/// - "Missing required field Principal" / "Missing required field Resource" (IAM's wording for
///   the same grammar rule; see `policy::validate`);
/// - anything else the grammar refuses (a duplicate Sid, `NotPrincipal` with `Allow`, a bad
///   condition value, …): iamsim's own description of the problem, since no public record
///   quotes S3's;
/// - above 20 KB: "Policy exceeds the maximum allowed document size." (S3's wording as clients
///   report it; no AWS page quotes it).
pub(crate) fn malformed(message: impl Into<String>) -> S3Error {
    S3Error::new(400, "MalformedPolicy", message)
}

/// Parses and checks a bucket policy as `PutBucketPolicy` does.
pub(crate) fn validate(call: &Call<'_>, text: &[u8], bucket: &str) -> Result<Policy, S3Error> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(malformed("Policy exceeds the maximum allowed document size."));
    }
    if text.first() != Some(&b'{') {
        return Err(malformed("Policies must be valid JSON and the first byte must be '{'"));
    }
    let text = std::str::from_utf8(text).map_err(|_| malformed("This policy contains invalid Json"))?;
    let policy = Policy::parse(text).map_err(|e| {
        malformed(match e.kind {
            PolicyErrorKind::Json(_) | PolicyErrorKind::DuplicateKey(_) => {
                "This policy contains invalid Json".to_owned()
            }
            PolicyErrorKind::Principal(_) => "Invalid principal in policy".to_owned(),
            PolicyErrorKind::Effect(effect) => format!("Invalid effect: {effect}"),
            PolicyErrorKind::Action(_) => "Policy has invalid action".to_owned(),
            PolicyErrorKind::Missing(field) => format!("Missing required field {field}"),
            // No public record of S3's wording for the rest: iamsim's own description.
            _ => e.to_string(),
        })
    })?;
    if let Some(finding) = policy.validate(PolicyKind::Resource).into_iter().find(|f| f.severity == Severity::Error) {
        let message = match finding.message.as_str() {
            "missing required field `Principal`" => "Missing required field Principal".to_owned(),
            "missing required field `Resource`" => "Missing required field Resource".to_owned(),
            // No public record of S3's wording for the rest: iamsim's own description.
            _ => finding.to_string(),
        };
        return Err(malformed(message));
    }
    check_scope(&policy, bucket)?;
    check_principals(call, &policy)?;
    Ok(policy)
}

fn statements(policy: &Policy) -> Vec<&serde_json::Value> {
    match policy.document().get("Statement") {
        Some(serde_json::Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    }
}

fn texts(v: &serde_json::Value) -> Vec<&str> {
    match v {
        serde_json::Value::String(s) => vec![s.as_str()],
        serde_json::Value::Array(items) => items.iter().filter_map(serde_json::Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Every resource is this bucket or its objects; every action is S3's.
fn check_scope(policy: &Policy, bucket: &str) -> Result<(), S3Error> {
    for st in statements(policy) {
        for field in ["Resource", "NotResource"] {
            for r in st.get(field).map(texts).unwrap_or_default() {
                let in_bucket =
                    r.strip_prefix("arn:").and_then(|rest| rest.split_once(":s3:::")).is_some_and(|(_, res)| {
                        let name = res.split('/').next().unwrap_or(res);
                        crate::wildcard::Glob::new(name).matches(bucket)
                    });
                if !in_bucket {
                    return Err(malformed("Policy has invalid resource"));
                }
            }
        }
        for field in ["Action", "NotAction"] {
            for a in st.get(field).map(texts).unwrap_or_default() {
                let lower = a.to_ascii_lowercase();
                let s3 = lower == "*" || lower.starts_with("s3:") || lower.starts_with("s3*");
                let known = s3
                    && (a.contains(['*', '?']) || crate::catalog::Catalog::global().is_known_action(a) || lower == "*");
                if !known {
                    return Err(malformed("Policy has invalid action"));
                }
            }
        }
    }
    Ok(())
}

/// A user or role named by ARN in an account the world models must exist (S3 resolves every
/// principal when the policy is put).
fn check_principals(call: &Call<'_>, policy: &Policy) -> Result<(), S3Error> {
    let model = call.live.model();
    for entry in policy.principal_entries() {
        if entry.kind != "AWS" {
            continue;
        }
        let Some(parsed) = parse_aws_entry(&entry.text) else { return Err(malformed("Invalid principal in policy")) };
        let (arn, role) = match &parsed {
            AwsEntry::User(arn) => (arn, false),
            AwsEntry::Role(arn) => (arn, true),
            _ => continue,
        };
        let Some(account) = model.account(arn.account()) else { continue };
        let name = arn.resource().rsplit('/').next().unwrap_or_default();
        let exists = if role {
            account.role(name).is_some_and(|r| r.arn.as_str() == arn.as_str())
        } else {
            account.user(name).is_some_and(|u| u.arn.as_str() == arn.as_str())
        };
        if !exists {
            return Err(malformed("Invalid principal in policy"));
        }
    }
    Ok(())
}

/// `GET /bucket?policy` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html>):
/// the policy's JSON; `NoSuchBucketPolicy` when there is none.
pub(crate) fn get_bucket_policy(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    require_policy_permission(call, "s3:GetBucketPolicy", &bucket)?;
    let policy = bucket.policy().ok_or_else(|| no_such_bucket_policy(bucket.name()))?;
    let text = serde_json::to_vec(policy.policy.document()).map_err(|e| S3Error::internal(e.to_string()))?;
    let mut reply = Reply::ok().header("content-type", "application/json");
    reply.body = text.into();
    Ok(reply)
}

/// `PUT /bucket?policy` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html>):
/// validated (see [`validate`]), refused when public under `BlockPublicPolicy`; 204.
pub(crate) fn put_bucket_policy(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    require_policy_permission(call, "s3:PutBucketPolicy", &bucket)?;
    let body = call.request.body.clone();
    if let Some(md5) = call.header("content-md5") {
        super::payload::check_content_md5(md5, &body)?;
    }
    if body.is_empty() {
        return Err(S3Error::missing_body());
    }
    let policy = validate(call, &body, bucket.name())?;
    let settings = call.live.model().effective_public_access_block(bucket.public_access_block(), bucket.account());
    if settings.block_public_policy && policy.is_public() {
        return Err(S3Error::access_denied(public_policy_blocked(call)));
    }
    let label: Arc<str> = Arc::from(format!("arn:aws:s3:::{}", bucket.name()));
    let policy = Arc::new(policy.named(label.clone()));
    bucket.set_policy(Some(AttachedPolicy { label, policy }));
    Ok(Reply::no_content())
}

/// The message of the AccessDenied that `BlockPublicPolicy` answers: "User: ARN is not
/// authorized to perform: s3:PutBucketPolicy on resource: "ARN" because public policies are
/// blocked by the BlockPublicPolicy block public access setting." (S3's wording in its
/// responses since its detailed access-denied messages; plain "Access Denied" before them:
/// <https://github.com/torchbox/buckup/pull/18>). The caller is always in the owner's account
/// here (others were answered 405 already).
fn public_policy_blocked(call: &Call<'_>) -> String {
    format!(
        "User: {} is not authorized to perform: s3:PutBucketPolicy on resource: \"{}\" because public policies are blocked by the BlockPublicPolicy block public access setting.",
        call.live.caller_arn(&call.auth.caller),
        call.bucket_arn()
    )
}

/// `DELETE /bucket?policy`: 204, also when there was no policy (S3 answers a delete of nothing
/// with success, as its other `Delete…` configuration operations do).
pub(crate) fn delete_bucket_policy(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    require_policy_permission(call, "s3:DeleteBucketPolicy", &bucket)?;
    bucket.set_policy(None);
    Ok(Reply::no_content())
}

/// `GET /bucket?policyStatus` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicyStatus.html>):
/// `s3:GetBucketPolicyStatus`; `<PolicyStatus><IsPublic>` by [`Policy::is_public`];
/// `NoSuchBucketPolicy` without a policy.
pub(crate) fn get_bucket_policy_status(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:GetBucketPolicyStatus", &call.bucket_arn(), &Context::new())?;
    let policy = bucket.policy().ok_or_else(|| no_such_bucket_policy(bucket.name()))?;
    let public = policy.policy.is_public();
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("PolicyStatus", NAMESPACE, |x| x.leaf("IsPublic", if public { "true" } else { "false" }));
    Ok(Reply::xml(xml.finish()))
}

/// `GET /bucket?publicAccessBlock` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html>):
/// `s3:GetBucketPublicAccessBlock`; the bucket's own settings (not combined with the
/// account's); `NoSuchPublicAccessBlockConfiguration` when there are none.
pub(crate) fn get_public_access_block(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:GetBucketPublicAccessBlock", &call.bucket_arn(), &Context::new())?;
    let settings = bucket.public_access_block().ok_or_else(|| {
        // S3's answer (the error code from the GetPublicAccessBlock page; the message as S3 words it).
        S3Error::new(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
            .with("BucketName", bucket.name())
    })?;
    let flag = |b: bool| if b { "true" } else { "false" };
    let mut xml = XmlWriter::with_declaration();
    xml.element_ns("PublicAccessBlockConfiguration", NAMESPACE, |x| {
        x.leaf("BlockPublicAcls", flag(settings.block_public_acls));
        x.leaf("IgnorePublicAcls", flag(settings.ignore_public_acls));
        x.leaf("BlockPublicPolicy", flag(settings.block_public_policy));
        x.leaf("RestrictPublicBuckets", flag(settings.restrict_public_buckets));
    });
    Ok(Reply::xml(xml.finish()))
}

/// `PUT /bucket?publicAccessBlock` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html>):
/// `s3:PutBucketPublicAccessBlock`; a `PublicAccessBlockConfiguration` document whose absent
/// elements are `false`. `BlockPublicAcls` and `IgnorePublicAcls` are kept and returned but
/// change nothing: ACLs are disabled (Object Ownership `BucketOwnerEnforced`).
pub(crate) fn put_public_access_block(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:PutBucketPublicAccessBlock", &call.bucket_arn(), &Context::new())?;
    let body = call.request.body.clone();
    if let Some(md5) = call.header("content-md5") {
        super::payload::check_content_md5(md5, &body)?;
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(S3Error::missing_body());
    }
    let settings = parse_public_access_block(&body)?;
    bucket.set_public_access_block(Some(settings));
    Ok(Reply::ok())
}

/// Reads a `PublicAccessBlockConfiguration` document.
fn parse_public_access_block(body: &[u8]) -> Result<PublicAccessBlock, S3Error> {
    let root = XmlElement::parse(body)?;
    if root.name != "PublicAccessBlockConfiguration" {
        return Err(S3Error::malformed_xml());
    }
    let flag = |name: &str| -> Result<bool, S3Error> {
        match root.child(name).map(|c| c.text().trim().to_ascii_lowercase()) {
            None => Ok(false),
            Some(v) if v == "true" => Ok(true),
            Some(v) if v == "false" => Ok(false),
            Some(_) => Err(S3Error::malformed_xml()),
        }
    };
    Ok(PublicAccessBlock {
        block_public_acls: flag("BlockPublicAcls")?,
        ignore_public_acls: flag("IgnorePublicAcls")?,
        block_public_policy: flag("BlockPublicPolicy")?,
        restrict_public_buckets: flag("RestrictPublicBuckets")?,
    })
}

/// `DELETE /bucket?publicAccessBlock` (<https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html>):
/// "To use this operation, you must have the s3:PutBucketPublicAccessBlock permission"; 204.
pub(crate) fn delete_public_access_block(call: &mut Call<'_>) -> Result<Reply, S3Error> {
    let bucket = call.bucket()?;
    call.require("s3:PutBucketPublicAccessBlock", &call.bucket_arn(), &Context::new())?;
    bucket.set_public_access_block(None);
    Ok(Reply::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_access_block_documents_are_read_strictly() {
        let all = parse_public_access_block(
            b"<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>TRUE</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>",
        )
        .expect("valid");
        assert_eq!(all, PublicAccessBlock::ALL);
        let none = parse_public_access_block(b"<PublicAccessBlockConfiguration/>").expect("valid");
        assert_eq!(none, PublicAccessBlock::default());
        let bad = parse_public_access_block(
            b"<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>",
        );
        assert_eq!(bad.unwrap_err().code, "MalformedXML");
        assert_eq!(parse_public_access_block(b"<Other/>").unwrap_err().code, "MalformedXML");
    }
}
