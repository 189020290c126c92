//! The fake STS: every operation of the 2011-06-15 API, awsQuery form in, AWS's XML out.
//!
//! A request goes: parameters ([`Params`]) → authentication (SigV4 against the keys and
//! sessions the world knows) → the operation, which validates its parameters as AWS does, asks
//! the world to authorize (never deciding a rule itself), and issues a session → the XML
//! response or `<ErrorResponse>` → one access log entry.
//!
//! Operations and their permissions, from the STS API Reference
//! (<https://docs.aws.amazon.com/STS/latest/APIReference/API_Operations.html>):
//!
//! | operation | signed | permission checked |
//! | --- | --- | --- |
//! | `AssumeRole` | yes | `sts:AssumeRole` on the role (trust policy and caller's policies); `sts:TagSession`, `sts:SetSourceIdentity` when used |
//! | `AssumeRoleWithWebIdentity` | no | `sts:AssumeRoleWithWebIdentity` on the role (trust policy) |
//! | `AssumeRoleWithSAML` | no | `sts:AssumeRoleWithSAML` on the role (trust policy) |
//! | `GetSessionToken` | yes | none ("You cannot use policies to control authentication operations") |
//! | `GetFederationToken` | yes | `sts:GetFederationToken` on `arn:aws:sts::ACCOUNT:federated-user/NAME` |
//! | `GetCallerIdentity` | yes | `sts:GetCallerIdentity`, which needs no permission: allowed whatever the policies say |
//! | `GetAccessKeyInfo` | yes | `sts:GetAccessKeyInfo` |
//! | `DecodeAuthorizationMessage` | yes | `sts:DecodeAuthorizationMessage` |

mod assume_role;
mod authenticate;
mod credentials;
mod error;
mod info;
mod params;
mod policies;
mod saml;
mod tokens;
mod web_identity;

use bytes::Bytes;

pub use error::StsError;
pub use params::Params;
pub use saml::saml_idp;

use crate::live::{Decided, Live, LogEntry};
use crate::model::Caller;
use crate::policy::{Action, Cause, Context, Decision, Resource};
use crate::wire::WireRequest;

/// The XML namespace of every STS response.
pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Whether a request is meant for STS: a form POST or a GET with an `Action` parameter,
/// signed for the `sts` service or unsigned.
///
/// ```
/// use bytes::Bytes;
/// use iamsim::sts::is_sts_request;
/// use iamsim::wire::{Origin, WireRequest};
///
/// let get = |uri: &str| WireRequest::new(http::Request::get(uri).body(Bytes::new()).unwrap(), Origin::loopback());
/// assert!(is_sts_request(&get("http://127.0.0.1:4566/?Action=GetCallerIdentity&Version=2011-06-15")));
/// // A GET of an object is S3's.
/// assert!(!is_sts_request(&get("http://127.0.0.1:4566/photos/a.jpg")));
/// let form = http::Request::post("http://127.0.0.1:4566/")
///     .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
///     .body(Bytes::from_static(b"Action=GetCallerIdentity&Version=2011-06-15"))?;
/// assert!(is_sts_request(&WireRequest::new(form, Origin::loopback())));
/// # Ok::<(), http::Error>(())
/// ```
pub fn is_sts_request(request: &WireRequest) -> bool {
    // A credential scope of the service, in the Authorization header or in a presigned query.
    let signed_for = |in_header: &str, in_query: &str| {
        request.header("authorization").is_some_and(|a| a.contains(in_header)) || request.query().contains(in_query)
    };
    if signed_for("/sts/aws4_request", "%2Fsts%2Faws4_request") {
        return true;
    }
    if request.path() != "/" || signed_for("/s3/aws4_request", "%2Fs3%2Faws4_request") {
        return false;
    }
    let form = request
        .header("content-type")
        .is_some_and(|t| t.get(..33).is_some_and(|p| p.eq_ignore_ascii_case("application/x-www-form-urlencoded")));
    (request.parts.method == http::Method::POST && form) || request.query().starts_with("Action=")
}

/// One STS request in flight: who called, and every decision taken for it.
pub(crate) struct Call<'a> {
    pub(crate) live: &'a Live,
    pub(crate) request: &'a WireRequest,
    pub(crate) params: &'a Params,
    pub(crate) caller: Caller,
    pub(crate) region: String,
    pub(crate) request_id: String,
    pub(crate) authorizations: Vec<Decided>,
}

impl Call<'_> {
    /// Asks the world; records the decision for the access log. An action that needs no
    /// permission ([`permission_not_required`](crate::policy::permission_not_required)) is
    /// allowed without a policy being read, so there is no authorization to record.
    pub(crate) fn authorize(&mut self, action: &str, resource: &str, context: &Context) -> Result<Decision, StsError> {
        let action: Action = action.parse().map_err(|e| StsError::other(500, "InternalFailure", format!("{e}")))?;
        let resource = Resource::parse(resource).map_err(|e| StsError::invalid_parameter(format!("{e}")))?;
        let mut context = context.clone();
        self.add_request_keys(&mut context);
        let decision = self
            .live
            .authorize(&self.caller, &action, &resource, &context)
            .map_err(|_| StsError::invalid_client_token())?;
        if decision.cause() != Cause::NoPermissionRequired {
            self.authorizations.push(Decided { decision: decision.clone(), context });
        }
        Ok(decision)
    }

    /// The keys every request carries: where it came from and the region it was sent to.
    fn add_request_keys(&self, context: &mut Context) {
        self.request.origin.add_context_keys(context);
        context.set("aws:RequestedRegion", [self.region.clone()]);
    }

    /// The caller's ARN as AWS's messages name it.
    pub(crate) fn caller_arn(&self) -> String {
        self.live.caller_arn(&self.caller)
    }
}

/// Serves one STS request and logs it.
///
/// ```
/// use bytes::Bytes;
/// use iamsim::wire::{Origin, WireRequest};
///
/// let world = iamsim::World::from_yaml("accounts: { \"111111111111\": {} }")?.without_recording();
/// let unsigned = http::Request::get("http://127.0.0.1:4566/?Action=GetCallerIdentity&Version=2011-06-15").body(Bytes::new())?;
/// let response = iamsim::sts::handle(world.live(), &WireRequest::new(unsigned, Origin::loopback()));
/// // STS refuses an unsigned request, and the access log shows it.
/// assert_eq!(response.status().as_u16(), 403);
/// assert!(std::str::from_utf8(response.body())?.contains("<Code>MissingAuthenticationToken</Code>"));
/// assert_eq!(world.access_log().last().map(|e| e.operation.as_str()), Some("GetCallerIdentity"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn handle(live: &Live, request: &WireRequest) -> http::Response<Bytes> {
    let n = live.next_request();
    let request_id = live.request_id(n);
    let params = Params::from_request(request).unwrap_or_default();
    let operation = params.get("Action").unwrap_or_default();
    let mut entry = LogEntry {
        request: n,
        time: crate::clock::format_rfc3339(live.now()),
        service: "sts".to_owned(),
        operation: operation.to_owned(),
        caller: None,
        access_key_id: None,
        authorizations: Vec::new(),
        status: 200,
        error: None,
    };
    let mut decided = Vec::new();
    let outcome = serve(live, request, &params, operation, &request_id, &mut entry, &mut decided);
    let (status, body) = match outcome {
        Ok(body) => (200, body),
        Err(e) => {
            entry.status = e.status;
            entry.error = Some(e.code.to_owned());
            (e.status, e.to_xml(&request_id))
        }
    };
    live.log_decided(entry, decided);
    let mut response = http::Response::new(Bytes::from(body));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/xml"));
    if let Ok(id) = http::HeaderValue::from_str(&request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    response
}

fn serve(
    live: &Live,
    request: &WireRequest,
    params: &Params,
    operation: &str,
    request_id: &str,
    entry: &mut LogEntry,
    decided: &mut Vec<Decided>,
) -> Result<Vec<u8>, StsError> {
    const KNOWN: [&str; 8] = [
        "AssumeRole",
        "AssumeRoleWithWebIdentity",
        "AssumeRoleWithSAML",
        "GetSessionToken",
        "GetFederationToken",
        "GetCallerIdentity",
        "GetAccessKeyInfo",
        "DecodeAuthorizationMessage",
    ];
    let anonymous_allowed = matches!(operation, "AssumeRoleWithWebIdentity" | "AssumeRoleWithSAML");
    let authenticated = authenticate::authenticate(live, request, anonymous_allowed)?;
    entry.access_key_id = authenticated.key.as_ref().map(|k| k.access_key_id.clone());
    entry.caller = Some(live.caller_arn(&authenticated.caller));
    if !KNOWN.contains(&operation) {
        return Err(StsError::invalid_action(operation));
    }
    let mut call = Call {
        live,
        request,
        params,
        caller: authenticated.caller,
        region: authenticated.region,
        request_id: request_id.to_owned(),
        authorizations: Vec::new(),
    };
    let result = match operation {
        "AssumeRole" => assume_role::assume_role(&mut call),
        "AssumeRoleWithWebIdentity" => web_identity::assume_role_with_web_identity(&mut call),
        "AssumeRoleWithSAML" => saml::assume_role_with_saml(&mut call),
        "GetSessionToken" => tokens::get_session_token(&mut call),
        "GetFederationToken" => tokens::get_federation_token(&mut call),
        "GetCallerIdentity" => info::get_caller_identity(&mut call),
        "GetAccessKeyInfo" => info::get_access_key_info(&mut call),
        "DecodeAuthorizationMessage" => info::decode_authorization_message(&mut call),
        _ => Err(StsError::invalid_action(operation)),
    };
    *decided = std::mem::take(&mut call.authorizations);
    result
}
