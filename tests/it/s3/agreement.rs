//! The wire and the direct questions are one authorizer: every decision an S3 request logged,
//! asked again as `world.principal(..).can(..).on(..)` with the same context, is the same
//! decision with the same message; and a bucket policy changed in the live store changes both.

use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier, Tag, Tagging};
use iamsim::World;
use iamsim::model::AttachedPolicy;

use super::{DEV, OTHER, client, failure, world};

/// A small deterministic generator (xorshift), so the requests are many but always the same.
struct Rng(u64);

impl Rng {
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        &items[usize::try_from(self.0 % items.len() as u64).unwrap()]
    }
}

const CALLERS: [&str; 6] = ["alice", "bob", "carol", "mallory", "root", "anonymous"];
const BUCKETS: [&str; 4] = ["photos", "tagged", "public-site", "theirs"];
const KEYS: [&str; 6] = ["readme.txt", "open.txt", "secret.txt", "index.html", "uploads/new.txt", "missing/nope"];
const PREFIXES: [Option<&str>; 3] = [None, Some("2024/"), Some("")];

fn s3_for(world: &World, caller: &str) -> aws_sdk_s3::Client {
    match caller {
        "root" => world.s3_client(world.root_credentials(DEV)),
        "anonymous" => world.anonymous_s3_client(),
        user => client(world, user),
    }
}

/// Sends one generated request; its outcome does not matter here, only what was decided.
async fn send(s3: &aws_sdk_s3::Client, rng: &mut Rng) {
    let bucket = *rng.pick(&BUCKETS);
    let key = *rng.pick(&KEYS);
    let region = if bucket == "theirs" { "eu-west-1" } else { "us-east-1" };
    let s3 =
        aws_sdk_s3::Client::from_conf(s3.config().to_builder().region(aws_sdk_s3::config::Region::new(region)).build());
    let _ = match *rng.pick(&[0, 1, 2, 3, 4, 5, 6, 7, 8]) {
        0 => s3.get_object().bucket(bucket).key(key).send().await.map(|_| ()).map_err(|e| e.to_string()),
        1 => s3.head_object().bucket(bucket).key(key).send().await.map(|_| ()).map_err(|e| e.to_string()),
        2 => s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .tagging("k=v")
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        3 => s3
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix(rng.pick(&PREFIXES).map(str::to_owned))
            .delimiter("/")
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        4 => s3.delete_object().bucket(bucket).key(key).send().await.map(|_| ()).map_err(|e| e.to_string()),
        5 => s3.get_object_tagging().bucket(bucket).key(key).send().await.map(|_| ()).map_err(|e| e.to_string()),
        6 => {
            let tags = Tagging::builder().tag_set(Tag::builder().key("visibility").value("public").build().unwrap());
            s3.put_object_tagging()
                .bucket(bucket)
                .key(key)
                .tagging(tags.build().unwrap())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        7 => s3
            .copy_object()
            .bucket(bucket)
            .key("copies/c.txt")
            .copy_source(format!("{}/{key}", rng.pick(&BUCKETS)))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        _ => {
            let objects = [key, "readme.txt"].map(|k| ObjectIdentifier::builder().key(k).build().unwrap());
            s3.delete_objects()
                .bucket(bucket)
                .delete(Delete::builder().set_objects(Some(objects.to_vec())).build().unwrap())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    };
}

#[tokio::test]
async fn every_logged_decision_is_what_the_direct_question_answers() {
    let world = world();
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    for _ in 0..250 {
        let caller = *rng.pick(&CALLERS);
        send(&s3_for(&world, caller), &mut rng).await;
    }
    let log = world.access_log();
    let mut checked = 0;
    let mut outcomes = std::collections::BTreeSet::new();
    for entry in log.entries() {
        let Some(caller) = entry.caller.as_deref() else { continue };
        for logged in &entry.authorizations {
            let mut asker = if caller == "anonymous" { world.anonymous() } else { world.principal(caller) };
            // The question starts from `aws:SecureTransport = true`; the logged context replaces it.
            for (key, values) in &logged.context {
                asker = asker.without_context(key);
                for value in values {
                    asker = asker.with_context(key, value);
                }
            }
            let asked = asker.can(&logged.action).on(&logged.resource);
            assert_eq!(
                (asked.outcome().as_str(), asked.to_string()),
                (logged.decision.as_str(), logged.message.clone()),
                "request #{} {} by {caller}: {} on {}",
                entry.request,
                entry.operation,
                logged.action,
                logged.resource
            );
            outcomes.insert(logged.decision.clone());
            checked += 1;
        }
    }
    // The generated requests exercised every kind of decision, many times.
    assert!(checked > 200, "{checked}");
    assert_eq!(outcomes.into_iter().collect::<Vec<_>>(), ["allow", "explicit_deny", "implicit_deny"]);
}

#[tokio::test]
async fn a_bucket_policy_changed_in_the_live_store_changes_the_wire_and_the_questions() {
    let world = world();
    let carol = client(&world, "carol");
    let (code, _) = failure(carol.get_object().bucket("photos").key("readme.txt").send().await);
    assert_eq!(code, "AccessDenied");
    world.user(DEV, "carol").can("s3:GetObject").on("arn:aws:s3:::photos/readme.txt").assert_denied();

    // What PutBucketPolicy will do: replace the policy in the live store.
    let policy = iamsim::Policy::from_value(serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/carol"},
                       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]
    }))
    .unwrap();
    let attached = AttachedPolicy { label: Arc::from("photos"), policy: Arc::new(policy.named("photos")) };
    world.live().buckets().bucket("photos").unwrap().set_policy(Some(attached));

    carol.get_object().bucket("photos").key("readme.txt").send().await.unwrap();
    world.user(DEV, "carol").can("s3:GetObject").on("arn:aws:s3:::photos/readme.txt").assert_allowed();
    // A same-account grant in a bucket policy needs no identity policy; another account still
    // needs both sides.
    world.user(OTHER, "mallory").can("s3:GetObject").on("arn:aws:s3:::photos/readme.txt").assert_denied();
}

#[tokio::test]
async fn a_bucket_created_over_the_wire_is_a_bucket_of_the_questions() {
    let world = world();
    client(&world, "alice").create_bucket().bucket("scratch-q").send().await.unwrap();
    world.user(DEV, "alice").can("s3:DeleteBucket").on("arn:aws:s3:::scratch-q").assert_allowed();
    world.user(OTHER, "mallory").can("s3:ListBucket").on("arn:aws:s3:::scratch-q").assert_denied();
}

#[tokio::test]
async fn another_account_needs_the_bucket_policy_and_its_own_policies() {
    let world = world();
    let mallory = client(&world, "mallory");
    let (code, message) = failure(mallory.get_object().bucket("photos").key("readme.txt").send().await);
    assert_eq!((code.as_str(), message.as_str()), ("AccessDenied", "Access Denied"));

    // The bucket owner trusts account 222222222222 as a whole.
    let policy = iamsim::Policy::from_value(serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
                       "Action": ["s3:GetObject", "s3:ListBucket"],
                       "Resource": ["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"]}]
    }))
    .unwrap();
    let attached = AttachedPolicy { label: Arc::from("photos"), policy: Arc::new(policy.named("photos")) };
    world.live().buckets().bucket("photos").unwrap().set_policy(Some(attached));
    // mallory's own policy allows s3:*, so both sides agree now.
    mallory.get_object().bucket("photos").key("readme.txt").send().await.unwrap();
    mallory.list_objects_v2().bucket("photos").send().await.unwrap();
    // The grant reaches no further than its actions.
    let (code, _) = failure(mallory.delete_object().bucket("photos").key("readme.txt").send().await);
    assert_eq!(code, "AccessDenied");
    world.user(OTHER, "mallory").can("s3:GetObject").on("arn:aws:s3:::photos/readme.txt").assert_allowed();
    world.user(OTHER, "mallory").can("s3:DeleteObject").on("arn:aws:s3:::photos/readme.txt").assert_denied();
}
