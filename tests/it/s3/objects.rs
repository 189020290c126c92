//! Objects: read, write, delete, copy, tags — each allowed and denied.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier, Tag, Tagging};

use super::{DEV, body, client, failure, put, status, world};

#[tokio::test]
async fn a_user_with_a_policy_reads_an_object_and_its_metadata() {
    let world = world();
    let s3 = client(&world, "alice");
    let out = s3.get_object().bucket("photos").key("readme.txt").send().await.unwrap();
    assert_eq!(out.content_type(), Some("text/plain"));
    assert_eq!(out.content_length(), Some(12));
    assert_eq!(out.e_tag(), Some(format!("\"{}\"", hex_md5(b"hello photos")).as_str()));
    assert_eq!(out.server_side_encryption().map(|s| s.as_str()), Some("AES256"));
    assert_eq!(out.tag_count(), Some(1));
    // The SDK asks for checksums and checks the body against the one S3 computed (CRC64NVME
    // for an object uploaded without one): a wrong value would fail the read below.
    assert!(out.checksum_crc64_nvme().is_some());
    let modified = std::time::SystemTime::try_from(*out.last_modified().unwrap()).unwrap();
    assert_eq!(modified, world.model().start_time());
    assert_eq!(body(out).await, "hello photos");
}

#[tokio::test]
async fn a_user_without_a_policy_is_denied_with_s3s_detailed_message() {
    let world = world();
    let (code, message) = failure(client(&world, "carol").get_object().bucket("photos").key("readme.txt").send().await);
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "User: arn:aws:iam::111111111111:user/carol is not authorized to perform: s3:GetObject on resource: \
         \"arn:aws:s3:::photos/readme.txt\" because no identity-based policy allows the s3:GetObject action"
    );
}

#[tokio::test]
async fn a_caller_from_another_organization_only_reads_access_denied() {
    let world = world();
    let (code, message) =
        failure(client(&world, "mallory").get_object().bucket("photos").key("readme.txt").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("AccessDenied", "Access Denied"));
}

#[tokio::test]
async fn anonymous_callers_read_only_what_a_bucket_policy_gives_everyone() {
    let world = world();
    let anyone = world.anonymous_s3_client();
    let page = anyone.get_object().bucket("public-site").key("index.html").send().await.unwrap();
    assert_eq!(page.content_type(), Some("text/html"));
    assert_eq!(body(page).await, "<h1>hi</h1>");
    let (code, message) = failure(anyone.get_object().bucket("photos").key("readme.txt").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("AccessDenied", "Access Denied"));
    let (code, _) =
        failure(anyone.put_object().bucket("public-site").key("x").body(ByteStream::from_static(b"x")).send().await);
    assert_eq!(code, "AccessDenied");
    let log = world.access_log();
    assert_eq!(log.entries()[0].caller.as_deref(), Some("anonymous"));
    assert_eq!(log.entries()[0].access_key_id, None);
}

#[tokio::test]
async fn a_missing_key_is_no_such_key_only_for_callers_who_may_list_the_bucket() {
    let world = world();
    let err = client(&world, "alice").get_object().bucket("photos").key("nope.txt").send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_no_such_key()), "{err:?}");
    // bob may read any object but not list: S3 will not tell him the key does not exist.
    let (code, message) = failure(client(&world, "bob").get_object().bucket("photos").key("nope.txt").send().await);
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "User: arn:aws:iam::111111111111:user/bob is not authorized to perform: s3:ListBucket on resource: \
         \"arn:aws:s3:::photos\" because no identity-based policy allows the s3:ListBucket action"
    );
    let entry = world.access_log().last().cloned().unwrap();
    let decided: Vec<(&str, &str)> =
        entry.authorizations.iter().map(|a| (a.action.as_str(), a.decision.as_str())).collect();
    assert_eq!(decided, [("s3:GetObject", "allow"), ("s3:ListBucket", "implicit_deny")]);

    // HeadObject: a 404 without a body is the SDK's NotFound; the 403 has no code at all.
    let err = client(&world, "alice").head_object().bucket("photos").key("nope.txt").send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_not_found()), "{err:?}");
    assert_eq!(status(client(&world, "bob").head_object().bucket("photos").key("nope.txt").send().await), 403);
}

#[tokio::test]
async fn head_object_sends_the_length_and_no_body() {
    let world = world();
    let head = client(&world, "bob").head_object().bucket("photos").key("readme.txt").send().await.unwrap();
    assert_eq!(head.content_length(), Some(12));
    assert_eq!(head.content_type(), Some("text/plain"));
    assert_eq!(head.e_tag(), Some(format!("\"{}\"", hex_md5(b"hello photos")).as_str()));
    assert_eq!(world.access_log().last().unwrap().authorizations[0].action, "s3:GetObject");
}

#[tokio::test]
async fn writes_need_put_object_and_tags_need_put_object_tagging_too() {
    let world = world();
    let alice = client(&world, "alice");
    let out = alice
        .put_object()
        .bucket("photos")
        .key("new.txt")
        .content_type("text/plain")
        .metadata("owner", "alice")
        .tagging("kind=note&team=photos")
        .body(ByteStream::from_static(b"fresh"))
        .send()
        .await
        .unwrap();
    let etag = out.e_tag().unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", hex_md5(b"fresh")));
    let got = alice.get_object().bucket("photos").key("new.txt").send().await.unwrap();
    assert_eq!(got.e_tag(), Some(etag.as_str()));
    assert_eq!(got.metadata().and_then(|m| m.get("owner")).map(String::as_str), Some("alice"));
    assert_eq!(got.tag_count(), Some(2));
    // The SDK sent a CRC32 with the upload; S3 keeps it and returns it in checksum mode.
    assert!(got.checksum_crc32().is_some());
    assert_eq!(body(got).await, "fresh");
    let put_entry = world.access_log().entries()[0].clone();
    let actions: Vec<&str> = put_entry.authorizations.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["s3:PutObject", "s3:PutObjectTagging"]);
    assert_eq!(put_entry.authorizations[0].context["s3:RequestObjectTagKeys"], ["kind", "team"]);

    let (code, message) = failure(
        client(&world, "bob")
            .put_object()
            .bucket("photos")
            .key("b.txt")
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
    );
    assert_eq!(code, "AccessDenied");
    assert!(message.ends_with("because no identity-based policy allows the s3:PutObject action"), "{message}");
}

fn hex_md5(data: &[u8]) -> String {
    use md5::Digest;
    let digest = md5::Md5::digest(data);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn acls_are_refused_because_object_ownership_is_bucket_owner_enforced() {
    let world = world();
    let alice = client(&world, "alice");
    let (code, message) = failure(
        alice
            .put_object()
            .bucket("photos")
            .key("acl.txt")
            .acl(aws_sdk_s3::types::ObjectCannedAcl::PublicRead)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
    );
    assert_eq!((code.as_str(), message.as_str()), ("AccessControlListNotSupported", "The bucket does not allow ACLs"));
    alice
        .put_object()
        .bucket("photos")
        .key("acl.txt")
        .acl(aws_sdk_s3::types::ObjectCannedAcl::BucketOwnerFullControl)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn ranges_and_conditional_reads() {
    let world = world();
    let s3 = client(&world, "alice");
    let part = s3.get_object().bucket("photos").key("readme.txt").range("bytes=6-").send().await.unwrap();
    assert_eq!(part.content_range(), Some("bytes 6-11/12"));
    assert_eq!(part.content_length(), Some(6));
    assert_eq!(body(part).await, "photos");
    let tail = s3.get_object().bucket("photos").key("readme.txt").range("bytes=-5").send().await.unwrap();
    assert_eq!(body(tail).await, "hotos");
    let err = s3.get_object().bucket("photos").key("readme.txt").range("bytes=100-").send().await.unwrap_err();
    let response = err.raw_response().unwrap();
    assert_eq!((response.status().as_u16(), response.headers().get("content-range")), (416, Some("bytes */12")));
    assert_eq!(aws_sdk_s3::error::ProvideErrorMetadata::code(&err), Some("InvalidRange"));

    let etag = s3.head_object().bucket("photos").key("readme.txt").send().await.unwrap().e_tag().unwrap().to_owned();
    s3.get_object().bucket("photos").key("readme.txt").if_match(&etag).send().await.unwrap();
    let (code, _) = failure(s3.get_object().bucket("photos").key("readme.txt").if_match("\"other\"").send().await);
    assert_eq!(code, "PreconditionFailed");
    assert_eq!(status(s3.get_object().bucket("photos").key("readme.txt").if_none_match(&etag).send().await), 304);
    let later = aws_sdk_s3::primitives::DateTime::from(world.clock().now() + std::time::Duration::from_secs(60));
    let earlier = aws_sdk_s3::primitives::DateTime::from(world.clock().now() - std::time::Duration::from_secs(60));
    assert_eq!(status(s3.get_object().bucket("photos").key("readme.txt").if_modified_since(later).send().await), 304);
    s3.get_object().bucket("photos").key("readme.txt").if_modified_since(earlier).send().await.unwrap();
    let (code, _) =
        failure(s3.get_object().bucket("photos").key("readme.txt").if_unmodified_since(earlier).send().await);
    assert_eq!(code, "PreconditionFailed");
}

#[tokio::test]
async fn conditional_writes_refuse_to_overwrite() {
    let world = world();
    let s3 = client(&world, "alice");
    let (code, _) = failure(
        s3.put_object()
            .bucket("photos")
            .key("readme.txt")
            .if_none_match("*")
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
    );
    assert_eq!(code, "PreconditionFailed");
    s3.put_object()
        .bucket("photos")
        .key("fresh.txt")
        .if_none_match("*")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn deletes_are_allowed_denied_and_silent_about_missing_keys() {
    let world = world();
    let alice = client(&world, "alice");
    alice.delete_object().bucket("photos").key("2024/cat.jpg").send().await.unwrap();
    alice.delete_object().bucket("photos").key("never-there").send().await.unwrap();
    let err = alice.get_object().bucket("photos").key("2024/cat.jpg").send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_no_such_key()));
    let (code, _) = failure(client(&world, "bob").delete_object().bucket("photos").key("2024/beach.jpg").send().await);
    assert_eq!(code, "AccessDenied");
    // A bucket policy's explicit deny for everyone but alice, and the message says where.
    let (code, message) = failure(client(&world, "bob").delete_object().bucket("tagged").key("open.txt").send().await);
    assert_eq!(code, "AccessDenied");
    assert!(message.ends_with("with an explicit deny in a resource-based policy"), "{message}");
    alice.delete_object().bucket("tagged").key("open.txt").send().await.unwrap();
}

#[tokio::test]
async fn delete_objects_authorizes_every_key_on_its_own() {
    let world = world();
    let bob_writes = world.s3_client(world.root_credentials(DEV));
    put(&bob_writes, "tagged", "extra.txt", "x").await;
    let alice = client(&world, "alice");
    let objects =
        ["2024/beach.jpg", "2025/dog.jpg", "missing.jpg"].map(|k| ObjectIdentifier::builder().key(k).build().unwrap());
    let out = alice
        .delete_objects()
        .bucket("photos")
        .delete(Delete::builder().set_objects(Some(objects.to_vec())).build().unwrap())
        .send()
        .await
        .unwrap();
    let deleted: Vec<&str> = out.deleted().iter().filter_map(|d| d.key()).collect();
    assert_eq!(deleted, ["2024/beach.jpg", "2025/dog.jpg", "missing.jpg"]);
    assert!(out.errors().is_empty());

    // The root user may do anything its account's policies do not deny, but `tagged` denies
    // deletes to everyone except alice: one key deleted, one refused, in one answer.
    let root = world.s3_client(world.root_credentials(DEV));
    put(&root, "photos", "root.txt", "x").await;
    let objects = ["extra.txt"].map(|k| ObjectIdentifier::builder().key(k).build().unwrap());
    let out = root
        .delete_objects()
        .bucket("tagged")
        .delete(Delete::builder().set_objects(Some(objects.to_vec())).build().unwrap())
        .send()
        .await
        .unwrap();
    assert!(out.deleted().is_empty());
    assert_eq!(out.errors().len(), 1);
    assert_eq!(out.errors()[0].code(), Some("AccessDenied"));
    assert_eq!(out.errors()[0].key(), Some("extra.txt"));

    let carol = client(&world, "carol");
    let mixed = ["readme.txt", "2024/cat.jpg"].map(|k| ObjectIdentifier::builder().key(k).build().unwrap());
    let out = carol
        .delete_objects()
        .bucket("photos")
        .delete(Delete::builder().set_objects(Some(mixed.to_vec())).quiet(true).build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(out.errors().len(), 2);
    assert!(
        out.errors()[0].message().unwrap().contains("s3:DeleteObject on resource: \"arn:aws:s3:::photos/readme.txt\"")
    );
    let entry = world.access_log().last().cloned().unwrap();
    let resources: Vec<&str> = entry.authorizations.iter().map(|a| a.resource.as_str()).collect();
    assert_eq!(resources, ["arn:aws:s3:::photos/readme.txt", "arn:aws:s3:::photos/2024/cat.jpg"]);
}

#[tokio::test]
async fn copy_reads_the_source_and_writes_the_target() {
    let world = world();
    let alice = client(&world, "alice");
    let out = alice
        .copy_object()
        .bucket("photos")
        .key("copies/readme copy.txt")
        .copy_source("photos/readme.txt")
        .send()
        .await
        .unwrap();
    let result = out.copy_object_result().unwrap();
    assert_eq!(result.e_tag(), Some(format!("\"{}\"", hex_md5(b"hello photos")).as_str()));
    let copy = alice.get_object().bucket("photos").key("copies/readme copy.txt").send().await.unwrap();
    assert_eq!(copy.content_type(), Some("text/plain"));
    assert_eq!(copy.tag_count(), Some(1));
    assert_eq!(body(copy).await, "hello photos");
    let entry = world.access_log().entries()[0].clone();
    let decided: Vec<(&str, &str)> =
        entry.authorizations.iter().map(|a| (a.action.as_str(), a.resource.as_str())).collect();
    assert_eq!(
        decided,
        [
            ("s3:GetObject", "arn:aws:s3:::photos/readme.txt"),
            ("s3:PutObject", "arn:aws:s3:::photos/copies/readme copy.txt")
        ]
    );
    assert_eq!(entry.authorizations[1].context["s3:x-amz-copy-source"], ["photos/readme.txt"]);

    // An unencoded source with a space, as the SDK sends it.
    alice
        .copy_object()
        .bucket("photos")
        .key("again.txt")
        .copy_source("photos/copies/readme copy.txt")
        .send()
        .await
        .unwrap();

    // The writer role may write uploads/ but read nothing outside it: the source read fails.
    let writer = world.s3_client(world.role_session_credentials(DEV, "writer", "copy"));
    let (code, message) = failure(
        writer.copy_object().bucket("photos").key("uploads/x.txt").copy_source("photos/readme.txt").send().await,
    );
    assert_eq!(code, "AccessDenied");
    assert!(message.contains("s3:GetObject on resource: \"arn:aws:s3:::photos/readme.txt\""), "{message}");
    let (code, _) =
        failure(alice.copy_object().bucket("photos").key("readme.txt").copy_source("photos/readme.txt").send().await);
    assert_eq!(code, "InvalidRequest");
}

#[tokio::test]
async fn object_tags_are_read_written_and_removed_with_their_own_permissions() {
    let world = world();
    let alice = client(&world, "alice");
    let tags = alice.get_object_tagging().bucket("photos").key("readme.txt").send().await.unwrap();
    assert_eq!(tags.tag_set().iter().map(|t| (t.key(), t.value())).collect::<Vec<_>>(), [("kind", "doc")]);
    let new = Tagging::builder()
        .tag_set(Tag::builder().key("kind").value("manual").build().unwrap())
        .tag_set(Tag::builder().key("lang").value("en").build().unwrap())
        .build()
        .unwrap();
    alice.put_object_tagging().bucket("photos").key("readme.txt").tagging(new).send().await.unwrap();
    let tags = alice.get_object_tagging().bucket("photos").key("readme.txt").send().await.unwrap();
    assert_eq!(tags.tag_set().len(), 2);
    let put_entry = world.access_log().entries()[1].clone();
    assert_eq!(put_entry.authorizations[0].context["s3:RequestObjectTag/kind"], ["manual"]);
    alice.delete_object_tagging().bucket("photos").key("readme.txt").send().await.unwrap();
    assert!(alice.get_object_tagging().bucket("photos").key("readme.txt").send().await.unwrap().tag_set().is_empty());

    let (code, _) = failure(client(&world, "bob").get_object_tagging().bucket("photos").key("readme.txt").send().await);
    assert_eq!(code, "AccessDenied");
    let eleven = (0..11).map(|i| Tag::builder().key(format!("k{i}")).value("v").build().unwrap()).collect();
    let (code, message) = failure(
        alice
            .put_object_tagging()
            .bucket("photos")
            .key("readme.txt")
            .tagging(Tagging::builder().set_tag_set(Some(eleven)).build().unwrap())
            .send()
            .await,
    );
    assert_eq!((code.as_str(), message.as_str()), ("BadRequest", "Object tags cannot be greater than 10"));
}

#[tokio::test]
async fn existing_object_tags_and_bucket_tags_reach_policies() {
    let world = world();
    let bob = client(&world, "bob");
    bob.get_object().bucket("tagged").key("open.txt").send().await.unwrap();
    let (code, _) = failure(bob.get_object().bucket("tagged").key("secret.txt").send().await);
    assert_eq!(code, "AccessDenied");
    let entry = world.access_log().last().cloned().unwrap();
    assert_eq!(entry.authorizations[0].decision, "implicit_deny");
    // ABAC is on for `tagged`: its `team=photos` tag lets bob list it; `photos` has ABAC off.
    bob.list_objects_v2().bucket("tagged").send().await.unwrap();
    let (code, _) = failure(bob.list_objects_v2().bucket("photos").send().await);
    assert_eq!(code, "AccessDenied");
    // Retagging the object over the wire changes what bob may read.
    let alice = client(&world, "alice");
    let public =
        Tagging::builder().tag_set(Tag::builder().key("visibility").value("public").build().unwrap()).build().unwrap();
    alice.put_object_tagging().bucket("tagged").key("secret.txt").tagging(public).send().await.unwrap();
    bob.get_object().bucket("tagged").key("secret.txt").send().await.unwrap();
}

#[tokio::test]
async fn a_bucket_policy_can_require_server_side_encryption_headers() {
    let world = world();
    // The classic policy: deny uploads that do not ask for SSE-S3.
    let policy = iamsim::Policy::from_value(serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "RequireSse", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                       "Resource": "arn:aws:s3:::photos/*",
                       "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}}]
    }))
    .unwrap();
    let attached = iamsim::model::AttachedPolicy {
        label: std::sync::Arc::from("photos"),
        policy: std::sync::Arc::new(policy.named("photos")),
    };
    world.live().buckets().bucket("photos").unwrap().set_policy(Some(attached));
    let alice = client(&world, "alice");
    let (code, message) =
        failure(alice.put_object().bucket("photos").key("plain.txt").body(ByteStream::from_static(b"x")).send().await);
    assert_eq!(code, "AccessDenied");
    assert!(message.ends_with("with an explicit deny in a resource-based policy"), "{message}");
    let out = alice
        .put_object()
        .bucket("photos")
        .key("encrypted.txt")
        .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::Aes256)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.server_side_encryption(), Some(&aws_sdk_s3::types::ServerSideEncryption::Aes256));
}
