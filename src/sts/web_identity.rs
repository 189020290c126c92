//! `AssumeRoleWithWebIdentity`: a role session for the holder of an OIDC token issued by one of
//! the world's identity providers (GitHub Actions, an EKS cluster, Cognito, …).
//!
//! STS API Reference: <https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html>.
//! Condition keys: IAM User Guide, "Available keys for AWS web identity federation"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif>).

use super::Call;
use super::assume_role::{find_role, role_session_response};
use super::error::{StsError, Validation, is_name_char};
use super::policies;
use super::tokens::duration_param;
use crate::idp::{OidcIssuer, unverified_issuer};
use crate::live::SessionKind;
use crate::model::{Caller, SessionDetails};
use crate::policy::Context;

pub(super) fn assume_role_with_web_identity(call: &mut Call<'_>) -> Result<Vec<u8>, StsError> {
    let params = call.params;
    let mut v = Validation::default();
    let role_arn = params.get("RoleArn");
    let session_name = params.get("RoleSessionName");
    let token = params.get("WebIdentityToken");
    match role_arn {
        Some(arn) => v.length(arn, "roleArn", 20, 2048),
        None => v.fail(None, "roleArn", "must not be null"),
    }
    match session_name {
        Some(name) => {
            v.length(name, "roleSessionName", 2, 64);
            v.pattern(name, "roleSessionName", "[\\w+=,.@-]*", is_name_char);
        }
        None => v.fail(None, "roleSessionName", "must not be null"),
    }
    match token {
        Some(t) => v.length(t, "webIdentityToken", 4, 20_000),
        None => v.fail(None, "webIdentityToken", "must not be null"),
    }
    if let Some(provider_id) = params.get("ProviderId") {
        v.length(provider_id, "providerId", 4, 2048);
    }
    let duration = duration_param(params, &mut v, 900, 43_200)?;
    let extras = policies::read(call.live, params, &mut v, false)?;
    v.finish()?;
    let (Some(role_arn), Some(session_name), Some(token)) = (role_arn, session_name, token) else {
        return Err(StsError::validation("RoleArn, RoleSessionName and WebIdentityToken are required"));
    };

    // The provider: an IAM OIDC provider of the role's account whose URL is the token's issuer.
    let issuer = unverified_issuer(token).map_err(|e| StsError::invalid_identity_token(e.aws_message()))?;
    let provider_key = issuer.trim_start_matches("https://").trim_end_matches('/').to_owned();
    let role_account = role_arn.split(':').nth(4).unwrap_or_default();
    let provider =
        call.live.model().account(role_account).and_then(|a| a.oidc_providers.get(&provider_key)).ok_or_else(|| {
            StsError::invalid_identity_token(format!("No OpenIDConnect provider found in your account for {issuer}"))
        })?;
    let oidc = OidcIssuer::new(&provider.url, call.live.model().seed());
    let verified = oidc.verify(token, &provider.audiences, call.live.now()).map_err(|e| {
        let code = e.aws_code();
        StsError::other(400, code, e.aws_message())
    })?;

    // `PROVIDER:aud`, `:sub`, `:amr` (Cognito), and the provider itself.
    let mut context = Context::new();
    context.set(&format!("{provider_key}:aud"), [verified.audience.clone()]);
    context.set(&format!("{provider_key}:sub"), [verified.subject.clone()]);
    if let Some(amr) = verified.claims.get("amr") {
        let values: Vec<String> = match amr {
            serde_json::Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
            serde_json::Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        };
        context.set(&format!("{provider_key}:amr"), values);
    }
    context.set("aws:FederatedProvider", [provider.arn.to_string()]);
    context.set("sts:RoleSessionName", [session_name.to_owned()]);
    call.caller = Caller::WebIdentity { provider: provider.arn.to_string() };

    let role = find_role(call, role_arn);
    let decision = call.authorize("sts:AssumeRoleWithWebIdentity", role_arn, &context)?;
    let Some(role) = role.filter(|_| decision.is_allowed()) else {
        // STS words every refusal of this operation the same way, revealing nothing.
        return Err(StsError::access_denied("Not authorized to perform sts:AssumeRoleWithWebIdentity"));
    };
    let duration = duration.unwrap_or(3_600);
    if duration > i64::from(role.max_session_duration) {
        return Err(StsError::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    extras.check_packed_size()?;
    let details = SessionDetails {
        name: session_name.to_owned(),
        policies: extras.policies.clone(),
        issued_at: Some(call.live.now()),
        // The provider's keys stay on the session, so that permissions policies can name them as
        // policy variables (`arn:aws:s3:::photos/${accounts.example.com:sub}/*`): IAM User Guide,
        // "Available keys for AWS web identity federation".
        context_keys: [
            (format!("{provider_key}:sub"), verified.subject.clone()),
            (format!("{provider_key}:aud"), verified.audience.clone()),
        ]
        .into_iter()
        .collect(),
        ..SessionDetails::default()
    };
    let caller = Caller::RoleSession { account: role_account.to_owned(), role: role.name.clone(), session: details };
    let session = call.live.issue_session(
        SessionKind::AssumeRoleWithWebIdentity,
        caller,
        u64::try_from(duration).unwrap_or(3_600),
    );
    Ok(role_session_response("AssumeRoleWithWebIdentity", call, &session, &extras, |x| {
        x.leaf("SubjectFromWebIdentityToken", &verified.subject);
        x.leaf("Audience", &verified.audience);
        x.leaf("Provider", &verified.issuer);
    }))
}
