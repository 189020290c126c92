//! The world's clock as the SDK's time source: a real aws-sdk-sts client signs with the world's
//! time, so signed requests and the fakes agree on it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use iamsim::World;

/// Records the `x-amz-date` of each request and answers GetCallerIdentity.
#[derive(Clone, Debug, Default)]
struct Recorder {
    dates: Arc<Mutex<Vec<String>>>,
}

impl HttpConnector for Recorder {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let date = request.headers().get("x-amz-date").unwrap_or_default().to_owned();
        self.dates.lock().unwrap().push(date);
        let body = "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/alice</Arn>\
            <UserId>AIDAEXAMPLE</UserId><Account>111111111111</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
        HttpConnectorFuture::ready(Ok(HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::from(body))))
    }
}

impl HttpClient for Recorder {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

#[tokio::test]
async fn a_real_sts_client_signs_with_the_worlds_clock() {
    let world = World::builder()
        .clock("2026-11-24T12:00:00Z")
        .account("111111111111", |a| a.user("alice", |u| u))
        .build()
        .unwrap();
    let key = world.model().account("111111111111").unwrap().user("alice").unwrap().access_keys[0].clone();
    let recorder = Recorder::default();
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(key.id, key.secret, None, None, "iamsim"))
        .endpoint_url("http://127.0.0.1:1")
        .time_source(world.clock().clone())
        .http_client(recorder.clone())
        .build();
    let sts = aws_sdk_sts::Client::from_conf(config);

    let who = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(who.account(), Some("111111111111"));
    world.clock().advance(Duration::from_secs(3600));
    sts.get_caller_identity().send().await.unwrap();

    assert_eq!(*recorder.dates.lock().unwrap(), ["20261124T120000Z", "20261124T130000Z"]);
}
