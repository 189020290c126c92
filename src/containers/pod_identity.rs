//! The EKS Pod Identity agent: `GET /v1/credentials` with the pod's service-account token in
//! `Authorization`, answered with the credentials of the service account's association — what
//! the agent gets from EKS Auth's `AssumeRoleForPodIdentity`, which assumes the role as
//! `pods.eks.amazonaws.com` with six transitive session tags.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde_json::{Value, json};

use super::{CREDENTIALS_LIFETIME, Reply, respond, trust};
use crate::idp::{OidcIssuer, TokenClaims, TokenError, unverified_issuer};
use crate::live::{Authorization, Delivered, Live, Mint, SessionKind};
use crate::model::{Caller, EksCluster, Pod, SessionDetails};
use crate::policy::Context;
use crate::wire::WireRequest;

/// The audience of the token Kubernetes projects for Pod Identity.
pub const POD_IDENTITY_AUDIENCE: &str = "pods.eks.amazonaws.com";

/// The service principal that assumes Pod Identity roles.
pub(crate) const PODS_SERVICE: &str = "pods.eks.amazonaws.com";

/// The claims of a pod's projected service-account token: `sub`
/// `system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT`, the `kubernetes.io` claim naming the pod,
/// valid 24 hours (`expirationSeconds: 86400` in the pod's projected volume, EKS User Guide,
/// "Understand how EKS Pod Identity works"). `audience` is [`POD_IDENTITY_AUDIENCE`] for Pod
/// Identity, `sts.amazonaws.com` for IRSA.
///
/// ```
/// use std::time::UNIX_EPOCH;
/// let pod = iamsim::model::Pod {
///     name: "uploader-0".into(), cluster: "prod".into(), namespace: "media".into(),
///     service_account: "uploader".into(), uid: "1b4e28ba-2fa1-11d2-883f-0016d3cca427".into(),
///     pod_identity_role: None, irsa_role: None,
/// };
/// let claims = iamsim::containers::pod_identity_token(&pod, iamsim::containers::POD_IDENTITY_AUDIENCE, UNIX_EPOCH);
/// assert_eq!(claims.subject, "system:serviceaccount:media:uploader");
/// assert_eq!(claims.extra["kubernetes.io"]["pod"]["name"], "uploader-0");
/// ```
pub fn pod_identity_token(pod: &Pod, audience: &str, issued_at: SystemTime) -> TokenClaims {
    TokenClaims::new(
        &format!("system:serviceaccount:{}:{}", pod.namespace, pod.service_account),
        [audience],
        issued_at,
        Duration::from_secs(86_400),
    )
    .with_claim(
        "kubernetes.io",
        json!({
            "namespace": pod.namespace,
            "pod": {"name": pod.name, "uid": pod.uid},
            "serviceaccount": {"name": pod.service_account},
        }),
    )
}

/// The agent's own refusals: `http.Error` text with a line feed.
fn agent_error(status: u16, message: String) -> Reply {
    Reply {
        status,
        body: Bytes::from(format!("{message}\n")),
        content_type: "text/plain; charset=utf-8",
        caller: None,
        error: Some(if status == 404 { "NotFound" } else { "RequestValidationError" }.to_owned()),
        authorizations: Vec::new(),
    }
}

/// An error of EKS Auth, as the agent relays it: `[REQUEST_ID]: (CODE): MESSAGE, fault: client`
/// with EKS Auth's status (`pkg/errors/errors.go`).
fn eks_auth_error(live: &Live, n: u64, status: u16, code: &str, message: &str) -> Reply {
    Reply {
        status,
        body: Bytes::from(format!("[{}]: ({code}): {message}, fault: client\n", live.request_id(n))),
        content_type: "text/plain; charset=utf-8",
        caller: None,
        error: Some(code.to_owned()),
        authorizations: Vec::new(),
    }
}

pub(super) fn handle(live: &Live, request: &WireRequest) -> http::Response<Bytes> {
    let n = live.next_request();
    let head = request.parts.method == http::Method::HEAD;
    let reply = if request.path() != "/v1/credentials" {
        agent_error(404, "404 page not found".to_owned())
    } else {
        credentials(live, n, request.header("authorization").unwrap_or_default())
    };
    respond(live, n, "eks-auth", "AssumeRoleForPodIdentity", reply, head)
}

fn str_claim<'a>(claims: &'a serde_json::Map<String, Value>, path: &[&str]) -> Option<&'a str> {
    let (first, rest) = path.split_first()?;
    let mut value = claims.get(*first)?;
    for key in rest {
        value = value.get(*key)?;
    }
    value.as_str()
}

fn credentials(live: &Live, n: u64, token: &str) -> Reply {
    // The agent checks only that the token is there and parses (`internal/validation/request.go`);
    // EKS Auth verifies it.
    if token.is_empty() {
        return agent_error(400, "Service account token cannot be empty".to_owned());
    }
    let issuer = match unverified_issuer(token) {
        Ok(issuer) => issuer,
        Err(e) => return agent_error(400, format!("Service account token cannot be parsed: {e}")),
    };
    let model = live.model();
    let Some(cluster) = model.eks_clusters().find(|c| issuer.trim_start_matches("https://") == c.oidc_issuer) else {
        return eks_auth_error(
            live,
            n,
            400,
            "InvalidTokenException",
            "The service account token was not issued by a cluster of this account",
        );
    };
    let verified = match OidcIssuer::new(&cluster.oidc_issuer, model.seed()).verify(
        token,
        &[POD_IDENTITY_AUDIENCE.to_owned()],
        live.now(),
    ) {
        Ok(v) => v,
        Err(e @ TokenError::Expired { .. }) => {
            return eks_auth_error(live, n, 400, "ExpiredTokenException", &e.to_string());
        }
        Err(e) => return eks_auth_error(live, n, 400, "InvalidTokenException", &e.to_string()),
    };
    let claims = &verified.claims;
    let (Some(namespace), Some(service_account), Some(pod_name), Some(pod_uid)) = (
        str_claim(claims, &["kubernetes.io", "namespace"]),
        str_claim(claims, &["kubernetes.io", "serviceaccount", "name"]),
        str_claim(claims, &["kubernetes.io", "pod", "name"]),
        str_claim(claims, &["kubernetes.io", "pod", "uid"]),
    ) else {
        return eks_auth_error(
            live,
            n,
            400,
            "InvalidTokenException",
            "The service account token does not name its namespace, service account and pod",
        );
    };
    let subject = format!("system:serviceaccount:{namespace}:{service_account}");
    // An association is per cluster, namespace and service account.
    let association = model.pods().find(|p| {
        p.cluster == cluster.name
            && p.namespace == namespace
            && p.service_account == service_account
            && p.pod_identity_role.is_some()
    });
    let Some(role) =
        association.and_then(|p| model.account(cluster.account.as_str())?.role(p.pod_identity_role.as_deref()?))
    else {
        let mut reply = eks_auth_error(
            live,
            n,
            404,
            "ResourceNotFoundException",
            &format!(
                "No Pod Identity Association found for service account {service_account} in namespace {namespace} of cluster {}",
                cluster.name
            ),
        );
        reply.caller = Some(subject);
        return reply;
    };
    let mut reply = assume(live, n, cluster, role, [namespace, service_account, pod_name, pod_uid]);
    reply.caller = Some(subject);
    reply
}

/// The role session name: `eks-CLUSTER-POD` cut to 25 characters, `-` and a UUID, as seen in
/// `GetCallerIdentity` of Pod Identity credentials
/// (`eks-k8s-wl-dev-engine-boo-5af5e7ac-5754-49ea-b28f-2c2a2eb95fbb`,
/// <https://github.com/aws/containers-roadmap/issues/2362>); AWS does not document the rule.
fn session_name(live: &Live, cluster: &str, pod: &str, pod_uid: &str) -> String {
    let prefix: String = format!("eks-{cluster}-{pod}").chars().take(25).collect();
    let at = live.now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("{prefix}-{}", live.model().ids().uuid("pod-identity-session", &format!("{pod_uid}/{at}")))
}

fn assume(live: &Live, n: u64, cluster: &EksCluster, role: &crate::model::Role, names: [&str; 4]) -> Reply {
    let [namespace, service_account, pod_name, pod_uid] = names;
    let role_arn = role.arn.to_string();
    let tags = [
        ("eks-cluster-arn", cluster.arn.as_str()),
        ("eks-cluster-name", cluster.name.as_str()),
        ("kubernetes-namespace", namespace),
        ("kubernetes-service-account", service_account),
        ("kubernetes-pod-name", pod_name),
        ("kubernetes-pod-uid", pod_uid),
    ];
    let mut context = Context::new();
    for (k, v) in tags {
        context.set(&format!("aws:RequestTag/{k}"), [v.to_owned()]);
    }
    context.set("aws:TagKeys", tags.iter().map(|(k, _)| (*k).to_owned()));
    context.set("sts:TransitiveTagKeys", tags.iter().map(|(k, _)| (*k).to_owned()));
    // EKS passes the cluster as the source of the request, and its organization (EKS Best
    // Practices Guide, "Identity and Access Management": `aws:SourceOrgId`, `aws:SourceArn`,
    // `aws:SourceAccount` in Pod Identity trust policies).
    context.set("aws:SourceAccount", [cluster.account.as_str().to_owned()]);
    context.set("aws:SourceArn", [cluster.arn.clone()]);
    if let Some(org) = live.model().organization().filter(|o| o.contains(&cluster.account)) {
        context.set("aws:SourceOrgID", [org.id.clone()]);
    }
    let mut authorizations = Vec::new();
    let holder = format!("eks/{}/{namespace}/{pod_name}/{pod_uid}", cluster.name);
    let delivered = live.delivered_credentials(&holder, || {
        // "sts:AssumeRole … sts:TagSession": the trust policy must allow both.
        for action in ["sts:AssumeRole", "sts:TagSession"] {
            let decision = trust(live, PODS_SERVICE, action, &role_arn, &context).ok_or_else(String::new)?;
            authorizations.push(Authorization::new(&decision, &context));
            if !decision.is_allowed() {
                return Err(decision.to_string());
            }
        }
        let session = SessionDetails {
            name: session_name(live, &cluster.name, pod_name, pod_uid),
            tags: tags.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            transitive_tag_keys: tags.iter().map(|(k, _)| (*k).to_owned()).collect(),
            issued_at: Some(live.now()),
            ..SessionDetails::default()
        };
        let caller =
            Caller::RoleSession { account: cluster.account.as_str().to_owned(), role: role.name.clone(), session };
        Ok(Mint { kind: SessionKind::AssumeRole, caller, lifetime_secs: CREDENTIALS_LIFETIME })
    });
    let mut reply = match delivered {
        Ok(delivered) => {
            let body = delivered.document(|d: &Delivered| {
                let c = &d.session.credentials;
                let json = json!({
                    "AccessKeyId": c.access_key_id,
                    "SecretAccessKey": c.secret_access_key,
                    "Token": c.session_token,
                    "AccountId": cluster.account.as_str(),
                    "Expiration": crate::clock::format_rfc3339(c.expiration),
                });
                Bytes::from(json.to_string())
            });
            Reply {
                status: 200,
                body,
                content_type: "application/json",
                caller: None,
                error: None,
                authorizations: Vec::new(),
            }
        }
        // EKS Auth's words for this refusal are not documented: the decision explains it.
        Err(why) => {
            eks_auth_error(live, n, 400, "AccessDeniedException", &format!("Unable to assume role {role_arn}: {why}"))
        }
    };
    reply.authorizations = authorizations;
    reply
}
