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

/// `route` for a request given as method, URI and headers (a presigned URL has no other part).
fn replay_parts(world: &World, method: &str, uri: &str, headers: &[(&str, &str)], body: Bytes) -> (u16, String) {
    let mut request = http::Request::new(body);
    *request.method_mut() = method.parse().unwrap();
    *request.uri_mut() = uri.parse().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(http::HeaderName::try_from(*name).unwrap(), value.parse().unwrap());
    }
    replay(world, &request)
}

/// A presigned GetObject URL, signed by the SDK on the world's clock, replayed with each part of
/// its query, path, method and host changed in turn.
#[tokio::test]
async fn every_signed_part_of_a_presigned_url_is_checked() {
    use aws_sdk_s3::presigning::PresigningConfig;
    let world = world();
    let alice = world.s3_client(world.user_credentials(DEV, "alice"));
    let config = PresigningConfig::builder()
        .start_time(world.clock().now())
        .expires_in(std::time::Duration::from_secs(300))
        .build()
        .unwrap();
    let presigned = alice.get_object().bucket("photos").key("readme.txt").presigned(config).await.unwrap();
    let uri = presigned.uri().to_owned();
    let host: Vec<(&str, &str)> = presigned.headers().filter(|(n, _)| n.eq_ignore_ascii_case("host")).collect();
    let host = if host.is_empty() { vec![("host", "iamsim.test")] } else { host };
    let get = |uri: &str, headers: &[(&str, &str)]| replay_parts(&world, "GET", uri, headers, Bytes::new());
    assert_eq!(get(&uri, &host), (200, String::new()), "the untouched URL works");

    let param = |name: &str| uri.split(['?', '&']).find(|p| p.starts_with(&format!("{name}="))).unwrap().to_owned();
    let mismatch = (403, "SignatureDoesNotMatch".to_owned());
    // The signature itself, the date, the lifetime and the signed headers are all signed.
    let signature = param("X-Amz-Signature");
    let last = if signature.ends_with('0') { "1" } else { "0" };
    let wrong_signature = uri.replace(&signature, &format!("{}{last}", &signature[..signature.len() - 1]));
    assert_eq!(get(&wrong_signature, &host), mismatch, "signature");
    let date = param("X-Amz-Date");
    assert_eq!(get(&uri.replace(&date, &date.replace("T00", "T01")), &host), mismatch, "date");
    assert_eq!(get(&uri.replace(&param("X-Amz-Expires"), "X-Amz-Expires=3000"), &host), mismatch, "expires");
    // Another key, another bucket, another method, another host, one more query parameter.
    assert_eq!(get(&uri.replace("readme.txt", "2024/cat.jpg"), &host), mismatch, "key");
    assert_eq!(replay_parts(&world, "DELETE", &uri, &host, Bytes::new()), mismatch, "method");
    assert_eq!(get(&uri, &[("host", "elsewhere.example")]), mismatch, "host");
    assert_eq!(
        get(&uri.replace("x-id=GetObject", "x-id=GetObject&response-content-type=text%2Fhtml"), &host),
        mismatch,
        "added parameter"
    );
    // Someone else's key id: the world does not know it.
    let credential = param("X-Amz-Credential");
    let stranger = credential.replacen("AKIA", "AKIB", 1);
    assert_eq!(get(&uri.replace(&credential, &stranger), &host), (403, "InvalidAccessKeyId".to_owned()), "key id");
    // After its lifetime, on the world's clock.
    world.clock().advance(std::time::Duration::from_secs(301));
    assert_eq!(get(&uri, &host), (403, "AccessDenied".to_owned()), "expired");
}

/// Records a request whose body streams (aws-chunked), collecting the body.
#[derive(Clone, Debug, Default)]
struct CaptureStream(Arc<Mutex<Option<http::Request<Bytes>>>>);

impl HttpClient for CaptureStream {
    fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for CaptureStream {
    fn call(&self, mut request: HttpRequest) -> HttpConnectorFuture {
        let captured = self.0.clone();
        HttpConnectorFuture::new(async move {
            let body = ByteStream::new(request.take_body()).collect().await.unwrap().into_bytes();
            let (parts, _) = request.try_into_http1x().unwrap().into_parts();
            *captured.lock().unwrap() = Some(http::Request::from_parts(parts, body));
            Ok(HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::empty()))
        })
    }
}

/// A streaming PutObject as the SDK sends it over plain HTTP — signed aws-chunked chunks and a
/// signed trailer with its CRC32 — replayed with each signed part of the stream changed.
#[tokio::test]
async fn every_signed_part_of_an_aws_chunked_upload_is_checked() {
    let world = world();
    let data: Vec<u8> = (0..150_000u32).map(|i| u8::try_from(i % 251).unwrap()).collect();
    let path = std::env::temp_dir().join(format!("iamsim-tamper-chunked-{}", std::process::id()));
    std::fs::write(&path, &data).unwrap();
    let capture = CaptureStream::default();
    let config = world
        .s3_config(world.user_credentials(DEV, "alice"))
        .endpoint_url("http://iamsim.test")
        .http_client(SharedHttpClient::new(capture.clone()))
        .build();
    aws_sdk_s3::Client::from_conf(config)
        .put_object()
        .bucket("photos")
        .key("tamper/chunked.bin")
        .body(ByteStream::from_path(&path).await.unwrap())
        .send()
        .await
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let original = capture.0.lock().unwrap().take().unwrap();
    assert_eq!(original.headers()["x-amz-content-sha256"], "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
    let body = original.body().clone();
    let with_body = |bytes: Vec<u8>| {
        let mut copy = original.clone();
        *copy.body_mut() = Bytes::from(bytes);
        copy
    };
    let find =
        |needle: &[u8], from: usize| body[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from);
    let mismatch = (403, "SignatureDoesNotMatch".to_owned());

    // A byte of the data in the first chunk: its chunk signature no longer matches.
    let first_data = find(b"\r\n", 0).unwrap() + 2;
    let mut data_flip = body.to_vec();
    data_flip[first_data + 10] ^= 1;
    assert_eq!(replay(&world, &with_body(data_flip)), mismatch, "chunk data");
    // A chunk's signature.
    let signature_at = find(b"chunk-signature=", 0).unwrap() + "chunk-signature=".len();
    let mut signature_flip = body.to_vec();
    signature_flip[signature_at] = if signature_flip[signature_at] == b'0' { b'1' } else { b'0' };
    assert_eq!(replay(&world, &with_body(signature_flip)), mismatch, "chunk signature");
    // The trailer's checksum value: the trailer signature covers it.
    let trailer = find(b"x-amz-checksum-crc32:", 0).unwrap() + "x-amz-checksum-crc32:".len();
    let mut trailer_flip = body.to_vec();
    trailer_flip[trailer] = if trailer_flip[trailer] == b'A' { b'B' } else { b'A' };
    assert_eq!(replay(&world, &with_body(trailer_flip)), mismatch, "trailer");
    // The stream cut before its last chunk.
    assert_eq!(replay(&world, &with_body(body[..first_data + 100].to_vec())).0, 400, "truncated");
    // The declared length is a signed header.
    let mut length = original.clone();
    length.headers_mut().insert("x-amz-decoded-content-length", "149999".parse().unwrap());
    assert_eq!(replay(&world, &length), mismatch, "decoded length");

    assert!(world.live().buckets().bucket("photos").unwrap().object("tamper/chunked.bin").is_none());
    assert_eq!(replay(&world, &original), (200, String::new()));
    let stored = world.live().buckets().bucket("photos").unwrap().object("tamper/chunked.bin").unwrap();
    assert_eq!(stored.content, data);
}
