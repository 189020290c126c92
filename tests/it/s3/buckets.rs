//! Buckets: list, create, delete, head, location, tags, and listing their objects.

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration, Tag, Tagging};

use super::{DEV, OTHER, client, failure, put, status, world};

#[tokio::test]
async fn list_buckets_shows_the_callers_account_only() {
    let world = world();
    let out = client(&world, "alice").list_buckets().send().await.unwrap();
    let names: Vec<&str> = out.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(names, ["photos", "public-site", "tagged"]);
    assert_eq!(out.buckets()[0].bucket_region(), Some("us-east-1"));
    let owner = out.owner().and_then(|o| o.id()).unwrap();
    assert_eq!(owner, world.model().account(DEV).unwrap().canonical_user_id);
    let theirs = client(&world, "mallory").list_buckets().send().await.unwrap();
    assert_eq!(theirs.buckets().iter().filter_map(|b| b.name()).collect::<Vec<_>>(), ["theirs"]);

    let (code, message) = failure(client(&world, "carol").list_buckets().send().await);
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "User: arn:aws:iam::111111111111:user/carol is not authorized to perform: s3:ListAllMyBuckets \
         because no identity-based policy allows the s3:ListAllMyBuckets action"
    );
}

#[tokio::test]
async fn list_buckets_pages_with_a_continuation_token() {
    let world = world();
    let s3 = client(&world, "alice");
    let first = s3.list_buckets().max_buckets(2).send().await.unwrap();
    assert_eq!(first.buckets().len(), 2);
    let token = first.continuation_token().unwrap();
    let second = s3.list_buckets().max_buckets(2).continuation_token(token).send().await.unwrap();
    assert_eq!(second.buckets().iter().filter_map(|b| b.name()).collect::<Vec<_>>(), ["tagged"]);
    assert_eq!(second.continuation_token(), None);
    let prefixed = s3.list_buckets().prefix("p").send().await.unwrap();
    assert_eq!(prefixed.buckets().len(), 2);
}

#[tokio::test]
async fn buckets_are_created_used_and_deleted_by_whoever_policies_allow() {
    let world = world();
    let alice = client(&world, "alice");
    let out = alice.create_bucket().bucket("scratch-1").send().await.unwrap();
    assert_eq!(out.location(), Some("/scratch-1"));
    assert_eq!(world.live().buckets().bucket("scratch-1").unwrap().account().as_str(), DEV);
    put(&world.s3_client(world.root_credentials(DEV)), "scratch-1", "a.txt", "x").await;
    let (code, message) = failure(alice.delete_bucket().bucket("scratch-1").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("BucketNotEmpty", "The bucket you tried to delete is not empty"));
    world.s3_client(world.root_credentials(DEV)).delete_object().bucket("scratch-1").key("a.txt").send().await.unwrap();
    alice.delete_bucket().bucket("scratch-1").send().await.unwrap();
    let err = alice.head_bucket().bucket("scratch-1").send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_not_found()), "{err:?}");

    let (code, message) = failure(alice.create_bucket().bucket("other-name").send().await);
    assert_eq!(code, "AccessDenied");
    assert_eq!(
        message,
        "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: s3:CreateBucket on resource: \
         \"arn:aws:s3:::other-name\" because no identity-based policy allows the s3:CreateBucket action"
    );
    let (code, _) = failure(client(&world, "carol").delete_bucket().bucket("photos").send().await);
    assert_eq!(code, "AccessDenied");
}

#[tokio::test]
async fn bucket_names_are_global_and_checked() {
    let world = world();
    let root = world.s3_client(world.root_credentials(DEV));
    // us-east-1 answers 200 to the owner re-creating its bucket ("for legacy compatibility").
    root.create_bucket().bucket("photos").send().await.unwrap();
    let (code, _) = failure(root.create_bucket().bucket("theirs").send().await);
    assert_eq!(code, "BucketAlreadyExists");
    let (code, _) =
        failure(world.s3_client(world.root_credentials(OTHER)).create_bucket().bucket("photos").send().await);
    assert_eq!(code, "BucketAlreadyExists");
    let (code, message) = failure(root.create_bucket().bucket("Not_Valid").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("InvalidBucketName", "The specified bucket is not valid."));
    let (code, _) = failure(root.create_bucket().bucket("ab").send().await);
    assert_eq!(code, "InvalidBucketName");
}

#[tokio::test]
async fn a_location_constraint_puts_the_bucket_in_its_region() {
    let world = world();
    let root = world.s3_client(world.root_credentials(DEV));
    let config = CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::EuWest1).build();
    root.create_bucket().bucket("in-ireland").create_bucket_configuration(config).send().await.unwrap();
    let location = root.get_bucket_location().bucket("in-ireland").send().await.unwrap();
    assert_eq!(location.location_constraint(), Some(&BucketLocationConstraint::EuWest1));
    let home = root.get_bucket_location().bucket("photos").send().await.unwrap();
    assert!(home.location_constraint().is_none_or(|c| c.as_str().is_empty()), "{home:?}");
    let (code, _) = failure(
        root.create_bucket()
            .bucket("in-virginia")
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from("us-east-1"))
                    .build(),
            )
            .send()
            .await,
    );
    assert_eq!(code, "InvalidLocationConstraint");

    // Signed for us-east-1, a bucket in eu-west-1 answers that the region is wrong.
    let (code, message) = failure(root.list_objects_v2().bucket("in-ireland").send().await);
    assert_eq!(code, "AuthorizationHeaderMalformed");
    assert_eq!(
        message,
        "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'"
    );
    let irish = aws_sdk_s3::Client::from_conf(
        world.s3_config(world.root_credentials(DEV)).region(aws_sdk_s3::config::Region::new("eu-west-1")).build(),
    );
    irish.list_objects_v2().bucket("in-ireland").send().await.unwrap();
    // The eu-west-1 endpoint refuses a bucket without a constraint, or with another region's.
    let (code, _) = failure(irish.create_bucket().bucket("no-constraint").send().await);
    assert_eq!(code, "IllegalLocationConstraintException");
}

#[tokio::test]
async fn head_bucket_needs_list_bucket_and_says_where_the_bucket_is() {
    let world = world();
    let head = client(&world, "alice").head_bucket().bucket("photos").send().await.unwrap();
    assert_eq!(head.bucket_region(), Some("us-east-1"));
    assert_eq!(status(client(&world, "carol").head_bucket().bucket("photos").send().await), 403);
    let entry = world.access_log().last().cloned().unwrap();
    assert_eq!(entry.authorizations[0].action, "s3:ListBucket");
    let err = client(&world, "alice").head_bucket().bucket("no-such-bucket").send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_not_found()));
    let (code, _) = failure(client(&world, "alice").list_objects_v2().bucket("no-such-bucket").send().await);
    assert_eq!(code, "NoSuchBucket");
}

#[tokio::test]
async fn listing_uses_prefixes_delimiters_and_pages() {
    let world = world();
    let s3 = client(&world, "alice");
    let all = s3.list_objects_v2().bucket("photos").send().await.unwrap();
    let keys: Vec<&str> = all.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(keys, ["2024/beach.jpg", "2024/cat.jpg", "2025/dog.jpg", "readme.txt"]);
    assert_eq!(all.key_count(), Some(4));
    assert_eq!(all.contents()[3].size(), Some(12));

    let top = s3.list_objects_v2().bucket("photos").delimiter("/").send().await.unwrap();
    let prefixes: Vec<&str> = top.common_prefixes().iter().filter_map(|p| p.prefix()).collect();
    assert_eq!(prefixes, ["2024/", "2025/"]);
    assert_eq!(top.contents().iter().filter_map(|o| o.key()).collect::<Vec<_>>(), ["readme.txt"]);

    let in_2024 = s3.list_objects_v2().bucket("photos").prefix("2024/").send().await.unwrap();
    assert_eq!(in_2024.key_count(), Some(2));
    let entry = world.access_log().last().cloned().unwrap();
    assert_eq!(entry.authorizations[0].context["s3:prefix"], ["2024/"]);

    let after = s3.list_objects_v2().bucket("photos").start_after("2024/cat.jpg").send().await.unwrap();
    assert_eq!(after.contents().iter().filter_map(|o| o.key()).collect::<Vec<_>>(), ["2025/dog.jpg", "readme.txt"]);

    // The paginator follows NextContinuationToken through pages of one key.
    let mut pages = s3.list_objects_v2().bucket("photos").max_keys(1).into_paginator().send();
    let mut paged = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        paged.extend(page.contents().iter().filter_map(|o| o.key().map(str::to_owned)));
    }
    assert_eq!(paged, ["2024/beach.jpg", "2024/cat.jpg", "2025/dog.jpg", "readme.txt"]);

    let v1 = s3.list_objects().bucket("photos").delimiter("/").max_keys(1).send().await.unwrap();
    assert_eq!(v1.is_truncated(), Some(true));
    assert_eq!(v1.next_marker(), Some("2024/"));
    let rest = s3.list_objects().bucket("photos").delimiter("/").marker("2024/").send().await.unwrap();
    assert_eq!(rest.common_prefixes().iter().filter_map(|p| p.prefix()).collect::<Vec<_>>(), ["2025/"]);
    assert_eq!(rest.contents().iter().filter_map(|o| o.key()).collect::<Vec<_>>(), ["readme.txt"]);

    let (code, _) = failure(client(&world, "bob").list_objects_v2().bucket("photos").send().await);
    assert_eq!(code, "AccessDenied");
}

#[tokio::test]
async fn bucket_tags_are_read_written_and_removed() {
    let world = world();
    let alice = client(&world, "alice");
    let err = alice.get_bucket_tagging().bucket("photos").send().await.unwrap_err();
    assert_eq!(err.as_service_error().and_then(aws_sdk_s3::error::ProvideErrorMetadata::code), Some("NoSuchTagSet"));
    let tags = Tagging::builder().tag_set(Tag::builder().key("team").value("photos").build().unwrap()).build().unwrap();
    alice.put_bucket_tagging().bucket("photos").tagging(tags).send().await.unwrap();
    let got = alice.get_bucket_tagging().bucket("photos").send().await.unwrap();
    assert_eq!(got.tag_set().iter().map(|t| (t.key(), t.value())).collect::<Vec<_>>(), [("team", "photos")]);
    alice.delete_bucket_tagging().bucket("photos").send().await.unwrap();
    let entry = world.access_log().last().cloned().unwrap();
    assert_eq!(entry.authorizations[0].action, "s3:PutBucketTagging");
    let (code, _) = failure(client(&world, "carol").get_bucket_tagging().bucket("tagged").send().await);
    assert_eq!(code, "AccessDenied");
}

#[tokio::test]
async fn operations_not_served_yet_answer_not_implemented_and_are_logged_by_name() {
    let world = world();
    let (code, _) = failure(client(&world, "alice").get_bucket_versioning().bucket("photos").send().await);
    assert_eq!(code, "NotImplemented");
    assert_eq!(world.access_log().last().unwrap().operation, "GetBucketVersioning");
}
