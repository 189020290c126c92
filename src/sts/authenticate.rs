//! Who signed an STS request: SigV4 checked against the world's keys and sessions, with STS's
//! own error codes.

use super::error::StsError;
use crate::auth::{self, CanonicalUri};
use crate::live::{Live, SigningKey};
use crate::model::Caller;
use crate::wire::WireRequest;

/// The caller of a request that passed authentication.
pub(crate) struct Authenticated {
    pub(crate) caller: Caller,
    pub(crate) key: Option<SigningKey>,
    /// The region of the credential scope (`us-east-1` for unsigned requests).
    pub(crate) region: String,
}

/// Authenticates a request. Unsigned requests are anonymous where STS allows them
/// (`AssumeRoleWithWebIdentity`, `AssumeRoleWithSAML`) and refused otherwise.
pub(crate) fn authenticate(
    live: &Live,
    request: &WireRequest,
    anonymous_allowed: bool,
) -> Result<Authenticated, StsError> {
    let sigv4 = |e: auth::AuthError| {
        let aws = e.aws_error("sts");
        StsError::other(aws.status, aws.code, aws.message)
    };
    let Some(signed) = auth::parse(&request.parts).map_err(sigv4)? else {
        if anonymous_allowed {
            return Ok(Authenticated { caller: Caller::Anonymous, key: None, region: "us-east-1".to_owned() });
        }
        return Err(StsError::missing_authentication());
    };
    // "The security token included in the request is invalid": an unknown or inactive key, or a
    // session token that is missing, extra or not the one issued with the key.
    let key =
        live.signing_key(&signed.access_key_id).filter(|k| k.active).ok_or_else(StsError::invalid_client_token)?;
    if key.session_token.as_deref() != signed.security_token.as_deref() {
        return Err(StsError::invalid_client_token());
    }
    auth::verify_with(&signed, &request.parts, &request.body, &key.secret, CanonicalUri::Standard, live.signing_keys())
        .map_err(sigv4)?;
    auth::check_time(&signed, live.now()).map_err(sigv4)?;
    if key.expires.is_some_and(|expires| expires <= live.now()) {
        return Err(StsError::expired_token());
    }
    Ok(Authenticated { caller: key.caller.clone(), region: signed.scope.region.clone(), key: Some(key) })
}
