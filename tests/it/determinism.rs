//! Determinism: the same fixture and the same calls give byte-identical access logs (session
//! keys, request numbers, times, messages), and another seed gives other keys. CI also runs the
//! whole suite twice and compares the recorded logs and the snapshots (`.ci/run`).

use crate::credentials_of;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_sts::types::Tag;
use iamsim::World;

const DEV: &str = "111111111111";
const WRITE_ACCESS: &str = "arn:aws:iam::222222222222:role/WriteAccess";

fn cross_account(seed: Option<u64>) -> World {
    let fixture = std::fs::read_to_string("examples/fixtures/cross-account.yaml").unwrap();
    match seed {
        Some(seed) => World::from_yaml(&format!("seed: {seed}\n{fixture}")).unwrap(),
        None => World::from_yaml(&fixture).unwrap(),
    }
}

/// Alice assumes Prod's WriteAccess, writes and reads a release, is refused a delete and a
/// listing; Bob is refused the role. Returns the access log as JSON lines and the session's key.
async fn story(world: &World) -> (String, String) {
    let sts = world.sts_client(world.user_credentials(DEV, "alice"));
    let session = sts
        .assume_role()
        .role_arn(WRITE_ACCESS)
        .role_session_name("release-42")
        .tags(Tag::builder().key("pipeline").value("ci").build().unwrap())
        .send()
        .await;
    // The role does not allow sts:TagSession: refused, then assumed without tags.
    assert!(session.is_err());
    let session = sts.assume_role().role_arn(WRITE_ACCESS).role_session_name("release-42").send().await.unwrap();
    let credentials = session.credentials.unwrap();
    let key = credentials.access_key_id.clone();
    let s3 = world.s3_client(credentials_of(&credentials));
    s3.put_object()
        .bucket("prod-releases")
        .key("v1/app.tar")
        .body(ByteStream::from_static(b"app"))
        .send()
        .await
        .unwrap();
    s3.get_object().bucket("prod-releases").key("v1/app.tar").send().await.unwrap();
    assert!(s3.delete_object().bucket("prod-releases").key("v1/app.tar").send().await.is_err());
    assert!(s3.list_objects_v2().bucket("prod-releases").send().await.is_err());
    let bob = world.sts_client(world.user_credentials(DEV, "bob"));
    assert!(bob.assume_role().role_arn(WRITE_ACCESS).role_session_name("nope").send().await.is_err());
    let mut lines = Vec::new();
    world.access_log().write_json_lines(&mut lines).unwrap();
    (String::from_utf8(lines).unwrap(), key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_fixture_and_calls_give_byte_identical_access_logs_and_another_seed_other_keys() {
    let (first, first_key) = story(&cross_account(None)).await;
    let (second, second_key) = story(&cross_account(None)).await;
    assert_eq!(first.lines().count(), 7, "{first}");
    assert_eq!(first, second);
    assert_eq!(first_key, second_key);
    assert!(first_key.starts_with("ASIA"), "{first_key}");

    let (reseeded, reseeded_key) = story(&cross_account(Some(7))).await;
    assert_ne!(reseeded_key, first_key);
    assert_ne!(reseeded, first);
    // Only the keys differ: the decisions, messages and request numbers are the same.
    let without_keys = |log: &str, key: &str| log.replace(key, "KEY");
    let alice_key = |w: &World| w.model().account(DEV).unwrap().user("alice").unwrap().access_keys[0].id.clone();
    let (a, b) = (alice_key(&cross_account(None)), alice_key(&cross_account(Some(7))));
    let bob_key = |w: &World| w.model().account(DEV).unwrap().user("bob").unwrap().access_keys[0].id.clone();
    let (c, d) = (bob_key(&cross_account(None)), bob_key(&cross_account(Some(7))));
    assert_eq!(
        without_keys(&without_keys(&without_keys(&first, &first_key), &a), &c),
        without_keys(&without_keys(&without_keys(&reseeded, &reseeded_key), &b), &d)
    );
}
