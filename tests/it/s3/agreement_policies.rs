//! The wire and the direct questions agree under generated bucket policies: proptest writes a
//! bucket policy for `photos` (principals of this account, of another account, everyone;
//! grants and denies; object, prefix and bucket resources; conditions on the caller, the
//! prefix and the transport), puts it in the live store, sends generated requests from
//! every kind of caller through aws-sdk-s3, and asks each logged authorization again as a
//! question with the logged context: same outcome, same message.

use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use iamsim::World;
use iamsim::model::AttachedPolicy;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::{Value, json};

use super::{DEV, client, world};

const PRINCIPALS: [&str; 8] = [
    r#""*""#,
    r#"{"AWS": "*"}"#,
    r#"{"AWS": "111111111111"}"#,
    r#"{"AWS": "arn:aws:iam::111111111111:user/carol"}"#,
    r#"{"AWS": "arn:aws:iam::111111111111:role/writer"}"#,
    r#"{"AWS": "arn:aws:iam::222222222222:root"}"#,
    r#"{"AWS": "arn:aws:iam::222222222222:user/mallory"}"#,
    r#"{"AWS": ["arn:aws:iam::111111111111:user/bob", "arn:aws:iam::222222222222:root"]}"#,
];

const ACTIONS: [&str; 7] =
    ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:Get*", "s3:*", "s3:GetObjectTagging"];

const RESOURCES: [&[&str]; 4] = [
    &["arn:aws:s3:::photos/*"],
    &["arn:aws:s3:::photos"],
    &["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"],
    &["arn:aws:s3:::photos/2024/*"],
];

const CONDITIONS: [Option<&str>; 6] = [
    None,
    Some(r#"{"StringEquals": {"aws:username": "carol"}}"#),
    Some(r#"{"StringLike": {"s3:prefix": ["2024/*", ""]}}"#),
    Some(r#"{"Bool": {"aws:SecureTransport": "false"}}"#),
    Some(r#"{"StringNotEquals": {"aws:PrincipalAccount": "111111111111"}}"#),
    Some(r#"{"StringEquals": {"s3:ExistingObjectTag/kind": "doc"}}"#),
];

fn statement() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        0..PRINCIPALS.len(),
        proptest::sample::subsequence(ACTIONS.to_vec(), 1..=3),
        0..RESOURCES.len(),
        0..CONDITIONS.len(),
    )
        .prop_map(|(allow, principal, actions, resource, condition)| {
            let mut statement = json!({
                "Effect": if allow { "Allow" } else { "Deny" },
                "Principal": serde_json::from_str::<Value>(PRINCIPALS[principal]).unwrap(),
                "Action": actions,
                "Resource": RESOURCES[resource],
            });
            if let Some(condition) = CONDITIONS[condition] {
                statement["Condition"] = serde_json::from_str(condition).unwrap();
            }
            statement
        })
}

fn bucket_policy() -> impl Strategy<Value = Value> {
    proptest::collection::vec(statement(), 1..=3)
        .prop_map(|statements| json!({ "Version": "2012-10-17", "Statement": statements }))
}

#[derive(Clone, Copy, Debug)]
enum Caller {
    User(&'static str),
    Root,
    Anonymous,
    Writer,
}

const CALLERS: [Caller; 7] = [
    Caller::User("alice"),
    Caller::User("bob"),
    Caller::User("carol"),
    Caller::User("mallory"),
    Caller::Root,
    Caller::Anonymous,
    Caller::Writer,
];

const KEYS: [&str; 4] = ["readme.txt", "2024/cat.jpg", "uploads/new.txt", "missing/nope"];
const PREFIXES: [Option<&str>; 4] = [None, Some("2024/"), Some(""), Some("uploads/")];

/// One generated request: who, which operation, which key or prefix.
#[derive(Clone, Copy, Debug)]
struct Request {
    caller: usize,
    operation: u8,
    key: usize,
    prefix: usize,
}

fn request() -> impl Strategy<Value = Request> {
    (0..CALLERS.len(), 0..6u8, 0..KEYS.len(), 0..PREFIXES.len()).prop_map(|(caller, operation, key, prefix)| Request {
        caller,
        operation,
        key,
        prefix,
    })
}

fn s3_for(world: &World, caller: Caller) -> aws_sdk_s3::Client {
    match caller {
        Caller::User(user) => client(world, user),
        Caller::Root => world.s3_client(world.root_credentials(DEV)),
        Caller::Anonymous => world.anonymous_s3_client(),
        Caller::Writer => world.s3_client(world.role_session_credentials(DEV, "writer", "generated")),
    }
}

/// Sends one request to `photos`; only what was decided matters, not the outcome.
async fn send(s3: &aws_sdk_s3::Client, request: Request) {
    let key = KEYS[request.key];
    let _ = match request.operation {
        0 => s3.get_object().bucket("photos").key(key).send().await.map(|_| ()).map_err(|e| e.to_string()),
        1 => s3.head_object().bucket("photos").key(key).send().await.map(|_| ()).map_err(|e| e.to_string()),
        2 => s3
            .put_object()
            .bucket("photos")
            .key(key)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        3 => s3
            .list_objects_v2()
            .bucket("photos")
            .set_prefix(PREFIXES[request.prefix].map(str::to_owned))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        4 => s3.delete_object().bucket("photos").key(key).send().await.map(|_| ()).map_err(|e| e.to_string()),
        _ => s3.get_object_tagging().bucket("photos").key(key).send().await.map(|_| ()).map_err(|e| e.to_string()),
    };
}

/// Asks every logged authorization again as a question; returns how many were checked.
fn check_log(world: &World) -> Result<usize, TestCaseError> {
    check_log_from(world, 0)
}

/// Asks the authorizations logged from entry `first` on again as questions. Asked right after
/// the request, so the store is as the request saw it: a later request may change an object's
/// tags (a PutObject replaces them), and with them `s3:ExistingObjectTag/…`.
fn check_log_from(world: &World, first: usize) -> Result<usize, TestCaseError> {
    let mut checked = 0;
    for entry in world.access_log().entries().iter().skip(first) {
        let Some(caller) = entry.caller.as_deref() else { continue };
        for logged in &entry.authorizations {
            let mut asker = if caller == "anonymous" { world.anonymous() } else { world.principal(caller) };
            for (key, values) in &logged.context {
                asker = asker.without_context(key);
                for value in values {
                    asker = asker.with_context(key, value);
                }
            }
            let asked = asker.can(&logged.action).on(&logged.resource);
            prop_assert_eq!(
                (asked.outcome().as_str(), asked.to_string()),
                (logged.decision.as_str(), logged.message.clone()),
                "request #{} {} by {}: {} on {}",
                entry.request,
                &entry.operation,
                caller,
                &logged.action,
                &logged.resource
            );
            checked += 1;
        }
    }
    Ok(checked)
}

proptest! {
    #![proptest_config(Config { cases: 64, failure_persistence: Some(Box::new(FileFailurePersistence::Off)), ..Config::default() })]

    #[test]
    fn the_wire_and_the_questions_agree_under_generated_bucket_policies(
        policy in bucket_policy(),
        requests in proptest::collection::vec(request(), 6..=12),
    ) {
        let world = world();
        let parsed = iamsim::Policy::from_value(policy.clone()).unwrap();
        let attached = AttachedPolicy { label: Arc::from("photos"), policy: Arc::new(parsed.named("photos")) };
        world.live().buckets().bucket("photos").unwrap().set_policy(Some(attached));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut checked = 0;
        for request in &requests {
            let first = world.access_log().len();
            runtime.block_on(send(&s3_for(&world, CALLERS[request.caller]), *request));
            checked += check_log_from(&world, first)?;
        }
        // Every request reached authorization (the bucket exists, the region is right).
        prop_assert!(checked >= requests.len(), "{} decisions for {} requests\n{:#}", checked, requests.len(), policy);
    }
}

/// The generator's vocabulary reaches the cases that matter, pinned here: a bucket-policy grant
/// naming a user needs no identity policy in the same account; one naming another account lets
/// that account's users in with their own policies; a bucket-policy deny overrides an identity
/// grant; one naming only the account is not enough for a user without identity policies.
#[tokio::test]
async fn generated_policies_reach_grants_and_denies_of_the_bucket_policy() {
    let cases: [(Value, &str, Caller, &str); 4] = [
        (
            json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/carol"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}),
            "allow",
            Caller::User("carol"),
            "readme.txt",
        ),
        (
            json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "s3:Get*", "Resource": "arn:aws:s3:::photos/*"}),
            "allow",
            Caller::User("mallory"),
            "readme.txt",
        ),
        (
            json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/2024/*"}),
            "explicit_deny",
            Caller::User("alice"),
            "2024/cat.jpg",
        ),
        // Naming the account (not carol) delegates to the account's identity policies, and carol
        // has none: the condition matches, but the grant is not enough on its own.
        (
            json!({"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"StringEquals": {"aws:username": "carol"}}}),
            "implicit_deny",
            Caller::User("carol"),
            "readme.txt",
        ),
    ];
    for (statement, expected, caller, key) in cases {
        let world = world();
        let parsed = iamsim::Policy::from_value(json!({"Version": "2012-10-17", "Statement": [statement]})).unwrap();
        let attached = AttachedPolicy { label: Arc::from("photos"), policy: Arc::new(parsed.named("photos")) };
        world.live().buckets().bucket("photos").unwrap().set_policy(Some(attached));
        let request = Request { caller: 0, operation: 0, key: KEYS.iter().position(|k| *k == key).unwrap(), prefix: 0 };
        send(&s3_for(&world, caller), request).await;
        let log = world.access_log();
        let entry = log.last().unwrap();
        assert_eq!(entry.authorizations[0].decision, expected, "{caller:?} {key}");
        assert_eq!(check_log(&world).unwrap(), log.entries().iter().map(|e| e.authorizations.len()).sum::<usize>());
    }
}
