//! One request through the guard: who signed it (the world's keys and sessions, on the world's
//! clock), which action on which resource it asks for, the world's decision, and one access log
//! entry — as the fakes of STS and S3 do it.

use std::sync::Arc;

use super::read::{self, Params};
use super::refusal::Refusal;
use super::{Config, GuardRequest, Protocol, resources};
use crate::auth::{self, CanonicalUri, SignedRequest};
use crate::live::{Authorization, Live, LogEntry, SigningKey};
use crate::policy::{Action, Context, Decision, Resource};
use crate::wire::Origin;

/// JSON services that used to speak awsQuery and still send the query error code in
/// `x-amzn-query-error` (the `awsQueryCompatible` trait of their Smithy model).
const QUERY_COMPATIBLE: [&str; 1] = ["sqs"];

/// What the guard decided for one request.
#[derive(Debug)]
pub(crate) struct Verdict {
    pub(crate) request_id: String,
    pub(crate) protocol: Protocol,
    pub(crate) query_compatible: bool,
    /// `None`: allowed.
    pub(crate) refusal: Option<Refusal>,
}

/// The request as parts, its path and query as wiremock's URL has them.
fn parts_of(request: &wiremock::Request) -> http::request::Parts {
    let url = &request.url;
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let mut built = http::Request::new(());
    *built.method_mut() = request.method.clone();
    *built.uri_mut() = target.parse().unwrap_or_default();
    *built.headers_mut() = request.headers.clone();
    built.into_parts().0
}

/// Decides a request and logs it. Called once per request (see the guard's cache).
pub(crate) fn check(live: &Live, config: &Config, request: &wiremock::Request) -> Arc<Verdict> {
    let n = live.next_request();
    let request_id = live.request_id(n);
    let parts = parts_of(request);
    let mut entry = LogEntry {
        request: n,
        time: crate::clock::format_rfc3339(live.now()),
        service: "unknown".to_owned(),
        operation: format!("{} {}", request.method, request.url.path()),
        caller: None,
        access_key_id: None,
        authorizations: Vec::new(),
        status: 200,
        error: None,
    };
    let read = read::read(&parts.headers, request.url.query(), &request.body);
    let route = match read {
        Some(_) => None,
        None => config.routes.iter().find_map(|r| r.matches(request.method.as_str(), request.url.path())),
    };
    let protocol = match (&read, &route) {
        (Some((protocol, ..)), _) => *protocol,
        (None, Some(m)) => m.route().protocol(),
        (None, None) => config.rest_protocol,
    };
    if let Some((_, operation, _)) = &read {
        operation.clone_into(&mut entry.operation);
    }
    if let Some(m) = &route {
        let action = m.route().action();
        entry.operation = action.split_once(':').map_or(action, |(_, name)| name).to_owned();
        entry.service = action.split_once(':').map_or("unknown", |(service, _)| service).to_owned();
    }
    let outcome = decide(live, config, request, &parts, read, route.as_ref(), &mut entry);
    let query_compatible = QUERY_COMPATIBLE.contains(&entry.service.as_str());
    let refusal = outcome.err();
    if let Some(refusal) = &refusal {
        let answer = refusal.answer(protocol, query_compatible, &request_id);
        entry.status = answer.status;
        entry.error = Some(answer.code);
    }
    live.log(entry);
    Arc::new(Verdict { request_id, protocol, query_compatible, refusal })
}

fn decide(
    live: &Live,
    config: &Config,
    request: &wiremock::Request,
    parts: &http::request::Parts,
    read: Option<(Protocol, String, Params)>,
    route: Option<&super::routes::RouteMatch<'_>>,
    entry: &mut LogEntry,
) -> Result<(), Refusal> {
    let signed = auth::parse(parts).map_err(Refusal::Signature)?.ok_or(Refusal::MissingAuthentication)?;
    if route.is_none() {
        signed.scope.service.clone_into(&mut entry.service);
    }
    let key = authenticate(live, &signed, parts, &request.body)?;
    entry.caller = Some(live.caller_arn(&key.caller));
    entry.access_key_id = Some(key.access_key_id.clone());

    let region = signed.scope.region.clone();
    let account = key.caller.account().map(str::to_owned);
    let (action, resource) = match (read, route) {
        (Some((protocol, operation, params)), _) => {
            let guarded = GuardRequest {
                service: signed.scope.service.clone(),
                operation,
                region: region.clone(),
                account,
                protocol,
                params,
            };
            let action = format!("{}:{}", iam_prefix(&guarded.service), guarded.operation);
            let resource = config
                .resource
                .as_ref()
                .and_then(|f| f(&guarded))
                .or_else(|| resources::default_resource(&guarded))
                .unwrap_or_else(|| "*".to_owned());
            (action, resource)
        }
        (None, Some(m)) => (m.route().action().to_owned(), m.resource(&region, account.as_deref().unwrap_or_default())),
        (None, None) => {
            return Err(Refusal::UnknownOperation(format!(
                "no route of the guard matches {} {}",
                request.method,
                request.url.path()
            )));
        }
    };
    let action = Action::new(&action).map_err(|_| Refusal::UnknownOperation(format!("`{action}` is not an action")))?;
    let resource = Resource::parse(&resource)
        .map_err(|e| Refusal::Internal(format!("the guard's resource `{resource}` is not an ARN: {e}")))?;
    let mut context = Context::new();
    // wiremock listens on loopback over plain HTTP; the region is the signature's.
    Origin::loopback().add_context_keys(&mut context);
    context.set("aws:RequestedRegion", [region]);
    let decision =
        live.authorize(&key.caller, &action, &resource, &context).map_err(|e| Refusal::Internal(e.to_string()))?;
    entry.authorizations.push(Authorization::from_context(&decision, context));
    if decision.is_allowed() { Ok(()) } else { Err(Refusal::AccessDenied(denial_message(&entry.service, &decision))) }
}

/// The signing key of the request, checked as STS checks it: known and active, the session
/// token the one issued with the key, the signature right, the date within 15 minutes of the
/// world's clock, the credentials not expired.
fn authenticate(
    live: &Live,
    signed: &SignedRequest,
    parts: &http::request::Parts,
    body: &[u8],
) -> Result<SigningKey, Refusal> {
    let key = live.signing_key(&signed.access_key_id).filter(|k| k.active).ok_or(Refusal::InvalidClientTokenId)?;
    if key.session_token.as_deref() != signed.security_token.as_deref() {
        return Err(Refusal::InvalidClientTokenId);
    }
    auth::verify_with(signed, parts, body, &key.secret, CanonicalUri::Standard, live.signing_keys())
        .map_err(Refusal::Signature)?;
    auth::check_time(signed, live.now()).map_err(Refusal::Signature)?;
    if key.expires.is_some_and(|expires| expires <= live.now()) {
        return Err(Refusal::ExpiredToken);
    }
    Ok(key)
}

/// The IAM service prefix of a signing name, where the two differ.
fn iam_prefix(signing_name: &str) -> &str {
    match signing_name {
        "monitoring" => "cloudwatch",
        "email" => "ses",
        other => other,
    }
}

/// AWS's AccessDenied message. SQS writes the action in lower case ("is not authorized to
/// perform: sqs:sendmessage on resource: arn:aws:sqs:… because no identity-based policy allows
/// the sqs:sendmessage action", <https://github.com/aws/serverless-application-model/issues/3633>,
/// <https://github.com/microsoft/aspire/pull/3333>).
fn denial_message(service: &str, decision: &Decision) -> String {
    let message = decision.to_string();
    if service != "sqs" {
        return message;
    }
    let action = decision.action().as_str();
    match message.contains(action) {
        true => message.replace(action, &action.to_ascii_lowercase()),
        false => message,
    }
}
