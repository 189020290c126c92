//! Multipart uploads through aws-sdk-s3: the whole cycle, S3's checks on completion, the
//! permissions each call needs, and a large streamed file sent part by part.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use md5::{Digest, Md5};

use super::{DEV, client, failure, world};

const MIB: usize = 1024 * 1024;

fn data(size: usize, seed: u8) -> Vec<u8> {
    (0..size).map(|i| u8::try_from(i % 251).unwrap() ^ seed).collect()
}

fn completed(parts: &[(i32, &str)]) -> CompletedMultipartUpload {
    CompletedMultipartUpload::builder()
        .set_parts(Some(
            parts.iter().map(|(n, etag)| CompletedPart::builder().part_number(*n).e_tag(*etag).build()).collect(),
        ))
        .build()
}

#[tokio::test]
async fn parts_become_one_object_with_s3s_multipart_etag() {
    let world = world();
    let s3 = client(&world, "alice");
    let created = s3
        .create_multipart_upload()
        .bucket("photos")
        .key("big/video.bin")
        .content_type("video/mp4")
        .metadata("camera", "x1")
        .send()
        .await
        .unwrap();
    let id = created.upload_id().unwrap().to_owned();
    assert_eq!(created.key(), Some("big/video.bin"));
    let (one, two) = (data(5 * MIB, 1), data(1000, 2));
    let mut etags = Vec::new();
    for (n, part) in [(1, &one), (2, &two)] {
        let out = s3
            .upload_part()
            .bucket("photos")
            .key("big/video.bin")
            .upload_id(&id)
            .part_number(n)
            .body(ByteStream::from(part.clone()))
            .send()
            .await
            .unwrap();
        etags.push(out.e_tag().unwrap().to_owned());
    }
    assert_eq!(etags[0], format!("\"{}\"", hex::encode(Md5::digest(&one))));

    let parts = s3.list_parts().bucket("photos").key("big/video.bin").upload_id(&id).send().await.unwrap();
    let listed: Vec<_> = parts.parts().iter().map(|p| (p.part_number(), p.size())).collect();
    assert_eq!(listed, [(Some(1), Some(5 * 1024 * 1024)), (Some(2), Some(1000))]);
    let uploads = s3.list_multipart_uploads().bucket("photos").send().await.unwrap();
    assert_eq!(
        uploads.uploads().iter().map(|u| (u.key(), u.upload_id())).collect::<Vec<_>>(),
        [(Some("big/video.bin"), Some(id.as_str()))]
    );

    let done = s3
        .complete_multipart_upload()
        .bucket("photos")
        .key("big/video.bin")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &etags[0]), (2, &etags[1])]))
        .send()
        .await
        .unwrap();
    let mut md5s = Md5::new();
    md5s.update(Md5::digest(&one));
    md5s.update(Md5::digest(&two));
    let expected = format!("\"{}-2\"", hex::encode(md5s.finalize()));
    assert_eq!(done.e_tag(), Some(expected.as_str()));
    let got = s3.get_object().bucket("photos").key("big/video.bin").send().await.unwrap();
    assert_eq!(got.e_tag(), Some(expected.as_str()));
    assert_eq!(
        (got.content_type(), got.metadata().and_then(|m| m.get("camera")).map(String::as_str)),
        (Some("video/mp4"), Some("x1"))
    );
    let bytes = got.body.collect().await.unwrap().into_bytes();
    assert_eq!(bytes.len(), one.len() + two.len());
    assert!(bytes.starts_with(&one) && bytes.ends_with(&two));
    // Completed: the upload is gone.
    let (code, _) = failure(s3.list_parts().bucket("photos").key("big/video.bin").upload_id(&id).send().await);
    assert_eq!(code, "NoSuchUpload");
    assert!(s3.list_multipart_uploads().bucket("photos").send().await.unwrap().uploads().is_empty());
}

#[tokio::test]
async fn completion_checks_order_etags_and_part_sizes() {
    let world = world();
    let s3 = client(&world, "alice");
    let id =
        s3.create_multipart_upload().bucket("photos").key("k").send().await.unwrap().upload_id().unwrap().to_owned();
    let mut etags = Vec::new();
    for (n, size) in [(1, 1000), (2, 5 * MIB), (3, 10)] {
        let out = s3
            .upload_part()
            .bucket("photos")
            .key("k")
            .upload_id(&id)
            .part_number(n)
            .body(ByteStream::from(data(size, 3)))
            .send()
            .await
            .unwrap();
        etags.push(out.e_tag().unwrap().to_owned());
    }
    let complete = |parts: CompletedMultipartUpload| {
        s3.complete_multipart_upload().bucket("photos").key("k").upload_id(&id).multipart_upload(parts).send()
    };
    let (code, message) = failure(complete(completed(&[(2, &etags[1]), (1, &etags[0])])).await);
    assert_eq!(code, "InvalidPartOrder");
    assert_eq!(
        message,
        "The list of parts was not in ascending order. The parts list must be specified in order by part number."
    );
    let (code, _) = failure(complete(completed(&[(1, &etags[0]), (2, "\"0123456789abcdef0123456789abcdef\"")])).await);
    assert_eq!(code, "InvalidPart");
    let (code, _) = failure(complete(completed(&[(1, &etags[0]), (7, &etags[1])])).await);
    assert_eq!(code, "InvalidPart");
    let (code, message) = failure(complete(completed(&[(1, &etags[0]), (2, &etags[1])])).await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.")
    );
    // Every failed completion left the upload in progress; the last part may be small.
    complete(completed(&[(2, &etags[1]), (3, &etags[2])])).await.unwrap();
    let head = s3.head_object().bucket("photos").key("k").send().await.unwrap();
    assert_eq!(head.content_length(), Some(i64::try_from(5 * MIB + 10).unwrap()));
    assert!(head.e_tag().unwrap().ends_with("-2\""));
}

#[tokio::test]
async fn aborted_and_unknown_uploads_are_no_such_upload() {
    let world = world();
    let s3 = client(&world, "alice");
    let id =
        s3.create_multipart_upload().bucket("photos").key("k").send().await.unwrap().upload_id().unwrap().to_owned();
    s3.abort_multipart_upload().bucket("photos").key("k").upload_id(&id).send().await.unwrap();
    let (code, message) = failure(s3.abort_multipart_upload().bucket("photos").key("k").upload_id(&id).send().await);
    assert_eq!(code, "NoSuchUpload");
    assert_eq!(
        message,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    );
    let (code, _) = failure(
        s3.upload_part()
            .bucket("photos")
            .key("k")
            .upload_id("nope")
            .part_number(1)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
    );
    assert_eq!(code, "NoSuchUpload");
    let (code, _) = failure(
        s3.upload_part()
            .bucket("photos")
            .key("k")
            .upload_id(&id)
            .part_number(10_001)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
    );
    assert_eq!(code, "InvalidArgument");
    // An upload id belongs to its key.
    let other =
        s3.create_multipart_upload().bucket("photos").key("a").send().await.unwrap().upload_id().unwrap().to_owned();
    let (code, _) = failure(s3.list_parts().bucket("photos").key("b").upload_id(&other).send().await);
    assert_eq!(code, "NoSuchUpload");
}

#[tokio::test]
async fn each_multipart_call_needs_the_permission_aws_checks() {
    let world = world();
    let alice = client(&world, "alice");
    let id =
        alice.create_multipart_upload().bucket("photos").key("k").send().await.unwrap().upload_id().unwrap().to_owned();
    let bob = client(&world, "bob");
    let denied = |code: String, action: &str| {
        assert_eq!(code, "AccessDenied");
        let entry = world.access_log().last().cloned().unwrap();
        assert_eq!(entry.authorizations[0].action, action, "{entry:?}");
    };
    denied(failure(bob.create_multipart_upload().bucket("photos").key("k").send().await).0, "s3:PutObject");
    denied(
        failure(
            bob.upload_part()
                .bucket("photos")
                .key("k")
                .upload_id(&id)
                .part_number(1)
                .body(ByteStream::from_static(b"x"))
                .send()
                .await,
        )
        .0,
        "s3:PutObject",
    );
    denied(
        failure(
            bob.complete_multipart_upload()
                .bucket("photos")
                .key("k")
                .upload_id(&id)
                .multipart_upload(completed(&[(1, "\"x\"")]))
                .send()
                .await,
        )
        .0,
        "s3:PutObject",
    );
    denied(
        failure(bob.abort_multipart_upload().bucket("photos").key("k").upload_id(&id).send().await).0,
        "s3:AbortMultipartUpload",
    );
    denied(
        failure(bob.list_parts().bucket("photos").key("k").upload_id(&id).send().await).0,
        "s3:ListMultipartUploadParts",
    );
    denied(failure(bob.list_multipart_uploads().bucket("photos").send().await).0, "s3:ListBucketMultipartUploads");
    // The writer role may write under uploads/ only, multipart included.
    let writer = world.s3_client(world.role_session_credentials(DEV, "writer", "w"));
    writer.create_multipart_upload().bucket("photos").key("uploads/x").send().await.unwrap();
    denied(failure(writer.create_multipart_upload().bucket("photos").key("x").send().await).0, "s3:PutObject");
}

/// A file read part by part as streaming bodies: in-process they travel aws-chunked.
#[tokio::test]
async fn a_large_file_goes_up_in_streamed_parts() {
    let world = world();
    let s3 = client(&world, "alice");
    let size = 11 * MIB + 123;
    let content = data(size, 9);
    let path = std::env::temp_dir().join(format!("iamsim-s3-{}-multipart", std::process::id()));
    std::fs::write(&path, &content).unwrap();
    let id = s3
        .create_multipart_upload()
        .bucket("photos")
        .key("big.bin")
        .send()
        .await
        .unwrap()
        .upload_id()
        .unwrap()
        .to_owned();
    let part_size = 5 * MIB;
    let mut parts = Vec::new();
    for (i, offset) in (0..size).step_by(part_size).enumerate() {
        let length = part_size.min(size - offset);
        let body = ByteStream::read_from()
            .path(&path)
            .offset(u64::try_from(offset).unwrap())
            .length(aws_smithy_types::byte_stream::Length::Exact(u64::try_from(length).unwrap()))
            .build()
            .await
            .unwrap();
        let n = i32::try_from(i + 1).unwrap();
        let out = s3
            .upload_part()
            .bucket("photos")
            .key("big.bin")
            .upload_id(&id)
            .part_number(n)
            .body(body)
            .send()
            .await
            .unwrap();
        let entry = world.access_log().last().cloned().unwrap();
        assert_eq!(entry.authorizations[0].context["s3:x-amz-content-sha256"][0], "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
        parts.push(CompletedPart::builder().part_number(n).e_tag(out.e_tag().unwrap()).build());
    }
    std::fs::remove_file(&path).unwrap();
    assert_eq!(parts.len(), 3);
    s3.complete_multipart_upload()
        .bucket("photos")
        .key("big.bin")
        .upload_id(&id)
        .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
        .send()
        .await
        .unwrap();
    let got = s3.get_object().bucket("photos").key("big.bin").send().await.unwrap();
    assert_eq!(got.body.collect().await.unwrap().into_bytes(), content);
}

/// Over loopback (plain HTTP) the SDK signs every chunk of a streamed part, and the trailer.
#[tokio::test]
async fn parts_streamed_over_loopback_arrive_in_signed_chunks() {
    let world = world();
    let server = world.serve().await.unwrap();
    let config = world
        .s3_config(world.user_credentials(DEV, "alice"))
        .endpoint_url(server.endpoint())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(config);
    let content = data(200_000, 5);
    let path = std::env::temp_dir().join(format!("iamsim-s3-{}-multipart-loopback", std::process::id()));
    std::fs::write(&path, &content).unwrap();
    let id = s3
        .create_multipart_upload()
        .bucket("photos")
        .key("l.bin")
        .send()
        .await
        .unwrap()
        .upload_id()
        .unwrap()
        .to_owned();
    let body = ByteStream::from_path(&path).await.unwrap();
    let out =
        s3.upload_part().bucket("photos").key("l.bin").upload_id(&id).part_number(1).body(body).send().await.unwrap();
    std::fs::remove_file(&path).unwrap();
    let entry = world.access_log().last().cloned().unwrap();
    assert_eq!(
        entry.authorizations[0].context["s3:x-amz-content-sha256"][0],
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
    );
    assert_eq!(out.e_tag(), Some(format!("\"{}\"", hex::encode(Md5::digest(&content))).as_str()));
    s3.complete_multipart_upload()
        .bucket("photos")
        .key("l.bin")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, out.e_tag().unwrap())]))
        .send()
        .await
        .unwrap();
    let got = s3.get_object().bucket("photos").key("l.bin").send().await.unwrap();
    assert_eq!(got.body.collect().await.unwrap().into_bytes(), content);
    server.shutdown().await;
}
