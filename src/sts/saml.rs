//! `AssumeRoleWithSAML`: a role session for the subject of a SAML assertion signed by one of the
//! world's SAML identity providers.
//!
//! STS API Reference: <https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html>.
//! Condition keys: IAM User Guide, "Available keys for SAML-based AWS STS federation"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-saml>).

use std::collections::BTreeMap;

use super::Call;
use super::assume_role::{find_role, role_session_response};
use super::error::{StsError, Validation};
use super::policies;
use super::tokens::duration_param;
use crate::idp::{SamlIdp, name_qualifier};
use crate::live::{Live, SessionKind};
use crate::model::{Caller, SamlProvider, SessionDetails};
use crate::policy::Context;

/// Session tags come from attributes named with this prefix and the tag key.
const PRINCIPAL_TAG: &str = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:";
/// Which of those tags are transitive.
const TRANSITIVE_TAG_KEYS: &str = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys";

/// The identity provider behind one of the world's SAML providers. Its entity id is the one the
/// fixture's metadata names (`entityID="…"`), or `https://idp.iamsim.test/saml/NAME`.
///
/// ```
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     saml_providers:
///       corp:
///         metadata: '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml"/>'
/// "#)?;
/// let provider = &world.model().account("111111111111").unwrap().saml_providers["corp"];
/// let idp = iamsim::sts::saml_idp(world.live(), provider);
/// // The entity id the fixture's metadata names.
/// assert_eq!(idp.entity_id(), "https://idp.example.com/saml");
/// # Ok::<(), iamsim::WorldError>(())
/// ```
pub fn saml_idp(live: &Live, provider: &SamlProvider) -> SamlIdp {
    SamlIdp::new(&entity_id(provider), live.model().seed())
}

fn entity_id(provider: &SamlProvider) -> String {
    let from_metadata = provider.metadata.as_deref().and_then(|m| {
        let start = m.find("entityID=\"")? + "entityID=\"".len();
        let len = m.get(start..)?.find('"')?;
        m.get(start..start + len).map(str::to_owned)
    });
    from_metadata.unwrap_or_else(|| format!("https://idp.iamsim.test/saml/{}", provider.name))
}

pub(super) fn assume_role_with_saml(call: &mut Call<'_>) -> Result<Vec<u8>, StsError> {
    let params = call.params;
    let mut v = Validation::default();
    let role_arn = params.get("RoleArn");
    let provider_arn = params.get("PrincipalArn");
    let assertion = params.get("SAMLAssertion");
    for (value, member) in [(role_arn, "roleArn"), (provider_arn, "principalArn")] {
        match value {
            Some(arn) => v.length(arn, member, 20, 2048),
            None => v.fail(None, member, "must not be null"),
        }
    }
    match assertion {
        Some(a) => v.length(a, "sAMLAssertion", 4, 100_000),
        None => v.fail(None, "sAMLAssertion", "must not be null"),
    }
    let duration = duration_param(params, &mut v, 900, 43_200)?;
    let extras = policies::read(call.live, params, &mut v, false)?;
    v.finish()?;
    let (Some(role_arn), Some(provider_arn), Some(assertion)) = (role_arn, provider_arn, assertion) else {
        return Err(StsError::validation("RoleArn, PrincipalArn and SAMLAssertion are required"));
    };

    let provider_account = provider_arn.split(':').nth(4).unwrap_or_default();
    let provider_name = provider_arn.rsplit('/').next().unwrap_or_default();
    let provider = call
        .live
        .model()
        .account(provider_account)
        .and_then(|a| a.saml_providers.get(provider_name))
        .filter(|p| p.arn.as_str() == provider_arn)
        .ok_or_else(|| StsError::invalid_identity_token(format!("SAML provider {provider_arn} does not exist")))?;
    let idp = saml_idp(call.live, provider);
    let verified = idp
        .verify(assertion, role_arn, provider_arn, call.live.now())
        .map_err(|e| StsError::other(400, e.aws_code(), e.aws_message()))?;
    let qualifier = name_qualifier(&verified.issuer, provider_account, provider_name);

    let mut tags: BTreeMap<String, String> = BTreeMap::new();
    let mut transitive: Vec<String> = Vec::new();
    for (name, values) in &verified.attributes {
        if let Some(key) = name.strip_prefix(PRINCIPAL_TAG) {
            tags.insert(key.to_owned(), values.join(","));
        } else if name == TRANSITIVE_TAG_KEYS {
            transitive.extend(values.iter().cloned());
        }
    }

    let mut context = Context::new();
    context.set("saml:aud", [verified.audience.clone()]);
    context.set("saml:iss", [verified.issuer.clone()]);
    context.set("saml:sub", [verified.subject.clone()]);
    context.set("saml:sub_type", [verified.subject_type.clone()]);
    context.set("saml:namequalifier", [qualifier.clone()]);
    context.set("saml:doc", [format!("{provider_account}/{provider_name}")]);
    context.set("aws:FederatedProvider", [provider_arn.to_owned()]);
    context.set("sts:RoleSessionName", [verified.session_name.clone()]);
    if let Some(si) = &verified.source_identity {
        context.set("sts:SourceIdentity", [si.clone()]);
    }
    for (k, val) in &tags {
        context.set(&format!("aws:RequestTag/{k}"), [val.clone()]);
    }
    if !tags.is_empty() {
        context.set("aws:TagKeys", tags.keys().cloned());
    }
    call.caller = Caller::WebIdentity { provider: provider_arn.to_owned() };

    let role = find_role(call, role_arn);
    let mut needed = vec!["sts:AssumeRoleWithSAML"];
    if !tags.is_empty() {
        needed.push("sts:TagSession");
    }
    if verified.source_identity.is_some() {
        needed.push("sts:SetSourceIdentity");
    }
    for action in needed {
        let decision = call.authorize(action, role_arn, &context)?;
        if !decision.is_allowed() || role.is_none() {
            return Err(StsError::access_denied(format!("Not authorized to perform {action}")));
        }
    }
    let Some(role) = role else {
        return Err(StsError::access_denied("Not authorized to perform sts:AssumeRoleWithSAML"));
    };
    // DurationSeconds wins over the assertion's SessionDuration attribute; one hour by default.
    let duration = duration.or(verified.session_duration.map(i64::from)).unwrap_or(3_600);
    if duration > i64::from(role.max_session_duration) {
        return Err(StsError::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    extras.check_packed_size()?;
    let details = SessionDetails {
        name: verified.session_name.clone(),
        policies: extras.policies.clone(),
        tags,
        source_identity: verified.source_identity.clone(),
        issued_at: Some(call.live.now()),
        transitive_tag_keys: transitive,
        ..SessionDetails::default()
    };
    let caller =
        Caller::RoleSession { account: role.arn.account().to_owned(), role: role.name.clone(), session: details };
    let session =
        call.live.issue_session(SessionKind::AssumeRoleWithSaml, caller, u64::try_from(duration).unwrap_or(3_600));
    Ok(role_session_response("AssumeRoleWithSAML", call, &session, &extras, |x| {
        x.leaf("Subject", &verified.subject);
        x.leaf("SubjectType", &verified.subject_type);
        x.leaf("Issuer", &verified.issuer);
        x.leaf("Audience", &verified.audience);
        x.leaf("NameQualifier", &qualifier);
    }))
}
