//! Every served operation, asked by a user no policy allows anything: AccessDenied naming the
//! permission AWS checks for that operation, and nothing changed. Then many callers at once.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier, Tag, Tagging};

use super::{DEV, body, client, world};

fn tagging() -> Tagging {
    Tagging::builder().tag_set(Tag::builder().key("k").value("v").build().unwrap()).build().unwrap()
}

#[tokio::test]
async fn a_caller_without_policies_is_denied_every_operation_with_the_permission_aws_checks() {
    let world = world();
    let carol = client(&world, "carol");
    let b = "photos";
    let k = "readme.txt";
    // (operation, its error as `code: message`)
    let results: Vec<(&str, Option<String>)> = vec![
        ("CreateBucket", carol.create_bucket().bucket("scratch-carol").send().await.err().map(|e| meta(&e))),
        ("DeleteBucket", carol.delete_bucket().bucket(b).send().await.err().map(|e| meta(&e))),
        ("GetBucketLocation", carol.get_bucket_location().bucket(b).send().await.err().map(|e| meta(&e))),
        ("ListObjectsV2", carol.list_objects_v2().bucket(b).send().await.err().map(|e| meta(&e))),
        ("ListObjects", carol.list_objects().bucket(b).send().await.err().map(|e| meta(&e))),
        ("GetObject", carol.get_object().bucket(b).key(k).send().await.err().map(|e| meta(&e))),
        (
            "PutObject",
            carol
                .put_object()
                .bucket(b)
                .key("c")
                .body(ByteStream::from_static(b"c"))
                .send()
                .await
                .err()
                .map(|e| meta(&e)),
        ),
        (
            "CopyObject",
            carol
                .copy_object()
                .bucket(b)
                .key("c")
                .copy_source("photos/readme.txt")
                .send()
                .await
                .err()
                .map(|e| meta(&e)),
        ),
        ("DeleteObject", carol.delete_object().bucket(b).key(k).send().await.err().map(|e| meta(&e))),
        ("GetObjectTagging", carol.get_object_tagging().bucket(b).key(k).send().await.err().map(|e| meta(&e))),
        (
            "PutObjectTagging",
            carol.put_object_tagging().bucket(b).key(k).tagging(tagging()).send().await.err().map(|e| meta(&e)),
        ),
        ("DeleteObjectTagging", carol.delete_object_tagging().bucket(b).key(k).send().await.err().map(|e| meta(&e))),
        ("GetBucketTagging", carol.get_bucket_tagging().bucket(b).send().await.err().map(|e| meta(&e))),
        (
            "PutBucketTagging",
            carol.put_bucket_tagging().bucket(b).tagging(tagging()).send().await.err().map(|e| meta(&e)),
        ),
        ("DeleteBucketTagging", carol.delete_bucket_tagging().bucket(b).send().await.err().map(|e| meta(&e))),
    ];
    let permissions = [
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:GetBucketLocation",
        "s3:ListBucket",
        "s3:ListBucket",
        "s3:GetObject",
        "s3:PutObject",
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:GetObjectTagging",
        "s3:PutObjectTagging",
        "s3:DeleteObjectTagging",
        "s3:GetBucketTagging",
        "s3:PutBucketTagging",
        "s3:PutBucketTagging",
    ];
    for ((operation, failure), permission) in results.iter().zip(permissions) {
        let message = failure.as_deref().unwrap_or_else(|| panic!("{operation} should be denied"));
        assert!(
            message
                .starts_with("AccessDenied: User: arn:aws:iam::111111111111:user/carol is not authorized to perform: ")
                && message.contains(&format!("perform: {permission} ")),
            "{operation}: {message}"
        );
    }
    // HeadBucket and HeadObject answer a bare 403.
    assert!(carol.head_bucket().bucket(b).send().await.is_err());
    assert!(carol.head_object().bucket(b).key(k).send().await.is_err());
    let objects = [ObjectIdentifier::builder().key(k).build().unwrap()];
    let out = carol
        .delete_objects()
        .bucket(b)
        .delete(Delete::builder().set_objects(Some(objects.to_vec())).build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(out.errors()[0].code(), Some("AccessDenied"));

    // Nothing changed.
    let alice = client(&world, "alice");
    assert_eq!(body(alice.get_object().bucket(b).key(k).send().await.unwrap()).await, "hello photos");
    assert_eq!(alice.get_object_tagging().bucket(b).key(k).send().await.unwrap().tag_set().len(), 1);
    assert!(world.live().buckets().bucket("scratch-carol").is_none());
}

fn meta(e: &impl aws_sdk_s3::error::ProvideErrorMetadata) -> String {
    format!("{}: {}", e.code().unwrap_or("<none>"), e.message().unwrap_or("<none>"))
}

#[tokio::test]
async fn response_headers_can_be_overridden_by_signed_requests_only() {
    let world = world();
    let alice = client(&world, "alice");
    let out = alice
        .get_object()
        .bucket("photos")
        .key("readme.txt")
        .response_content_type("application/x-custom")
        .response_content_disposition("attachment; filename=\"r.txt\"")
        .send()
        .await
        .unwrap();
    assert_eq!(out.content_type(), Some("application/x-custom"));
    assert_eq!(out.content_disposition(), Some("attachment; filename=\"r.txt\""));
    let err = world
        .anonymous_s3_client()
        .get_object()
        .bucket("public-site")
        .key("index.html")
        .response_content_type("text/plain")
        .send()
        .await
        .unwrap_err();
    assert_eq!(aws_sdk_s3::error::ProvideErrorMetadata::code(&err), Some("InvalidRequest"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_clients_write_and_read_one_world_at_once() {
    // Its requests arrive from many tasks in no fixed order: its log is no reproducible record.
    let world = world().without_recording();
    let mut tasks = Vec::new();
    for t in 0..8 {
        let world = world.clone();
        tasks.push(tokio::spawn(async move {
            let s3 = world.s3_client(world.root_credentials(DEV));
            for i in 0..20 {
                let key = format!("load/{t}/{i}.txt");
                s3.put_object()
                    .bucket("photos")
                    .key(&key)
                    .body(ByteStream::from(key.clone().into_bytes()))
                    .send()
                    .await
                    .unwrap();
                let got = s3.get_object().bucket("photos").key(&key).send().await.unwrap();
                assert_eq!(got.body.collect().await.unwrap().into_bytes(), key.as_bytes());
                s3.list_objects_v2().bucket("photos").prefix(format!("load/{t}/")).send().await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let listed = world
        .s3_client(world.root_credentials(DEV))
        .list_objects_v2()
        .bucket("photos")
        .prefix("load/")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(160));
    assert_eq!(world.access_log().len(), 8 * 20 * 3 + 1);
    // Every request numbered once: none lost, none counted twice.
    let mut numbers: Vec<u64> = world.access_log().entries().iter().map(|e| e.request).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=481).collect::<Vec<_>>());
}
