//! Least privilege through real SDK clients: unused grants, the minimal policy and its proof,
//! and the assertion (the `iamsim least-privilege` command and recording: `least_privilege_cli`).

use crate::credentials_of;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use iamsim::World;

const FIXTURE: &str = "tests/fixtures/least/photos.yaml";
const DEV: &str = "111111111111";
const READER: &str = "arn:aws:iam::111111111111:role/reader";
const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
const READ_PHOTOS: &str = "arn:aws:iam::111111111111:policy/ReadPhotos";

/// Alice assumes the reader role with real STS, then the session lists the bucket, reads an
/// object twice, and is refused a secret (explicit deny) and an upload (no grant).
async fn exercised_world() -> World {
    let world = World::from_fixture(FIXTURE).unwrap().without_recording();
    let sts = world.sts_client(world.user_credentials(DEV, "alice"));
    let out = sts.assume_role().role_arn(READER).role_session_name("app").send().await.unwrap();
    let s3 = world.s3_client(credentials_of(out.credentials().unwrap()));
    let listed = s3.list_objects_v2().bucket("photos").send().await.unwrap();
    assert_eq!(listed.key_count(), Some(3));
    for key in ["2024/a.jpg", "2024/b.jpg"] {
        s3.get_object().bucket("photos").key(key).send().await.unwrap();
    }
    let secret = s3.get_object().bucket("photos").key("secret/key").send().await.unwrap_err();
    assert_eq!(secret.code(), Some("AccessDenied"));
    let put = s3.put_object().bucket("photos").key("new.jpg").body(ByteStream::from_static(b"n")).send().await;
    assert_eq!(put.unwrap_err().code(), Some("AccessDenied"));
    world
}

fn lines(grants: &[&iamsim::harness::Grant]) -> Vec<String> {
    grants.iter().map(ToString::to_string).collect()
}

#[tokio::test]
async fn a_role_session_uses_some_grants_and_the_minimal_policy_is_proven() {
    let world = exercised_world().await;
    let report = world.least_privilege("role/reader");
    assert_eq!(report.principal(), READER);
    assert_eq!(
        lines(&report.unused()),
        [format!("s3:DeleteObject on arn:aws:s3:::photos/* ({READ_PHOTOS}, statement 1)")]
    );
    assert_eq!(
        lines(&report.used()),
        [
            format!("s3:ListBucket on arn:aws:s3:::photos ({READ_PHOTOS}, statement 0)"),
            format!("s3:GetObject on arn:aws:s3:::photos/* ({READ_PHOTOS}, statement 1)"),
        ]
    );
    // The wildcard resource is narrowed to what the session touched; the denied read of the
    // secret touched nothing.
    let get = report.used()[1].clone();
    assert_eq!(report.touched(&get), ["arn:aws:s3:::photos/2024/a.jpg", "arn:aws:s3:::photos/2024/b.jpg"]);

    // Every logged request of the role's session — allowed and denied — is decided as logged
    // with the minimal policy in place of ReadPhotos.
    let proof = report.proof();
    assert!(proof.holds(), "{proof:?}");
    assert_eq!((proof.checked, proof.unreproduced), (5, 0));
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!("least_privilege_reader_minimal_policy", report.minimal_policy().to_value());
    });
    report.assert_minimal_policy_proven();

    // The user who assumed the role used its one grant; a session ARN names the role too.
    world.least_privilege(ALICE).assert_no_unused_grants();
    assert_eq!(world.least_privilege("arn:aws:sts::111111111111:assumed-role/reader/app").principal(), READER);
}

#[tokio::test]
async fn the_assertion_shows_granted_against_used_and_honours_the_allowlist() {
    let world = exercised_world().await;
    let report = world.least_privilege("role/reader");
    let panic =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| report.assert_no_unused_grants())).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    let head: Vec<&str> = message.lines().take(4).collect();
    assert_eq!(
        head,
        [
            "arn:aws:iam::111111111111:role/reader has 1 unused grant (of 3); remove them, or allow intended ones with `.allow(ACTION, RESOURCE)`:",
            &format!("  s3:ListBucket on arn:aws:s3:::photos ({READ_PHOTOS}, statement 0)"),
            &format!("  s3:GetObject on arn:aws:s3:::photos/* ({READ_PHOTOS}, statement 1)"),
            &format!("- s3:DeleteObject on arn:aws:s3:::photos/* ({READ_PHOTOS}, statement 1)"),
        ]
    );
    assert!(message.contains("minimal policy:\n{\n  \"Version\": \"2012-10-17\""), "{message}");

    let allowed = report.clone().allow("s3:Delete*", "arn:aws:s3:::photos/*");
    allowed.assert_no_unused_grants();
    assert_eq!(allowed.allowed_unused().len(), 1);
    // An entry for another resource pattern allows nothing.
    assert_eq!(report.allow("s3:DeleteObject", "arn:aws:s3:::other/*").unused().len(), 1);
}

#[tokio::test]
async fn wildcard_actions_are_named_one_by_one_for_their_resource() {
    let world = World::builder()
        .account(DEV, |a| {
            a.managed_policy(
                "PhotosAll",
                serde_json::json!({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*"}]}),
            )
            .user("bob", |u| u.policy("PhotosAll"))
            .bucket("photos", |b| b.object("a.jpg", "a"))
        })
        .build()
        .unwrap()
        .without_recording();
    let s3 = world.s3_client(world.user_credentials(DEV, "bob"));
    s3.get_object().bucket("photos").key("a.jpg").send().await.unwrap();
    let listed = s3.list_objects_v2().bucket("photos").send().await.unwrap_err();
    assert_eq!(listed.code(), Some("AccessDenied"));

    let report = world.least_privilege("user/bob");
    let unused: Vec<&str> = report.unused().iter().map(|g| g.action.as_str()).collect();
    assert!(unused.contains(&"s3:PutObject") && unused.contains(&"s3:DeleteObject"), "{unused:?}");
    // Bucket actions can never match an object pattern: not grants of it.
    assert!(!unused.contains(&"s3:ListBucket") && !unused.contains(&"s3:CreateBucket"), "{unused:?}");
    assert_eq!(
        lines(&report.used()),
        ["s3:GetObject on arn:aws:s3:::photos/* (arn:aws:iam::111111111111:policy/PhotosAll, statement 0)"]
    );
    assert_eq!(
        report.minimal_policy().to_value(),
        serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/a.jpg"}]})
    );
    assert!(report.proof().holds());
}
