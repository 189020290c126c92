//! The access log of S3 requests: deterministic, so it is pinned as a snapshot.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};

use super::{DEV, client, world};

#[tokio::test]
async fn the_s3_access_log_is_deterministic() {
    let world = world();
    let alice = client(&world, "alice");
    let bob = client(&world, "bob");
    alice.list_objects_v2().bucket("photos").prefix("2024/").delimiter("/").send().await.unwrap();
    alice.get_object().bucket("photos").key("readme.txt").send().await.unwrap();
    let _ = bob.get_object().bucket("photos").key("nope.txt").send().await;
    world.anonymous_s3_client().get_object().bucket("public-site").key("index.html").send().await.unwrap();
    let _ = client(&world, "carol")
        .put_object()
        .bucket("photos")
        .key("c.txt")
        .tagging("kind=note")
        .body(ByteStream::from_static(b"c"))
        .send()
        .await;
    let root = world.s3_client(world.root_credentials(DEV));
    let objects = ["open.txt", "secret.txt"].map(|k| ObjectIdentifier::builder().key(k).build().unwrap());
    root.delete_objects()
        .bucket("tagged")
        .delete(Delete::builder().set_objects(Some(objects.to_vec())).build().unwrap())
        .send()
        .await
        .unwrap();
    let log = world.access_log();
    assert_eq!(log.len(), 6);
    insta::with_settings!({ snapshot_path => "../../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_yaml_snapshot!("s3_access_log", log);
    });
}
