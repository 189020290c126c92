//! `GetCallerIdentity`, `GetAccessKeyInfo` and `DecodeAuthorizationMessage`.

use super::Call;
use super::error::{StsError, Validation};
use crate::policy::Context;
use crate::xml::XmlWriter;

/// Who the caller is. `sts:GetCallerIdentity` is asked like any permission, and the engine's one
/// rule for it ([`permission_not_required`](crate::policy::permission_not_required): "No
/// permissions are required to perform this operation", STS API Reference) allows it whatever
/// the caller's policies say; no authorization is logged.
pub(super) fn get_caller_identity(call: &mut Call<'_>) -> Result<Vec<u8>, StsError> {
    let identity = call.live.identity(&call.caller).ok_or_else(StsError::missing_authentication)?;
    let decision = call.authorize("sts:GetCallerIdentity", "*", &Context::new())?;
    if !decision.is_allowed() {
        return Err(StsError::access_denied(decision.to_string()));
    }
    let mut xml = XmlWriter::new();
    xml.element_ns("GetCallerIdentityResponse", super::NAMESPACE, |x| {
        x.element("GetCallerIdentityResult", |x| {
            x.leaf("Arn", &identity.arn);
            x.leaf("UserId", &identity.user_id);
            x.leaf("Account", &identity.account);
        });
        x.element("ResponseMetadata", |x| x.leaf("RequestId", &call.request_id));
    });
    Ok(xml.finish())
}

/// The account an access key belongs to. It needs `sts:GetAccessKeyInfo` (Service Authorization
/// Reference, AWS STS actions). AWS decodes the account from any key id; the world knows the
/// account only of the keys it issued, and answers `InvalidParameterValue` for others.
pub(super) fn get_access_key_info(call: &mut Call<'_>) -> Result<Vec<u8>, StsError> {
    let mut v = Validation::default();
    let key_id = call.params.get("AccessKeyId");
    match key_id {
        Some(k) => {
            v.length(k, "accessKeyId", 16, 128);
            v.pattern(k, "accessKeyId", "[\\w]*", |c| c.is_ascii_alphanumeric() || c == '_');
        }
        None => v.fail(None, "accessKeyId", "must not be null"),
    }
    v.finish()?;
    let key_id = key_id.unwrap_or_default();
    let decision = call.authorize("sts:GetAccessKeyInfo", "*", &Context::new())?;
    if !decision.is_allowed() {
        return Err(StsError::access_denied(decision.to_string()));
    }
    let account =
        call.live.signing_key(key_id).and_then(|k| k.caller.account().map(str::to_owned)).ok_or_else(|| {
            StsError::invalid_parameter(format!("The access key `{key_id}` was not issued by this world"))
        })?;
    let mut xml = XmlWriter::new();
    xml.element_ns("GetAccessKeyInfoResponse", super::NAMESPACE, |x| {
        x.element("GetAccessKeyInfoResult", |x| x.leaf("Account", &account));
        x.element("ResponseMetadata", |x| x.leaf("RequestId", &call.request_id));
    });
    Ok(xml.finish())
}

/// Decodes a message the world encoded for a denied request
/// ([`Live::encode_authorization_message`](crate::live::Live::encode_authorization_message)).
/// Needs `sts:DecodeAuthorizationMessage`.
pub(super) fn decode_authorization_message(call: &mut Call<'_>) -> Result<Vec<u8>, StsError> {
    let mut v = Validation::default();
    let encoded = call.params.get("EncodedMessage");
    match encoded {
        Some(m) => v.length(m, "encodedMessage", 1, 10_240),
        None => v.fail(None, "encodedMessage", "must not be null"),
    }
    v.finish()?;
    let decision = call.authorize("sts:DecodeAuthorizationMessage", "*", &Context::new())?;
    if !decision.is_allowed() {
        return Err(StsError::access_denied(decision.to_string()));
    }
    let decoded = call
        .live
        .decode_authorization_message(encoded.unwrap_or_default())
        .ok_or_else(|| StsError::other(400, "InvalidAuthorizationMessageException", "The message is not valid."))?;
    let mut xml = XmlWriter::new();
    xml.element_ns("DecodeAuthorizationMessageResponse", super::NAMESPACE, |x| {
        x.element("DecodeAuthorizationMessageResult", |x| x.leaf("DecodedMessage", &decoded));
        x.element("ResponseMetadata", |x| x.leaf("RequestId", &call.request_id));
    });
    Ok(xml.finish())
}
