//! `AssumeRole`: a session of a role for a user or another role session.
//!
//! STS API Reference, AssumeRole: <https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html>.

use super::Call;
use super::error::{StsError, Validation, is_name_char};
use super::policies::{self, SessionExtras};
use super::tokens::{check_mfa, duration_param};
use crate::live::{Session, SessionKind};
use crate::model::{Caller, Role, SessionDetails};
use crate::policy::Context;
use crate::xml::XmlWriter;

/// "If you specify a value higher than this setting … the operation fails"; "if you assume a role
/// using role chaining and provide a DurationSeconds parameter value greater than one hour, the
/// operation fails" (AssumeRole, `DurationSeconds`).
const CHAINED_MAX: i64 = 3_600;

/// `[\w+=,.@:\/-]`: external ids.
fn is_external_id_char(c: char) -> bool {
    is_name_char(c) || c == ':' || c == '/'
}

pub(super) fn assume_role(call: &mut Call<'_>) -> Result<Vec<u8>, StsError> {
    let params = call.params;
    let mut v = Validation::default();
    let role_arn = params.get("RoleArn");
    let session_name = params.get("RoleSessionName");
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
    let duration = duration_param(params, &mut v, 900, 43_200)?;
    if let Some(external_id) = params.get("ExternalId") {
        v.length(external_id, "externalId", 2, 1224);
        v.pattern(external_id, "externalId", "[\\w+=,.@:\\/-]*", is_external_id_char);
    }
    let source_identity = params.get("SourceIdentity");
    if let Some(si) = source_identity {
        v.length(si, "sourceIdentity", 2, 64);
        v.pattern(si, "sourceIdentity", "[\\w+=,.@-]*", is_name_char);
    }
    let extras = policies::read(call.live, params, &mut v, true)?;
    v.finish()?;
    let (Some(role_arn), Some(session_name)) = (role_arn, session_name) else {
        return Err(StsError::validation("RoleArn and RoleSessionName are required"));
    };
    if source_identity.is_some_and(|si| si.to_ascii_lowercase().starts_with("aws:")) {
        return Err(StsError::validation("SourceIdentity cannot start with the prefix 'aws:'"));
    }

    // Who may call AssumeRole at all: "You cannot use AWS account root user credentials to call
    // AssumeRole"; federated users' credentials may call no STS operation but GetCallerIdentity.
    let chained = match &call.caller {
        Caller::Root { .. } | Caller::UserSession { name: None, .. } => {
            return Err(StsError::access_denied("Roles may not be assumed by root accounts."));
        }
        Caller::FederatedUser { .. } => {
            return Err(StsError::access_denied(format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                call.caller_arn()
            )));
        }
        Caller::RoleSession { .. } => true,
        _ => false,
    };
    let mfa = check_mfa(call)?;

    let (previous_tags, previous_transitive, previous_source) = match &call.caller {
        Caller::RoleSession { session, .. } => {
            let inherited = session
                .tags
                .iter()
                .filter(|(k, _)| session.transitive_tag_keys.iter().any(|t| t.eq_ignore_ascii_case(k)))
                .map(|(k, val)| (k.clone(), val.clone()))
                .collect::<Vec<_>>();
            (inherited, session.transitive_tag_keys.clone(), session.source_identity.clone())
        }
        _ => (Vec::new(), Vec::new(), None),
    };
    // "Session tags that are transitive can't be changed by the session they pass to": a request
    // may not set a key the calling session passes on.
    if extras.tags.keys().any(|k| previous_transitive.iter().any(|t| t.eq_ignore_ascii_case(k))) {
        return Err(StsError::invalid_parameter(
            "One or more of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
        ));
    }
    // A source identity, once set, stays for every chained session and cannot be changed.
    if let (Some(previous), Some(requested)) = (&previous_source, source_identity)
        && previous != requested
    {
        return Err(StsError::access_denied(format!(
            "User: {} is not authorized to perform: sts:SetSourceIdentity on resource: {role_arn} because the source identity cannot be changed from `{previous}`",
            call.caller_arn()
        )));
    }

    let mut context = Context::new();
    context.set("sts:RoleSessionName", [session_name.to_owned()]);
    if let Some(external_id) = params.get("ExternalId") {
        context.set("sts:ExternalId", [external_id.to_owned()]);
    }
    if let Some(si) = source_identity {
        context.set("sts:SourceIdentity", [si.to_owned()]);
    }
    add_tag_keys(&mut context, &extras);
    if mfa {
        context.set("aws:MultiFactorAuthPresent", ["true"]);
        context.set("aws:MultiFactorAuthAge", ["0"]);
    }

    // Each permission the request needs, in the order AWS documents them: assuming the role,
    // tagging the session, setting the source identity.
    let mut needed = vec!["sts:AssumeRole"];
    if !extras.tags.is_empty() {
        needed.push("sts:TagSession");
    }
    if source_identity.is_some() {
        needed.push("sts:SetSourceIdentity");
    }
    let role = find_role(call, role_arn);
    for action in needed {
        let decision = call.authorize(action, role_arn, &context)?;
        if !decision.is_allowed() {
            // For a role the world does not have, AWS says only that the caller is not
            // authorized: it does not reveal whether the role exists.
            let message = match role {
                Some(_) => decision.to_string(),
                None => format!(
                    "User: {} is not authorized to perform: {action} on resource: {role_arn}",
                    call.caller_arn()
                ),
            };
            return Err(StsError::access_denied(message));
        }
    }
    let Some(role) = role else {
        return Err(StsError::access_denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            call.caller_arn()
        )));
    };

    let max = if chained { CHAINED_MAX } else { i64::from(role.max_session_duration) };
    let duration = duration.unwrap_or(3_600);
    if duration > max {
        return Err(StsError::validation(if chained {
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        } else {
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        }));
    }
    extras.check_packed_size()?;

    let mut tags = extras.tags.clone();
    let mut transitive = extras.transitive_tag_keys.clone();
    for (k, val) in previous_tags {
        tags.insert(k, val);
    }
    transitive.extend(previous_transitive);
    let caller_mfa = match &call.caller {
        Caller::UserSession { mfa_authenticated, .. } => *mfa_authenticated,
        Caller::RoleSession { session, .. } => session.mfa_authenticated,
        _ => false,
    };
    let details = SessionDetails {
        name: session_name.to_owned(),
        policies: extras.policies.clone(),
        tags,
        source_identity: source_identity.map(str::to_owned).or(previous_source),
        mfa_authenticated: mfa || caller_mfa,
        issued_at: Some(call.live.now()),
        transitive_tag_keys: transitive,
        // The keys a service attached to the calling session (an instance's `ec2:` keys) stay
        // with it: a chained session is STS's, not the service's.
        context_keys: Default::default(),
    };
    let account = role.arn.account().to_owned();
    let session_caller = Caller::RoleSession { account, role: role.name.clone(), session: details };
    let lifetime = u64::try_from(duration).unwrap_or(3_600);
    let session = call.live.issue_session(SessionKind::AssumeRole, session_caller, lifetime);
    Ok(role_session_response("AssumeRole", call, &session, &extras, |_| {}))
}

/// The role a `RoleArn` names, if the world has it under exactly that ARN (path included).
pub(super) fn find_role<'m>(call: &Call<'m>, role_arn: &str) -> Option<&'m Role> {
    let arn: crate::Arn = role_arn.parse().ok()?;
    let name = arn.resource().strip_prefix("role/")?.rsplit('/').next()?;
    call.live.model().account(arn.account())?.role(name).filter(|r| r.arn.as_str() == role_arn)
}

/// `aws:RequestTag/KEY` and `aws:TagKeys` for the requested session tags, and
/// `sts:TransitiveTagKeys`.
pub(super) fn add_tag_keys(context: &mut Context, extras: &SessionExtras) {
    for (k, v) in &extras.tags {
        context.set(&format!("aws:RequestTag/{k}"), [v.clone()]);
    }
    if !extras.tags.is_empty() {
        context.set("aws:TagKeys", extras.tags.keys().cloned());
    }
    if !extras.transitive_tag_keys.is_empty() {
        context.set("sts:TransitiveTagKeys", extras.transitive_tag_keys.iter().cloned());
    }
}

/// The `<{Op}Response>` of an operation that issued a role session: `AssumedRoleUser`,
/// `Credentials`, `PackedPolicySize` (when policies or tags were passed), `SourceIdentity`,
/// and what `more` adds (web identity and SAML fields).
pub(super) fn role_session_response(
    operation: &str,
    call: &Call<'_>,
    session: &Session,
    extras: &SessionExtras,
    more: impl FnOnce(&mut XmlWriter),
) -> Vec<u8> {
    let identity = call.live.identity(&session.caller);
    let source_identity = match &session.caller {
        Caller::RoleSession { session, .. } => session.source_identity.clone(),
        _ => None,
    };
    let mut xml = XmlWriter::new();
    xml.element_ns(&[operation, "Response"].concat(), super::NAMESPACE, |x| {
        x.element(&[operation, "Result"].concat(), |x| {
            super::credentials::write(x, &session.credentials);
            if let Some(identity) = &identity {
                x.element("AssumedRoleUser", |x| {
                    x.leaf("AssumedRoleId", &identity.user_id);
                    x.leaf("Arn", &identity.arn);
                });
            }
            if extras.any {
                x.leaf("PackedPolicySize", &extras.packed_percent().to_string());
            }
            x.optional_leaf("SourceIdentity", source_identity.as_deref());
            more(x);
        });
        x.element("ResponseMetadata", |x| x.leaf("RequestId", &call.request_id));
    });
    xml.finish()
}
