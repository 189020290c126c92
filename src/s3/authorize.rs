//! One S3 request in flight: who called, the condition keys every authorization of the request
//! carries, each decision (asked of [`Live::authorize`], never decided here), and AccessDenied
//! worded as S3 words it.
//!
//! S3's AccessDenied message: for a caller in the bucket owner's account or organization, the
//! detailed form "User: ARN is not authorized to perform: ACTION on resource: "ARN" because no
//! identity-based policy allows the ACTION action" (the resource in double quotes); for anyone
//! else — another organization, an anonymous caller — only "Access Denied"
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html>:
//! "Amazon S3 now includes additional context in access denied (HTTP 403 Forbidden) errors for
//! requests made to resources within the same AWS account or same organization").

use std::sync::Arc;
use std::time::Duration;

use super::authenticate::Authenticated;
use super::{Operation, S3Error, Target};
use crate::auth::{self, SignatureLocation};
use crate::live::{Decided, Live, LiveBucket};
use crate::model::Caller;
use crate::policy::{AccountId, Action, Context, Decision, Resource};
use crate::wire::WireRequest;

/// One S3 request being served.
pub(crate) struct Call<'a> {
    pub(crate) live: &'a Live,
    pub(crate) request: &'a WireRequest,
    pub(crate) target: Target,
    pub(crate) operation: Operation,
    pub(crate) auth: Authenticated,
    /// The region the request was sent to: the signature's, or for an anonymous request the
    /// bucket's (`us-east-1` without a bucket).
    pub(crate) region: String,
    pub(crate) authorizations: Vec<Decided>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(
        live: &'a Live,
        request: &'a WireRequest,
        target: Target,
        operation: Operation,
        auth: Authenticated,
    ) -> Call<'a> {
        let region = match &auth.signed {
            Some(signed) => signed.scope.region.clone(),
            None => target
                .bucket
                .as_deref()
                .and_then(|b| live.buckets().bucket(b))
                .map_or_else(|| "us-east-1".to_owned(), |b| b.region().to_owned()),
        };
        Call { live, request, target, operation, auth, region, authorizations: Vec::new() }
    }

    /// A request header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.request.header(name)
    }

    /// The bucket the request names (`NoSuchBucket` when it does not exist). It must be asked in
    /// its own region, and belong to `x-amz-expected-bucket-owner` when the request says so.
    pub(crate) fn bucket(&self) -> Result<Arc<LiveBucket>, S3Error> {
        let name = self.target.bucket.as_deref().unwrap_or_default();
        let bucket = self.live.buckets().bucket(name).ok_or_else(|| S3Error::no_such_bucket(name))?;
        // GetBucketLocation answers from any region: it is how clients learn the region.
        if let Some(signed) = &self.auth.signed
            && self.operation != Operation::GetBucketLocation
        {
            auth::check_scope(signed, bucket.region(), "s3").map_err(|e| S3Error::from(e.aws_error("s3")))?;
        }
        // "If the account ID that you provide does not match the actual owner of the bucket,
        // the request fails with the HTTP status code 403 Forbidden (access denied)."
        if let Some(expected) = self.header("x-amz-expected-bucket-owner")
            && expected != bucket.account().as_str()
        {
            return Err(S3Error::access_denied("Access Denied"));
        }
        Ok(bucket)
    }

    /// The key the request names (every object operation has one).
    pub(crate) fn key(&self) -> &str {
        self.target.key.as_deref().unwrap_or_default()
    }

    /// `arn:aws:s3:::bucket`.
    pub(crate) fn bucket_arn(&self) -> String {
        format!("arn:aws:s3:::{}", self.target.bucket.as_deref().unwrap_or_default())
    }

    /// `arn:aws:s3:::bucket/key`.
    pub(crate) fn object_arn(&self) -> String {
        format!("arn:aws:s3:::{}/{}", self.target.bucket.as_deref().unwrap_or_default(), self.key())
    }

    /// The keys every authorization of this request carries.
    fn request_context(&self) -> Context {
        // Room for the origin's keys and these, so that the context is not regrown.
        let mut context = Context::with_capacity(12);
        self.request.origin.add_context_keys(&mut context);
        context.set("aws:RequestedRegion", [self.region.clone()]);
        if let Some(signed) = &self.auth.signed {
            // "s3:authType: REST-HEADER, REST-QUERY-STRING or POST"; "s3:signatureversion:
            // AWS for SigV2, AWS4-HMAC-SHA256 for SigV4"; "s3:signatureAge: the length of time,
            // in milliseconds, that a signature is valid in an authenticated request"
            // (<https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html>).
            let auth_type = match signed.location {
                SignatureLocation::Header => "REST-HEADER",
                SignatureLocation::Query { .. } => "REST-QUERY-STRING",
            };
            context.set("s3:authType", [auth_type]);
            context.set("s3:signatureversion", ["AWS4-HMAC-SHA256"]);
            let age = self.live.now().duration_since(signed.amz_date).unwrap_or(Duration::ZERO);
            context.set("s3:signatureAge", [age.as_millis().to_string()]);
        }
        let content_sha256 = self
            .auth
            .signed
            .as_ref()
            .and_then(|s| s.content_sha256.clone())
            .or_else(|| self.header("x-amz-content-sha256").map(str::to_owned));
        if let Some(value) = content_sha256 {
            context.set("s3:x-amz-content-sha256", [value]);
        }
        context
    }

    /// Asks the world whether the caller may do `action` on `resource`, with the request's keys
    /// and `extra` ones; records the decision for the access log.
    pub(crate) fn decide(&mut self, action: &str, resource: &str, extra: &Context) -> Result<Decision, S3Error> {
        let action: Action = action.parse().map_err(|e| S3Error::internal(format!("{e}")))?;
        let resource = Resource::parse(resource).map_err(|_| S3Error::invalid_uri(&self.target.resource_path()))?;
        let mut context = self.request_context();
        context.merge_from(extra);
        let decision = self
            .live
            .authorize(&self.auth.caller, &action, &resource, &context)
            .map_err(|e| S3Error::internal(format!("{e}")))?;
        self.authorizations.push(Decided { decision: decision.clone(), context });
        Ok(decision)
    }

    /// [`Call::decide`], an error unless allowed.
    pub(crate) fn require(&mut self, action: &str, resource: &str, extra: &Context) -> Result<(), S3Error> {
        let decision = self.decide(action, resource, extra)?;
        if decision.is_allowed() { Ok(()) } else { Err(self.access_denied(&decision)) }
    }

    /// S3's AccessDenied for a denial (see the module docs for when it is detailed).
    pub(crate) fn access_denied(&self, decision: &Decision) -> S3Error {
        S3Error::access_denied(self.denial_message(decision))
    }

    /// The `<Message>` of S3's AccessDenied for a decision.
    pub(crate) fn denial_message(&self, decision: &Decision) -> String {
        let Some(reason) = decision.denial_reason() else { return "Access Denied".to_owned() };
        if !self.is_insider(decision.resource()) {
            return "Access Denied".to_owned();
        }
        let (principal, action, resource) = (decision.principal(), decision.action(), decision.resource());
        if resource == "*" {
            format!("User: {principal} is not authorized to perform: {action} {reason}")
        } else {
            format!("User: {principal} is not authorized to perform: {action} on resource: \"{resource}\" {reason}")
        }
    }

    /// Whether the caller is in the account, or the organization, that owns the resource (for
    /// `*`: always, the caller asks about its own account).
    fn is_insider(&self, resource: &str) -> bool {
        let Some(caller_account) = self.auth.caller.account().and_then(|a| AccountId::new(a).ok()) else {
            return false;
        };
        if matches!(self.auth.caller, Caller::Anonymous) {
            return false;
        }
        let bucket = resource.strip_prefix("arn:aws:s3:::").map(|r| r.split('/').next().unwrap_or(r));
        let owner = match bucket {
            None => return true,
            Some(name) => match self.live.buckets().bucket(name) {
                Some(b) => b.account().clone(),
                None => return true,
            },
        };
        if owner == caller_account {
            return true;
        }
        self.live.model().organization().is_some_and(|org| org.contains(&owner) && org.contains(&caller_account))
    }
}
