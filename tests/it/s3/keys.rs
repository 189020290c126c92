//! Awkward keys survive the trip: `.`, `..`, `//`, spaces, `+`, `%`, non-ASCII — path-style and
//! virtual-hosted.

use aws_sdk_s3::primitives::ByteStream;

use super::{DEV, body, world};

const AWKWARD: [&str; 10] = [
    "x/../y.txt",
    "./z.txt",
    "a//b.txt",
    "/leading-slash.txt",
    "dir/a b+c%~!*'()$@=;:,&.txt",
    "ключ/ü.txt",
    "trailing/",
    "..",
    "q?x=1#frag",
    "tab\there",
];

async fn round_trip(s3: &aws_sdk_s3::Client) {
    for (i, key) in AWKWARD.iter().enumerate() {
        let content = format!("object {i}");
        s3.put_object()
            .bucket("photos")
            .key(*key)
            .body(ByteStream::from(content.clone().into_bytes()))
            .send()
            .await
            .unwrap();
        let got = s3.get_object().bucket("photos").key(*key).send().await.unwrap();
        assert_eq!(body(got).await, content, "key {key:?}");
    }
    let listed = s3.list_objects_v2().bucket("photos").send().await.unwrap();
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    for key in AWKWARD {
        assert!(keys.contains(&key), "{key:?} not listed in {keys:?}");
    }
    // `x/../y.txt` is a key of its own, not `y.txt`.
    assert!(!keys.contains(&"y.txt"));
}

#[tokio::test]
async fn awkward_keys_round_trip_path_style() {
    let world = world();
    round_trip(&world.s3_client(world.root_credentials(DEV))).await;
    let log = world.access_log();
    assert_eq!(log.entries()[0].authorizations[0].resource, "arn:aws:s3:::photos/x/../y.txt");
}

#[tokio::test]
async fn awkward_keys_round_trip_virtual_hosted() {
    let world = world();
    let config = world.s3_config(world.root_credentials(DEV)).force_path_style(false).build();
    round_trip(&aws_sdk_s3::Client::from_conf(config)).await;
}

#[tokio::test]
async fn listing_encodes_keys_when_asked() {
    let world = world();
    let s3 = world.s3_client(world.root_credentials(DEV));
    s3.put_object().bucket("photos").key("a b/ü.txt").body(ByteStream::from_static(b"x")).send().await.unwrap();
    // The SDK asks for nothing and gets the keys as they are.
    let plain = s3.list_objects_v2().bucket("photos").prefix("a b/").send().await.unwrap();
    assert_eq!(plain.contents()[0].key(), Some("a b/ü.txt"));
    let encoded = s3
        .list_objects_v2()
        .bucket("photos")
        .prefix("a b/")
        .encoding_type(aws_sdk_s3::types::EncodingType::Url)
        .send()
        .await
        .unwrap();
    assert_eq!(encoded.contents()[0].key(), Some("a%20b/%C3%BC.txt"));
}
