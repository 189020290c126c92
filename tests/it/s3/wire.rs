//! What travels on the wire: streaming uploads (unsigned chunks in-process, signed chunks over
//! loopback), `UNSIGNED-PAYLOAD`, presigned URLs fetched by a plain HTTP client, signatures,
//! checksums, session credentials from a real `AssumeRole`.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use iamsim::World;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{DEV, body, client, failure, world};

/// A file of `size` bytes for streaming uploads, removed when dropped.
struct TempFile(std::path::PathBuf);

impl TempFile {
    fn new(name: &str, size: usize) -> (TempFile, Vec<u8>) {
        let path = std::env::temp_dir().join(format!("iamsim-s3-{}-{name}", std::process::id()));
        let data: Vec<u8> = (0..size).map(|i| u8::try_from(i % 251).unwrap()).collect();
        std::fs::write(&path, &data).unwrap();
        (TempFile(path), data)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// An S3 client of a served world, over plain HTTP on loopback.
fn loopback_client(world: &World, endpoint: &str, credentials: Credentials) -> aws_sdk_s3::Client {
    let config = world
        .s3_config(credentials)
        .endpoint_url(endpoint)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// The `x-amz-content-sha256` the last request's first authorization saw.
fn payload_mode(world: &World) -> String {
    let entry = world.access_log().last().cloned().unwrap();
    entry.authorizations[0].context["s3:x-amz-content-sha256"][0].clone()
}

#[tokio::test]
async fn a_streaming_upload_in_process_arrives_in_unsigned_chunks_with_a_checksum_trailer() {
    let world = world();
    let (file, data) = TempFile::new("in-process", 200_000);
    let s3 = client(&world, "alice");
    let body = ByteStream::from_path(&file.0).await.unwrap();
    s3.put_object().bucket("photos").key("big.bin").body(body).send().await.unwrap();
    assert_eq!(payload_mode(&world), "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    let got = s3.get_object().bucket("photos").key("big.bin").send().await.unwrap();
    assert_eq!(got.content_length(), Some(200_000));
    assert_eq!(got.body.collect().await.unwrap().into_bytes(), data);
}

#[tokio::test]
async fn a_streaming_upload_over_loopback_arrives_in_signed_chunks() {
    let world = world();
    let server = world.serve().await.unwrap();
    let (file, data) = TempFile::new("loopback", 200_000);
    let s3 = loopback_client(&world, &server.endpoint(), world.user_credentials(DEV, "alice"));
    s3.put_object()
        .bucket("photos")
        .key("big.bin")
        .body(ByteStream::from_path(&file.0).await.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(payload_mode(&world), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
    let entry = world.access_log().last().cloned().unwrap();
    assert_eq!(entry.authorizations[0].context["aws:SecureTransport"], ["false"]);
    assert_eq!(entry.authorizations[0].context["aws:SourceIp"], ["127.0.0.1"]);
    let got = s3.get_object().bucket("photos").key("big.bin").send().await.unwrap();
    assert_eq!(got.body.collect().await.unwrap().into_bytes(), data);
    // Denied over loopback as in-process.
    let bob = loopback_client(&world, &server.endpoint(), world.user_credentials(DEV, "bob"));
    let (code, _) =
        failure(bob.put_object().bucket("photos").key("b.bin").body(ByteStream::from_static(b"x")).send().await);
    assert_eq!(code, "AccessDenied");
    server.shutdown().await;
}

#[tokio::test]
async fn without_request_checksums_a_streaming_upload_is_unsigned_payload() {
    let world = world();
    let (file, data) = TempFile::new("unsigned", 70_000);
    let config = world
        .s3_config(world.user_credentials(DEV, "alice"))
        .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(config);
    s3.put_object()
        .bucket("photos")
        .key("u.bin")
        .body(ByteStream::from_path(&file.0).await.unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(payload_mode(&world), "UNSIGNED-PAYLOAD");
    let got = s3.get_object().bucket("photos").key("u.bin").send().await.unwrap();
    assert_eq!(got.body.collect().await.unwrap().into_bytes(), data);
}

#[tokio::test]
async fn checksums_and_digests_that_do_not_match_the_body_are_bad_digest() {
    let world = world();
    let s3 = client(&world, "alice");
    let (code, message) = failure(
        s3.put_object()
            .bucket("photos")
            .key("x")
            .checksum_crc32("AAAAAA==")
            .body(ByteStream::from_static(b"hello"))
            .send()
            .await,
    );
    assert_eq!(code, "BadDigest");
    assert_eq!(message, "The CRC32 you specified did not match the calculated checksum.");
    let (code, _) = failure(
        s3.put_object()
            .bucket("photos")
            .key("x")
            .content_md5("XUFAKrxLKna5cZ2REBfFkg==")
            .body(ByteStream::from_static(b"hellO"))
            .send()
            .await,
    );
    assert_eq!(code, "BadDigest");
    s3.put_object()
        .bucket("photos")
        .key("x")
        .content_md5("XUFAKrxLKna5cZ2REBfFkg==")
        .body(ByteStream::from_static(b"hello"))
        .send()
        .await
        .unwrap();
    assert!(s3.get_object().bucket("photos").key("never-written").send().await.is_err());
}

#[tokio::test]
async fn signatures_keys_tokens_and_clocks_are_checked_with_s3s_codes() {
    let world = world();
    let alice = world.user_credentials(DEV, "alice");
    let wrong = Credentials::new(alice.access_key_id(), "not-the-secret", None, None, "test");
    let (code, message) = failure(world.s3_client(wrong).list_buckets().send().await);
    assert_eq!(code, "SignatureDoesNotMatch");
    assert_eq!(
        message,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method."
    );
    let unknown = Credentials::new("AKIAUNKNOWNUNKNOWN00", "secret", None, None, "test");
    let (code, message) = failure(world.s3_client(unknown).list_buckets().send().await);
    assert_eq!(code, "InvalidAccessKeyId");
    assert_eq!(message, "The AWS Access Key Id you provided does not exist in our records.");

    // A client whose clock is an hour ahead of the world's. The SDK retries RequestTimeTooSkewed
    // with its clock corrected by the response's `Date` (the world's clock), and then succeeds.
    let ahead = iamsim::Clock::at(world.clock().now() + Duration::from_secs(3600));
    let skewed = world.s3_config(alice.clone()).time_source(aws_smithy_async::time::SharedTimeSource::new(ahead));
    let no_retries = skewed.clone().retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled()).build();
    let (code, _) = failure(aws_sdk_s3::Client::from_conf(no_retries).list_buckets().send().await);
    assert_eq!(code, "RequestTimeTooSkewed");
    aws_sdk_s3::Client::from_conf(skewed.build()).list_buckets().send().await.unwrap();

    // Session credentials: a wrong token, then the session's expiry on the world's clock.
    let session = world.role_session_credentials(DEV, "writer", "short");
    let forged =
        Credentials::new(session.access_key_id(), session.secret_access_key(), Some("forged".into()), None, "t");
    let (code, _) = failure(world.s3_client(forged).list_buckets().send().await);
    assert_eq!(code, "InvalidToken");
    let writer = world.s3_client(session);
    writer.put_object().bucket("photos").key("uploads/a.txt").body(ByteStream::from_static(b"a")).send().await.unwrap();
    world.clock().advance(Duration::from_secs(3601));
    let (code, message) = failure(
        writer.put_object().bucket("photos").key("uploads/b.txt").body(ByteStream::from_static(b"b")).send().await,
    );
    assert_eq!((code.as_str(), message.as_str()), ("ExpiredToken", "The provided token has expired."));
}

#[tokio::test]
async fn a_role_session_from_a_real_assume_role_writes_and_reads_within_its_policy() {
    let world = world();
    let provider = aws_config::sts::AssumeRoleProvider::builder("arn:aws:iam::111111111111:role/writer")
        .session_name("upload")
        .configure(&world.sdk_config(world.user_credentials(DEV, "alice")))
        .build()
        .await;
    let s3 = world.s3_client(provider);
    s3.put_object()
        .bucket("photos")
        .key("uploads/from-role.txt")
        .tagging("source=role")
        .body(ByteStream::from_static(b"via AssumeRole"))
        .send()
        .await
        .unwrap();
    let got = s3.get_object().bucket("photos").key("uploads/from-role.txt").send().await.unwrap();
    assert_eq!(body(got).await, "via AssumeRole");
    let (code, message) = failure(s3.get_object().bucket("photos").key("readme.txt").send().await);
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "User: arn:aws:sts::111111111111:assumed-role/writer/upload is not authorized to perform: s3:GetObject on \
         resource: \"arn:aws:s3:::photos/readme.txt\" because no identity-based policy allows the s3:GetObject action"
    );
    let log = world.access_log();
    let operations: Vec<&str> = log.entries().iter().map(|e| e.operation.as_str()).collect();
    assert_eq!(operations, ["AssumeRole", "PutObject", "GetObject", "GetObject"]);
    assert_eq!(log.entries()[1].caller.as_deref(), Some("arn:aws:sts::111111111111:assumed-role/writer/upload"));
}

/// A request through a bare TCP connection: what `curl` or a browser would send.
async fn plain_http(endpoint: &str, method: &str, path_and_query: &str, body: &[u8]) -> (u16, String) {
    let addr = endpoint.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path_and_query} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

fn path_and_query(uri: &str) -> String {
    let rest = uri.split_once("://").unwrap().1;
    format!("/{}", rest.split_once('/').unwrap().1)
}

#[tokio::test]
async fn presigned_urls_work_for_anyone_until_they_expire_and_only_as_signed() {
    let world = world();
    let server = world.serve().await.unwrap();
    let endpoint = server.endpoint();
    let alice = loopback_client(&world, &endpoint, world.user_credentials(DEV, "alice"));
    // Presigning reads the machine's clock unless told the time: give it the world's.
    let presigning = |seconds| {
        PresigningConfig::builder()
            .start_time(world.clock().now())
            .expires_in(Duration::from_secs(seconds))
            .build()
            .unwrap()
    };
    let five_minutes = presigning(300);

    let get = alice.get_object().bucket("photos").key("readme.txt").presigned(five_minutes.clone()).await.unwrap();
    let (status, text) = plain_http(&endpoint, "GET", &path_and_query(get.uri()), b"").await;
    assert_eq!((status, text.as_str()), (200, "hello photos"));
    let entry = world.access_log().last().cloned().unwrap();
    assert_eq!(entry.caller.as_deref(), Some("arn:aws:iam::111111111111:user/alice"));
    assert_eq!(entry.authorizations[0].context["s3:authType"], ["REST-QUERY-STRING"]);

    // Another key in the same URL: the signature no longer matches.
    let tampered = path_and_query(get.uri()).replace("readme.txt", "2024/cat.jpg");
    let (status, text) = plain_http(&endpoint, "GET", &tampered, b"").await;
    assert_eq!(status, 403);
    assert!(text.contains("<Code>SignatureDoesNotMatch</Code>"), "{text}");

    let put = alice.put_object().bucket("photos").key("uploads/presigned.txt").presigned(five_minutes).await.unwrap();
    let (status, _) = plain_http(&endpoint, "PUT", &path_and_query(put.uri()), b"uploaded by URL").await;
    assert_eq!(status, 200);
    let got = alice.get_object().bucket("photos").key("uploads/presigned.txt").send().await.unwrap();
    assert_eq!(body(got).await, "uploaded by URL");

    world.clock().advance(Duration::from_secs(301));
    let (status, text) = plain_http(&endpoint, "GET", &path_and_query(get.uri()), b"").await;
    assert_eq!(status, 403);
    assert!(text.contains("<Message>Request has expired</Message>"), "{text}");

    // A URL signed by someone without the permission is refused like their own request.
    let bob = loopback_client(&world, &endpoint, world.user_credentials(DEV, "bob"));
    let bobs = bob.put_object().bucket("photos").key("b.txt").presigned(presigning(60)).await.unwrap();
    let (status, text) = plain_http(&endpoint, "PUT", &path_and_query(bobs.uri()), b"x").await;
    assert_eq!(status, 403);
    assert!(text.contains("s3:PutObject on resource: &quot;arn:aws:s3:::photos/b.txt&quot;"), "{text}");
    server.shutdown().await;
}
