//! `GetSessionToken` and `GetFederationToken`: temporary credentials for an IAM user (or root),
//! and the MFA check `AssumeRole` shares.
//!
//! STS API Reference: <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html>,
//! <https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html>.

use super::Call;
use super::error::{StsError, Validation, is_name_char};
use super::params::Params;
use super::policies;
use crate::idp::Totp;
use crate::live::SessionKind;
use crate::model::Caller;
use crate::policy::Context;
use crate::xml::XmlWriter;

/// Sessions of root credentials last at most an hour: "If the duration is longer than one hour,
/// the session for AWS account owners defaults to one hour" (GetSessionToken, GetFederationToken).
const ROOT_MAX: i64 = 3_600;

/// `DurationSeconds`, checked against the operation's member range.
pub(super) fn duration_param(params: &Params, v: &mut Validation, min: i64, max: i64) -> Result<Option<i64>, StsError> {
    let Some(text) = params.get("DurationSeconds") else { return Ok(None) };
    match text.parse::<i64>() {
        Ok(seconds) => {
            v.range(seconds, "durationSeconds", min, max);
            Ok(Some(seconds))
        }
        Err(_) => Err(StsError::other(
            400,
            "MalformedInput",
            format!("Invalid value for parameter DurationSeconds: `{text}` is not an integer"),
        )),
    }
}

/// Checks `SerialNumber` and `TokenCode` when given: the device must be the caller's own MFA
/// device and the code its current one-time password (on the world's clock). Returns whether
/// MFA was presented.
pub(super) fn check_mfa(call: &Call<'_>) -> Result<bool, StsError> {
    let (serial, code) = (call.params.get("SerialNumber"), call.params.get("TokenCode"));
    let mut v = Validation::default();
    if let Some(serial) = serial {
        v.length(serial, "serialNumber", 9, 256);
        v.pattern(serial, "serialNumber", "[\\w+=/:,.@-]*", |c| is_name_char(c) || c == '/' || c == ':');
    }
    if let Some(code) = code {
        v.length(code, "tokenCode", 6, 6);
        v.pattern(code, "tokenCode", "[\\d]*", |c| c.is_ascii_digit());
    }
    v.finish()?;
    let (Some(serial), Some(code)) = (serial, code) else {
        if serial.is_some() || code.is_some() {
            return Err(StsError::access_denied(
                "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
            ));
        }
        return Ok(false);
    };
    let device = match &call.caller {
        Caller::User { account, name } | Caller::UserSession { account, name: Some(name), .. } => {
            call.live.model().account(account).and_then(|a| a.user(name)).and_then(|u| u.mfa.as_ref())
        }
        _ => None,
    };
    let device = device.filter(|d| d.serial == serial).ok_or_else(|| {
        StsError::access_denied(
            "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
        )
    })?;
    let totp = Totp::from_base32(&device.seed)
        .map_err(|e| StsError::other(500, "InternalFailure", format!("MFA device secret: {e}")))?;
    if !totp.verify(code, call.live.now()) {
        return Err(StsError::access_denied("MultiFactorAuthentication failed with invalid MFA one time pass code."));
    }
    Ok(true)
}

pub(super) fn get_session_token(call: &mut Call<'_>) -> Result<Vec<u8>, StsError> {
    let mut v = Validation::default();
    let duration = duration_param(call.params, &mut v, 900, 129_600)?;
    v.finish()?;
    let (account, name) = match &call.caller {
        Caller::User { account, name } => (account.clone(), Some(name.clone())),
        Caller::Root { account } => (account.clone(), None),
        _ => return Err(StsError::access_denied("Cannot call GetSessionToken with session credentials")),
    };
    let mfa = check_mfa(call)?;
    let mut duration = duration.unwrap_or(43_200);
    if name.is_none() {
        duration = duration.min(ROOT_MAX);
    }
    let caller = Caller::UserSession { account, name, mfa_authenticated: mfa, issued_at: call.live.now() };
    let session = call.live.issue_session(SessionKind::GetSessionToken, caller, u64::try_from(duration).unwrap_or(0));
    let mut xml = XmlWriter::new();
    xml.element_ns("GetSessionTokenResponse", super::NAMESPACE, |x| {
        x.element("GetSessionTokenResult", |x| super::credentials::write(x, &session.credentials));
        x.element("ResponseMetadata", |x| x.leaf("RequestId", &call.request_id));
    });
    Ok(xml.finish())
}

pub(super) fn get_federation_token(call: &mut Call<'_>) -> Result<Vec<u8>, StsError> {
    let params = call.params;
    let mut v = Validation::default();
    let name = params.get("Name");
    match name {
        Some(n) => {
            v.length(n, "name", 2, 32);
            v.pattern(n, "name", "[\\w+=,.@-]*", is_name_char);
        }
        None => v.fail(None, "name", "must not be null"),
    }
    let duration = duration_param(params, &mut v, 900, 129_600)?;
    let extras = policies::read(call.live, params, &mut v, true)?;
    v.finish()?;
    let Some(name) = name else { return Err(StsError::validation("Name is required")) };
    let (account, user) = match &call.caller {
        Caller::User { account, name } => (account.clone(), name.clone()),
        Caller::Root { .. } => {
            // AWS allows root here (not recommended); iamsim models federated users of IAM
            // users only, and says so rather than answering differently from AWS.
            return Err(StsError::other(
                501,
                "NotImplemented",
                "iamsim does not model GetFederationToken called with root user credentials",
            ));
        }
        _ => return Err(StsError::access_denied("Cannot call GetFederationToken with session credentials")),
    };
    let partition = call
        .live
        .model()
        .account(&account)
        .and_then(|a| a.user(&user))
        .map_or_else(|| "aws".to_owned(), |u| u.arn.partition().to_string());
    let federated_arn = format!("arn:{partition}:sts::{account}:federated-user/{name}");
    let mut context = Context::new();
    super::assume_role::add_tag_keys(&mut context, &extras);
    let decision = call.authorize("sts:GetFederationToken", &federated_arn, &context)?;
    if !decision.is_allowed() {
        return Err(StsError::access_denied(decision.to_string()));
    }
    extras.check_packed_size()?;
    let caller = Caller::FederatedUser {
        account: account.clone(),
        name: name.to_owned(),
        user,
        policies: extras.policies.clone(),
        tags: extras.tags.clone(),
        issued_at: call.live.now(),
    };
    let duration = duration.unwrap_or(43_200);
    let session =
        call.live.issue_session(SessionKind::GetFederationToken, caller, u64::try_from(duration).unwrap_or(0));
    let mut xml = XmlWriter::new();
    xml.element_ns("GetFederationTokenResponse", super::NAMESPACE, |x| {
        x.element("GetFederationTokenResult", |x| {
            super::credentials::write(x, &session.credentials);
            x.element("FederatedUser", |x| {
                x.leaf("FederatedUserId", &format!("{account}:{name}"));
                x.leaf("Arn", &federated_arn);
            });
            if extras.any {
                x.leaf("PackedPolicySize", &extras.packed_percent().to_string());
            }
        });
        x.element("ResponseMetadata", |x| x.leaf("RequestId", &call.request_id));
    });
    Ok(xml.finish())
}
