//! The STS tamper matrix: a real aws-sdk-sts request, captured, then replayed into the world with
//! one signed part changed at a time. Each change must be refused with AWS's code; the untouched
//! replay must pass.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use iamsim::World;
use iamsim::wire::{Origin, WireRequest};

/// Records the request and answers a canned GetCallerIdentity.
#[derive(Clone, Debug, Default)]
struct Capture(Arc<Mutex<Option<http::Request<Bytes>>>>);

impl HttpClient for Capture {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for Capture {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let body = Bytes::copy_from_slice(request.body().bytes().unwrap());
        let (parts, _) = request.try_into_http1x().unwrap().into_parts();
        *self.0.lock().unwrap() = Some(http::Request::from_parts(parts, body));
        HttpConnectorFuture::ready(Ok(HttpResponse::new(
            StatusCode::try_from(200).unwrap(),
            SdkBody::from("<AssumeRoleResponse><AssumeRoleResult></AssumeRoleResult></AssumeRoleResponse>"),
        )))
    }
}

/// A signed AssumeRole of a role session (so the request carries a session token), captured.
async fn captured(world: &World) -> http::Request<Bytes> {
    let capture = Capture::default();
    let session = world.role_session_credentials("111111111111", "ops", "tamper");
    let config = world.sdk_config(session);
    let config =
        aws_sdk_sts::config::Builder::from(&config).http_client(SharedHttpClient::new(capture.clone())).build();
    aws_sdk_sts::Client::from_conf(config)
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/deployer")
        .role_session_name("tampered")
        .send()
        .await
        .unwrap();
    capture.0.lock().unwrap().take().unwrap()
}

fn replay(world: &World, request: &http::Request<Bytes>) -> (u16, String) {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    let response = iamsim::transport::route(world.live(), &WireRequest::new(copy, Origin::in_process()));
    let body = String::from_utf8_lossy(response.body()).into_owned();
    let code = body.split("<Code>").nth(1).and_then(|s| s.split("</Code>").next()).unwrap_or("").to_owned();
    (response.status().as_u16(), code)
}

fn with_header(request: &http::Request<Bytes>, name: &str, value: &str) -> http::Request<Bytes> {
    let mut changed = request.clone();
    changed.headers_mut().insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
    changed
}

#[tokio::test]
async fn every_signed_part_of_an_sts_request_is_checked() {
    let world = World::from_fixture("examples/fixtures/trust-policies.yaml").unwrap();
    let original = captured(&world).await;
    // The untouched request passes (ops may not chain into deployer, so AccessDenied is the
    // authorized answer, not an authentication failure).
    assert_eq!(replay(&world, &original), (403, "AccessDenied".to_owned()));

    let signed: Vec<String> = original
        .headers()
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap()
        .split("SignedHeaders=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .split(';')
        .map(str::to_owned)
        .collect();
    assert!(signed.contains(&"x-amz-security-token".to_owned()), "{signed:?}");

    let mismatch = (403, "SignatureDoesNotMatch".to_owned());
    let mut cases: Vec<(String, http::Request<Bytes>, (u16, String))> = Vec::new();
    let mut method = original.clone();
    *method.method_mut() = http::Method::PUT;
    cases.push(("method".into(), method, mismatch.clone()));
    let mut path = original.clone();
    *path.uri_mut() = "https://iamsim.test/x".parse().unwrap();
    cases.push(("path".into(), path, mismatch.clone()));
    let mut query = original.clone();
    *query.uri_mut() = "https://iamsim.test/?Action=GetCallerIdentity".parse().unwrap();
    cases.push(("query".into(), query, mismatch.clone()));
    let mut body = original.clone();
    *body.body_mut() = Bytes::from(String::from_utf8_lossy(original.body()).replace("tampered", "tampereD"));
    cases.push(("body".into(), body, mismatch.clone()));
    for name in &signed {
        let expected = match name.as_str() {
            // A token the world never issued: the key's session is not this one.
            "x-amz-security-token" => (403, "InvalidClientTokenId".to_owned()),
            _ => mismatch.clone(),
        };
        let current = original.headers().get(name.as_str()).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let changed = match name.as_str() {
            "x-amz-date" => current.replace("T000", "T001"),
            "content-length" => (current.parse::<u64>().unwrap() + 1).to_string(),
            "host" => "elsewhere.test".to_owned(),
            _ => format!("{current}x"),
        };
        cases.push((format!("header {name}"), with_header(&original, name, &changed), expected));
    }
    let authorization = original.headers().get("authorization").unwrap().to_str().unwrap();
    let last = authorization.chars().last().unwrap();
    let flipped = format!("{}{}", &authorization[..authorization.len() - 1], if last == '0' { '1' } else { '0' });
    cases.push(("signature".into(), with_header(&original, "authorization", &flipped), mismatch.clone()));
    let mut unsigned = original.clone();
    unsigned.headers_mut().remove("authorization");
    cases.push(("no signature".into(), unsigned, (403, "MissingAuthenticationToken".to_owned())));

    for (what, request, expected) in &cases {
        assert_eq!(&replay(&world, request), expected, "changing the {what}");
    }

    // Sixteen minutes later the same request is outside the allowed clock skew.
    world.clock().advance(Duration::from_secs(16 * 60));
    assert_eq!(replay(&world, &original), mismatch, "a request signed more than 15 minutes ago");
}
