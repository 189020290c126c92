//! Credential endpoints of containers: the ECS agent, which hands each task its task role's
//! credentials, and the EKS Pod Identity agent, which exchanges a pod's service-account token for
//! its association's role credentials. Both deliver real sessions of the world's STS, assumed by
//! the service principal the role's trust policy must allow, rotated before they expire.
//!
//! The SDKs find them through `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (always
//! `http://169.254.170.2` + the relative URI) or `AWS_CONTAINER_CREDENTIALS_FULL_URI` with
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)`. In-process, the router sends requests for
//! [`ECS_HOST`] and [`POD_IDENTITY_HOST`] here; over loopback, one server per world answers both
//! by path (`World::serve_container_credentials`).
//!
//! Sources: Amazon ECS Developer Guide, "IAM roles for tasks" (the relative URI, the response,
//! the six-hour lifetime, the `ecs-tasks.amazonaws.com` trust); the ECS agent's credentials
//! handler (`aws/amazon-ecs-agent`, `agent/handlers/v1/credentials_handler.go`: error codes and
//! wording); Amazon EKS User Guide, "Understand how EKS Pod Identity works" (the environment a
//! pod gets), "Create IAM role with trust policy required by EKS Pod Identity" and "Grant Pods
//! access to AWS resources based on tags" (the `pods.eks.amazonaws.com` trust, the six transitive
//! session tags); the Pod Identity agent (`aws/eks-pod-identity-agent`,
//! `pkg/handlers/eks_credential_handler.go`, `internal/validation/request.go`,
//! `pkg/errors/errors.go`: its path, token checks and error text).
//!
//! ```
//! use bytes::Bytes;
//! use iamsim::wire::{Origin, WireRequest};
//! let world = iamsim::World::from_yaml(r#"
//! accounts:
//!   "111111111111":
//!     roles:
//!       api: { trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ecs-tasks.amazonaws.com }, Action: sts:AssumeRole }] } }
//! tasks:
//!   api: { account: "111111111111", role: api }
//! "#)?;
//! let task = world.model().task("api").unwrap();
//! let get = http::Request::get(format!("http://169.254.170.2/v2/credentials/{}", task.credentials_id)).body(Bytes::new())?;
//! let response = iamsim::containers::answer(world.live(), &WireRequest::new(get, Origin::in_process())).unwrap();
//! let json: serde_json::Value = serde_json::from_slice(response.body())?;
//! assert_eq!(json["RoleArn"], "arn:aws:iam::111111111111:role/api");
//! assert!(json["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod ecs;
mod pod_identity;

use bytes::Bytes;

use crate::live::{Authorization, Live, LogEntry};
use crate::policy::{Action, Context, Decision, Resource};
use crate::wire::WireRequest;

pub use pod_identity::{POD_IDENTITY_AUDIENCE, pod_identity_token};

/// The address the ECS agent answers at, and the base of `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
pub const ECS_HOST: &str = "169.254.170.2";

/// The IPv4 address of the EKS Pod Identity agent.
pub const POD_IDENTITY_HOST: &str = "169.254.170.23";

/// The IPv6 address of the EKS Pod Identity agent.
pub const POD_IDENTITY_HOST_V6: &str = "[fd00:ec2::23]";

/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` of a pod with a Pod Identity association.
pub const POD_IDENTITY_URI: &str = "http://169.254.170.23/v1/credentials";

/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` of a pod with a Pod Identity association.
pub const POD_IDENTITY_TOKEN_FILE: &str =
    "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token";

/// `AWS_WEB_IDENTITY_TOKEN_FILE` of a pod whose service account names a role (IRSA).
pub const IRSA_TOKEN_FILE: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

/// How long delivered container credentials last: "The default expiration time for the generated
/// IAM role credentials is 6 hours" (ECS). EKS does not document it; iamsim uses the same.
pub(crate) const CREDENTIALS_LIFETIME: u64 = 21_600;

/// The host of a request without its port.
fn bare_host(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(h, _)| h)
}

/// Answers a request addressed to the ECS agent's or the Pod Identity agent's address.
///
/// ```
/// use bytes::Bytes;
/// use iamsim::wire::{Origin, WireRequest};
///
/// let world = iamsim::World::from_yaml(r#"
/// accounts:
///   "111111111111":
///     roles:
///       api:
///         trust: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: ecs-tasks.amazonaws.com }, Action: sts:AssumeRole }] }
/// tasks:
///   api: { account: "111111111111", role: api }
/// "#)?.without_recording();
/// let id = &world.model().task("api").unwrap().credentials_id;
/// let get = http::Request::get(format!("http://169.254.170.2/v2/credentials/{id}")).body(Bytes::new())?;
/// let response = iamsim::containers::answer(world.live(), &WireRequest::new(get, Origin::loopback())).expect("the ECS agent's host");
/// assert_eq!(response.status().as_u16(), 200);
/// assert!(std::str::from_utf8(response.body())?.contains("\"AccessKeyId\":\"ASIA"));
/// // Any other host is not the agents'.
/// let other = http::Request::get("http://127.0.0.1/v2/credentials/x").body(Bytes::new())?;
/// assert!(iamsim::containers::answer(world.live(), &WireRequest::new(other, Origin::loopback())).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn answer(live: &Live, request: &WireRequest) -> Option<http::Response<Bytes>> {
    match bare_host(request.host()) {
        ECS_HOST => Some(ecs::handle(live, request)),
        POD_IDENTITY_HOST | POD_IDENTITY_HOST_V6 => Some(pod_identity::handle(live, request)),
        _ => None,
    }
}

/// Answers a request to the loopback stand-in of both agents: `/v1/credentials` without an `id`
/// parameter is the Pod Identity agent's, the rest the ECS agent's.
///
/// ```
/// use bytes::Bytes;
/// use iamsim::wire::{Origin, WireRequest};
/// let world = iamsim::World::from_yaml("accounts: { \"111111111111\": {} }")?;
/// let pod_identity = http::Request::get("http://127.0.0.1:8080/v1/credentials").body(Bytes::new())?;
/// let response = iamsim::containers::handle(world.live(), &WireRequest::new(pod_identity, Origin::loopback()));
/// assert_eq!((response.status().as_u16(), response.body().as_ref()), (400, &b"Service account token cannot be empty\n"[..]));
/// let ecs = http::Request::get("http://127.0.0.1:8080/v2/credentials/unknown").body(Bytes::new())?;
/// let response = iamsim::containers::handle(world.live(), &WireRequest::new(ecs, Origin::loopback()));
/// assert_eq!(response.body().as_ref(), br#"{"code":"InvalidIdInRequest","message":"CredentialsV2Request: ID not found"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn handle(live: &Live, request: &WireRequest) -> http::Response<Bytes> {
    let pod_identity = request.path() == "/v1/credentials" && !request.query().split('&').any(|p| p.starts_with("id="));
    if pod_identity { pod_identity::handle(live, request) } else { ecs::handle(live, request) }
}

/// A response and what the access log keeps of it.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Bytes,
    pub(crate) content_type: &'static str,
    pub(crate) caller: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) authorizations: Vec<Authorization>,
}

/// Numbers, logs and writes one reply.
pub(crate) fn respond(
    live: &Live,
    n: u64,
    service: &str,
    operation: &str,
    reply: Reply,
    head: bool,
) -> http::Response<Bytes> {
    live.log(LogEntry {
        request: n,
        time: crate::clock::format_rfc3339(live.now()),
        service: service.to_owned(),
        operation: operation.to_owned(),
        caller: reply.caller,
        access_key_id: None,
        authorizations: reply.authorizations,
        status: reply.status,
        error: reply.error,
    });
    let body = if head { Bytes::new() } else { reply.body };
    let mut response = http::Response::new(body);
    *response.status_mut() =
        http::StatusCode::from_u16(reply.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static(reply.content_type));
    response
}

/// Asks a role's trust policy whether `service` may do `action` on it, with `context`.
pub(crate) fn trust(live: &Live, service: &str, action: &str, role_arn: &str, context: &Context) -> Option<Decision> {
    let action: Action = action.parse().ok()?;
    let resource = Resource::parse(role_arn).ok()?;
    let caller = crate::model::Caller::Service { name: service.to_owned() };
    live.authorize(&caller, &action, &resource, context).ok()
}

#[cfg(test)]
mod tests {
    use super::bare_host;

    #[test]
    fn hosts_lose_their_port_but_not_their_brackets() {
        assert_eq!(bare_host("169.254.170.2"), "169.254.170.2");
        assert_eq!(bare_host("169.254.170.2:80"), "169.254.170.2");
        assert_eq!(bare_host("[fd00:ec2::23]:80"), "[fd00:ec2::23]");
        assert_eq!(bare_host("[fd00:ec2::23]"), "[fd00:ec2::23]");
    }
}
