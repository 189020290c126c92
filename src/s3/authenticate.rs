//! Who signed an S3 request: the same SigV4 verifier STS uses (`auth`), with S3's canonical
//! URI (the raw path) and S3's error codes.
//!
//! - Not signed at all: the anonymous caller; policies decide what it may do.
//! - An access key the world does not know, or an inactive one: `InvalidAccessKeyId` (403).
//! - A session token that is not the one issued with the key: `InvalidToken` (400).
//! - A wrong signature: `SignatureDoesNotMatch` with `StringToSign`, `CanonicalRequest` and
//!   their bytes, as S3 answers; a request outside ±15 minutes: `RequestTimeTooSkewed`; a
//!   presigned URL past `X-Amz-Expires`: `AccessDenied` "Request has expired".
//! - Temporary credentials past their expiry: `ExpiredToken` (400).

use super::S3Error;
use crate::auth::{self, CanonicalUri, SignedRequest};
use crate::live::{Live, SigningKey};
use crate::model::Caller;
use crate::wire::WireRequest;

/// The caller of a request that passed authentication.
#[derive(Clone, Debug)]
pub(crate) struct Authenticated {
    pub(crate) caller: Caller,
    /// The key that signed, `None` for an anonymous request.
    pub(crate) key: Option<SigningKey>,
    /// What the signature claims, `None` for an anonymous request.
    pub(crate) signed: Option<SignedRequest>,
}

/// Authenticates a request against the world's keys and sessions.
pub(crate) fn authenticate(live: &Live, request: &WireRequest) -> Result<Authenticated, S3Error> {
    let sigv4 = |e: auth::AuthError| S3Error::from(e.aws_error("s3"));
    let Some(signed) = auth::parse(&request.parts).map_err(sigv4)? else {
        return Ok(Authenticated { caller: Caller::Anonymous, key: None, signed: None });
    };
    if signed.scope.service != "s3" {
        // The region is checked per bucket (a bucket answers only in its own region).
        auth::check_scope(&signed, &signed.scope.region, "s3").map_err(sigv4)?;
    }
    let Some(key) = live.signing_key(&signed.access_key_id).filter(|k| k.active) else {
        return Err(S3Error::invalid_access_key_id(&signed.access_key_id));
    };
    match (key.session_token.as_deref(), signed.security_token.as_deref()) {
        (Some(issued), Some(sent)) if issued == sent => {}
        (None, None) => {}
        // Temporary credentials without their token: S3 does not know the key on its own.
        (Some(_), None) => return Err(S3Error::invalid_access_key_id(&signed.access_key_id)),
        _ => return Err(S3Error::invalid_token()),
    }
    auth::verify_with(&signed, &request.parts, &request.body, &key.secret, CanonicalUri::S3, live.signing_keys())
        .map_err(sigv4)?;
    auth::check_time(&signed, live.now()).map_err(sigv4)?;
    if key.expires.is_some_and(|expires| expires <= live.now()) {
        return Err(S3Error::expired_token(signed.security_token.as_deref().unwrap_or_default()));
    }
    Ok(Authenticated { caller: key.caller.clone(), key: Some(key), signed: Some(signed) })
}
