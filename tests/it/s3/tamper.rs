//! A real signed PutObject, captured, then replayed into the world with one part changed at a
//! time: each change is refused with S3's code; the untouched replay is stored. Then hostile
//! requests of every shape: never a panic, always an S3 answer and a log entry.

use std::sync::{Arc, Mutex};

use aws_sdk_s3::primitives::ByteStream;
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
use proptest::prelude::*;

use super::{DEV, world};

/// Records the request and answers an empty 200.
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
        HttpConnectorFuture::ready(Ok(HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::empty())))
    }
}

async fn captured_put(world: &World) -> http::Request<Bytes> {
    let capture = Capture::default();
    let config = world
        .s3_config(world.user_credentials(DEV, "alice"))
        .http_client(SharedHttpClient::new(capture.clone()))
        .build();
    aws_sdk_s3::Client::from_conf(config)
        .put_object()
        .bucket("photos")
        .key("tamper/a.txt")
        .body(ByteStream::from_static(b"original body"))
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

#[tokio::test]
async fn every_signed_part_of_an_s3_request_is_checked() {
    let world = world();
    let original = captured_put(&world).await;
    let mismatch = (403, "SignatureDoesNotMatch".to_owned());

    // The signature covers the payload hash, not the body: a changed body keeps the signature
    // valid and is caught by the hash.
    let mut body = original.clone();
    *body.body_mut() = Bytes::from_static(b"changed body!");
    assert_eq!(replay(&world, &body), (400, "XAmzContentSHA256Mismatch".to_owned()));

    let mut key = original.clone();
    *key.uri_mut() = original.uri().to_string().replace("a.txt", "b.txt").parse().unwrap();
    assert_eq!(replay(&world, &key), mismatch);
    let mut method = original.clone();
    *method.method_mut() = http::Method::POST;
    assert_eq!(replay(&world, &method), mismatch);
    let mut checksum = original.clone();
    checksum.headers_mut().insert("x-amz-checksum-crc32", "AAAAAA==".parse().unwrap());
    assert_eq!(replay(&world, &checksum), mismatch);
    // A header S3 requires signed, added unsigned.
    let mut extra = original.clone();
    extra.headers_mut().insert("x-amz-meta-sneaky", "1".parse().unwrap());
    assert_eq!(replay(&world, &extra).1, "AccessDenied");

    assert!(world.live().buckets().bucket("photos").unwrap().object("tamper/a.txt").is_none());
    assert_eq!(replay(&world, &original), (200, String::new()));
    let stored = world.live().buckets().bucket("photos").unwrap().object("tamper/a.txt").unwrap();
    assert_eq!(stored.content, "original body");
}

fn hostile_request() -> impl Strategy<Value = (String, String, String, Vec<(String, String)>, Vec<u8>)> {
    let method = prop::sample::select(vec!["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"]);
    let segment = prop::sample::select(vec![
        "photos", "tagged", "theirs", "no-such", "", ".", "..", "%2F", "%FF", "%", "a%20b", "ключ", "?", "x",
    ]);
    let path = prop::collection::vec(segment, 0..5).prop_map(|s| format!("/{}", s.join("/")));
    let param = prop::sample::select(vec![
        "delete",
        "tagging",
        "list-type=2",
        "location",
        "uploads",
        "uploadId=1",
        "policy",
        "max-keys=-1",
        "max-keys=x",
        "continuation-token=%%%",
        "encoding-type=zip",
        "prefix=a",
        "delimiter=/",
        "versionId=3",
        "partNumber=2",
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Credential=a%2Fb",
        "X-Amz-Expires=-1",
        "response-content-type=x",
    ]);
    let query = prop::collection::vec(param, 0..4).prop_map(|p| p.join("&"));
    let header = prop::sample::select(vec![
        ("range", "bytes=5-1"),
        ("range", "bytes=-0"),
        ("if-match", "*"),
        ("if-modified-since", "garbage"),
        ("x-amz-copy-source", "photos/readme.txt"),
        ("x-amz-copy-source", "%"),
        ("x-amz-tagging", "a=1&a=2"),
        ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
        ("content-md5", "zzz"),
        ("x-amz-checksum-crc32", "AAAAAA=="),
        ("authorization", "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request"),
        ("x-amz-date", "20260101T000000Z"),
        ("x-amz-acl", "public-read"),
        ("host", "photos.iamsim.test"),
        ("x-amz-expected-bucket-owner", "999999999999"),
    ])
    .prop_map(|(k, v)| (k.to_owned(), v.to_owned()));
    let headers = prop::collection::vec(header, 0..4);
    let body = prop::sample::select(vec![
        b"".to_vec(),
        b"<Delete><Object><Key>readme.txt</Key></Object></Delete>".to_vec(),
        b"<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>".to_vec(),
        b"<CreateBucketConfiguration><LocationConstraint>EU</LocationConstraint></CreateBucketConfiguration>".to_vec(),
        b"5\r\nhello\r\n0\r\n\r\n".to_vec(),
        vec![0xff, 0xfe, b'<'],
    ]);
    (method.prop_map(str::to_owned), path, query, headers, body)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn hostile_requests_get_an_s3_answer_and_a_log_entry((method, path, query, headers, body) in hostile_request()) {
        let world = world();
        let uri = if query.is_empty() { format!("https://iamsim.test{path}") } else { format!("https://iamsim.test{path}?{query}") };
        let Ok(uri) = uri.parse::<http::Uri>() else { return Ok(()) };
        let mut request = http::Request::builder().method(method.as_str()).uri(uri);
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let request = request.body(Bytes::from(body)).unwrap();
        let response = iamsim::transport::route(world.live(), &WireRequest::new(request, Origin::in_process()));
        prop_assert!(response.headers().contains_key("x-amz-request-id"));
        prop_assert_eq!(world.access_log().len(), 1);
        if response.status().as_u16() >= 400 && method != "HEAD" {
            prop_assert!(String::from_utf8_lossy(response.body()).contains("<Error><Code>"));
        }
    }
}
